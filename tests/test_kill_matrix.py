"""kill -9 of the IC's pmtui, of loggers, or both, while 8 `pmtui log`s write:
every acknowledged entry is in the reopened incident exactly once, in time order.

The installed `pmtui` runs in a tmux server of this test's own; the loggers are
real `pmtui log PATH -` processes (four writers' files, two loggers on each)
fed a line at a time; the kills are real `kill -9`s at moments drawn from a
seed the failure message names. A killed logger's acknowledged lines are the
ones it appended before it died: they must be its first lines, each once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.core import journal, store
from pmtui.core.fold import fold, load_whole
from pmtui.core.model import Incident
from tests.conftest import NOW
from tests.test_e2e_tmux import PMTUI, Terminal, _pmtui_pid, pytestmark  # noqa: F401

LOGGERS, EACH = 8, 50  # the 8 concurrent loggers x 50 entries


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    term.socket = f"pmtui-kill-{uuid.uuid4().hex[:8]}"  # a tmux server of its own
    yield term
    term.close()


def _logger(folder: Path, n: int) -> subprocess.Popen[bytes]:
    """`pmtui log PATH -`: each line the test feeds it is one entry, appended as it comes."""
    env = {**os.environ, "LOGNAME": f"logger{n % 4}"}  # four files, two loggers on each
    command = [str(PMTUI), "log", "inc.toml", "-"]
    return subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.PIPE)


def _log_once(folder: Path, n: int, text: str) -> None:
    """One whole `pmtui log` on a killed logger's file: its lock died with it."""
    env = {**os.environ, "LOGNAME": f"logger{n % 4}"}
    done = subprocess.run([PMTUI, "log", "inc.toml", text], cwd=folder, env=env, timeout=60)
    assert done.returncode == 0


@pytest.mark.parametrize("kill", ["tui", "loggers", "both"])
def test_kill_9_in_any_order_keeps_every_acknowledged_entry_once(
    terminal: Terminal, tmp_path: Path, kill: str
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    why = f"kill={kill} seed={seed}"
    path = tmp_path / "inc.toml"
    holder = store.IncidentStore(path)
    holder.create(Incident(title="Many hands", timezone="UTC", started_at=NOW))
    holder.close()
    terminal.start("ic", f"{PMTUI} inc.toml")
    terminal.wait_for("ic", "What is happening?", timeout=60)
    tui = _pmtui_pid(terminal, "ic")
    loggers = [_logger(tmp_path, n) for n in range(LOGGERS)]
    tui_dies = rng.randrange(EACH) if kill != "loggers" else -1
    doomed = rng.sample(range(LOGGERS), 3) if kill != "tui" else []
    dies_at = {n: rng.randrange(EACH) for n in doomed}
    killed: set[int] = set()
    fed = [0] * LOGGERS
    for step in range(EACH):
        for n, logger in enumerate(loggers):
            if dies_at.get(n) == step:
                os.kill(logger.pid, signal.SIGKILL)
                logger.wait()
                killed.add(n)
                _log_once(tmp_path, n, f"after logger {n} died")
            if n in killed:
                continue
            assert logger.stdin is not None
            logger.stdin.write(f"logger {n} entry {step}\n".encode())
            logger.stdin.flush()
            fed[n] += 1
        if step == tui_dies:
            os.kill(tui, signal.SIGKILL)
        time.sleep(rng.uniform(0, 0.08))  # ~2 s of logging: the TUI folds and saves meanwhile
    for n, logger in enumerate(loggers):
        if n not in killed:
            assert logger.stdin is not None
            logger.stdin.close()
            assert logger.wait(120) == 0, why
    if kill == "loggers":
        os.kill(tui, signal.SIGKILL)  # then the TUI too, after the loggers
    terminal.wait_for("ic", "EXIT=137", timeout=20)
    store.load(path)  # what the killed TUI left parses

    terminal.start("again", f"{PMTUI} inc.toml")  # reopen, then quit: it checkpoints
    terminal.wait_for("again", "What is happening?", timeout=60)
    terminal.keys("again", "C-q")
    terminal.wait_for("again", "EXIT=0", timeout=60)

    saved = store.load(path)  # the file parses, and holds them without the journal
    texts = [e.text for e in saved.timeline]
    assert len(texts) == len(set(texts)), why  # nothing twice
    for n in range(LOGGERS):
        mine = [t for t in texts if t.startswith(f"logger {n} entry ")]
        if n in killed:  # what it wrote before its kill: the lines fed first, none twice
            assert sorted(mine) == sorted(f"logger {n} entry {k}" for k in range(len(mine))), why
            assert len(mine) <= fed[n] and f"after logger {n} died" in texts, why
        else:
            assert len(mine) == EACH, f"{why}: logger {n} has {len(mine)} of {EACH}"
    if kill == "tui":
        assert len(texts) == LOGGERS * EACH, why
    assert [e.at for e in saved.timeline] == sorted(e.at for e in saved.timeline), why
    whole = load_whole(path)
    assert [e.model_dump() for e in whole.timeline] == [e.model_dump() for e in saved.timeline]


def _incident() -> Incident:
    return Incident(title="Cut", timezone="UTC", started_at=NOW)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 3))
def test_a_journal_cut_at_any_byte_loses_only_that_line(cut_at: int, which: int) -> None:
    """A writer killed mid-write leaves its file cut anywhere: what was before stays,
    the cut line alone is lost, and the next writer and reader carry on."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inc.journal"
        for n in range(4):
            entry = {"at": NOW.isoformat(), "text": f"line {n} " + "x" * (n * 40)}
            journal.append(folder, [("entry", entry, None)], writer="w")
        file = folder / "w.jsonl"
        data = file.read_bytes()
        starts = [0, *[i + 1 for i, b in enumerate(data) if b == ord("\n")][:-1]]
        cut = starts[which] + cut_at % (len(data) - starts[which])  # inside line `which`
        with file.open("r+b") as stream:
            stream.truncate(cut)
        journal.append(folder, [("entry", {"at": NOW.isoformat(), "text": "next"})], writer="w")
        records, offsets = journal.read(folder)
        whole_before = data[:cut].count(b"\n")  # lines whole before the cut
        assert len(records) in (whole_before + 1, whole_before + 2)  # + "next", + the cut one
        assert records[-1].data["text"] == "next"
        assert [r.data["text"] for r in records[:whole_before]] == [
            f"line {n} " + "x" * (n * 40) for n in range(whole_before)
        ]
        assert offsets == {"w.jsonl": file.stat().st_size}  # nothing left for later
        incident = _incident()
        fold(incident, records)
        assert [e.text for e in incident.timeline].count("next") == 1
