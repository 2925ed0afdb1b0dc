"""kill -9 pmtui's save path at random moments; count damaged files and lost entries.

    .venv/bin/python -m tests.crash_harness [KILLS]

`tui` below runs the whole app (headless) in a child process of its own,
types into the entry bar, then ends it the hard way: an error nothing
catches, or a signal, with or without a disk that refuses writes.

A child process opens the incident (lock, clean-up, load), then logs and
saves entries one after another through the real Saver, telling the parent
over a pipe each time a save has returned. The parent kills it at a random
moment, then reopens the incident at once, as the IC would: the lock must be
free, no temp file left, the file must load, and every entry whose save had
returned must be in it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pmtui.core import store
from pmtui.core.errors import LockedError, PmtuiError
from pmtui.core.model import Incident
from pmtui.core.saver import Saver

START = datetime(2026, 11, 21, 19, 32, tzinfo=UTC)


@dataclass
class Report:
    kills: int = 0
    damaged: int = 0  # files that did not load afterwards
    lost: int = 0  # entries acknowledged as saved but missing afterwards
    stale_locks: int = 0
    leftovers: int = 0  # temp files still there after reopening
    saves_acknowledged: int = 0
    problems: list[str] = field(default_factory=list)


def make_incident(path: Path, entries: int) -> None:
    incident = Incident(title=f"crash test, {entries} entries", timezone="GMT", started_at=START)
    for n in range(entries):
        incident.add_entry(f'seed {n} | "quoted" \u202e é', START + timedelta(seconds=n))
    store.write_atomic(path, store.dumps(incident).encode())


def _child(path: Path, write_fd: int) -> None:
    holder = store.IncidentStore(path)
    incident = holder.open()
    saver = Saver(holder)
    while True:
        entry = incident.add_entry(f"live {len(incident.timeline)}", START)
        saver.request(store.snapshot(incident))
        if not saver.flush(10):
            os._exit(3)
        os.write(write_fd, f"{entry.id}\n".encode())


def one_kill(path: Path, delay: float, report: Report) -> None:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns
        os.close(read_fd)
        try:
            _child(path, write_fd)
        finally:
            os._exit(2)
    os.close(write_fd)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acknowledged = _read_all(read_fd).split()
    report.kills += 1
    report.saves_acknowledged += len(acknowledged)
    holder = store.IncidentStore(path)
    try:
        incident = holder.open()
    except LockedError as error:
        report.stale_locks += 1
        report.problems.append(str(error))
        return
    except PmtuiError as error:
        report.damaged += 1
        report.problems.append(str(error))
        return
    finally:
        holder.close()
    report.leftovers += len(list(path.parent.glob(f".{path.name}.*.tmp")))
    ids = {entry.id for entry in incident.timeline}
    missing = [ident for ident in acknowledged if ident not in ids]
    report.lost += len(missing)
    if missing:
        report.problems.append(f"lost {missing[:5]} after kill {report.kills}")


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def run(kills: int = 200, sizes: tuple[int, ...] = (10, 100, 1000, 10000), seed: int = 7) -> Report:
    rng = random.Random(seed)
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        for index, size in enumerate(sizes):
            path = Path(tmp) / f"crash-{size}.toml"
            make_incident(path, size)
            probe = store.IncidentStore(path)
            started = time.perf_counter()
            probe.open()  # how long an open takes at this size
            open_time = time.perf_counter() - started
            probe.close()
            share = kills // len(sizes) + (1 if index < kills % len(sizes) else 0)
            for _ in range(share):
                one_kill(path, open_time + rng.uniform(0, 0.15), report)
    return report


def tui(
    path: Path, typed: str, how: str, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pmtui on `path` in a child, type `typed` (no Enter), then end it `how`:

    crash: an error nothing catches, raised in the app's message loop;
    SIGINT/SIGTERM: that signal; +gone: the incident's folder is removed first,
    so no save can succeed; +nowhere: and no rescue file can be written.
    """
    command = [sys.executable, "-m", "tests.crash_harness", "tui", str(path), typed, how]
    env = os.environ | ({"HOME": str(home)} if home else {})
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def _tui_child(path: Path, typed: str, how: str) -> None:
    import shutil

    from pmtui.app import run_app
    from pmtui.widgets import EntryBar
    from tests.tui import open_app

    app = open_app(path)
    if "nowhere" in how:
        tempfile.tempdir = str(path / "no-temp-folder")  # inside a file: never writable
        os.environ["HOME"] = tempfile.tempdir

    def boom() -> None:
        raise RuntimeError("a widget broke")

    async def drive(pilot: Any) -> None:
        await pilot.press(typed[0])
        bar = app.screen.query_one(EntryBar).input
        bar.insert_text_at_cursor(typed[1:])
        await pilot.pause()
        if "gone" in how:
            shutil.rmtree(path.parent)
        if how.startswith("crash"):
            app.call_later(boom)
        else:
            os.kill(os.getpid(), getattr(signal, how.split("+")[0]))

    sys.exit(run_app(app, headless=True, size=(120, 36), auto_pilot=drive))


def main() -> None:
    if sys.argv[1:2] == ["tui"]:
        _tui_child(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    started = time.perf_counter()
    report = run(kills)
    print(
        f"{report.kills} kills over incidents of 10 to 10,000 entries in "
        f"{time.perf_counter() - started:.0f} s: {report.damaged} damaged files, "
        f"{report.lost} lost entries, {report.stale_locks} stale locks, "
        f"{report.leftovers} leftover temp files "
        f"({report.saves_acknowledged} saves had returned before the kills)"
    )
    for problem in report.problems[:10]:
        print("  " + problem)


if __name__ == "__main__":
    main()
