"""A user's journey with the installed `pmtui`, in a real terminal (tmux)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmtui.core import store
from pmtui.core.errors import LockedError
from pmtui.core.model import ActionKind, EntryKind, Status
from tests.conftest import PAYME, RAPPI

PMTUI = Path(sys.executable).parent / "pmtui"
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None or not PMTUI.exists(),
    reason="needs tmux and the installed pmtui (scripts/test.sh installs both)",
)


class Terminal:
    """One tmux server of our own, with a 120x36 window per command."""

    def __init__(self, folder: Path) -> None:
        self.socket = f"pmtui-{uuid.uuid4().hex[:8]}"
        self.folder = folder
        self.config = folder / "tmux.conf"
        self.config.write_text("set -g default-size 120x36\n")

    def tmux(self, *args: str) -> str:
        command = ["tmux", "-L", self.socket, "-f", str(self.config), *args]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        return result.stdout

    def start(self, name: str, command: str) -> None:
        # COLUMNS/LINES from the test runner would override the real size
        shell = f"cd {self.folder} && env -u COLUMNS -u LINES {command}; echo EXIT=$?; sleep 60"
        self.tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "36", shell)

    def screen(self, name: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen(name)
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen(name)}")

    def type(self, name: str, text: str, enter: bool = True) -> None:
        self.tmux("send-keys", "-t", name, "-l", "--", text)
        if enter:
            time.sleep(0.05)
            self.tmux("send-keys", "-t", name, "Enter")

    def keys(self, name: str, *keys: str) -> None:
        self.tmux("send-keys", "-t", name, *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_an_incident_from_start_to_postmortem(terminal: Terminal, tmp_path: Path) -> None:
    terminal.start(
        "ic",
        f"{PMTUI} new 'Checkout returns 500' --file inc.toml --timezone UTC "
        "--severity SEV2 --commander Ana",
    )
    terminal.wait_for("ic", "Checkout returns 500")
    terminal.wait_for("ic", "What is happening?")

    terminal.type("ic", "error rate at 40% on checkout")
    terminal.wait_for("ic", "error rate at 40% on checkout")
    terminal.type("ic", "-3m first alert from synthetic checks")
    terminal.wait_for("ic", "first alert from synthetic checks")
    terminal.type("ic", "/action Add a canary stage @release-eng ticket:https://jira.example/OPS-7")
    terminal.wait_for("ic", "Add a canary stage")

    # a second pmtui on the same incident is refused, and says who holds it
    terminal.start("second", f"{PMTUI} inc.toml")
    second = terminal.wait_for("second", "EXIT=")
    assert "is open in another pmtui (pid" in second
    assert "EXIT=1" in second

    terminal.type("ic", "/mitigated rolled back deploy 4512")
    terminal.wait_for("ic", "MITIGATED")
    terminal.type("ic", "/resolved")
    terminal.wait_for("ic", "RESOLVED")
    terminal.keys("ic", "C-q")
    shown = terminal.wait_for("ic", "EXIT=")
    assert "Postmortem written to inc.md" in shown
    assert "EXIT=0" in shown

    incident = store.load(tmp_path / "inc.toml")
    assert incident.title == "Checkout returns 500"
    assert (incident.severity, incident.commander) == ("SEV2", "Ana")
    assert incident.status is Status.RESOLVED
    assert incident.mitigated_at is not None and incident.resolved_at is not None
    texts = [e.text for e in incident.timeline]
    assert "error rate at 40% on checkout" in texts
    backdated = next(e for e in incident.timeline if e.text.startswith("first alert"))
    logged = next(e for e in incident.timeline if e.text.startswith("error rate"))
    assert 150 <= (logged.at - backdated.at).total_seconds() <= 200  # about 3 minutes earlier
    assert [e.kind for e in incident.timeline].count(EntryKind.STATUS) == 3
    assert incident.actions[0].text == "Add a canary stage"
    assert incident.actions[0].owner == "release-eng"
    assert incident.actions[0].kind is ActionKind.CORRECTIVE

    markdown = (tmp_path / "inc.md").read_text()
    assert markdown.startswith("# Postmortem: Checkout returns 500")
    assert "- " in markdown and "error rate at 40% on checkout" in markdown
    assert "| Add a canary stage | Corrective | release-eng |" in markdown
    assert "| [jira.example/OPS-7](https://jira.example/OPS-7) |" in markdown


def _pmtui_pid(terminal: Terminal, name: str) -> int:
    shell = int(terminal.tmux("display", "-p", "-t", name, "#{pane_pid}").strip())
    for _ in range(50):
        found = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True)
        if found.stdout.strip():
            return int(found.stdout.split()[0])
        time.sleep(0.1)
    raise AssertionError("pmtui is not running")


def _lock_is_free(path: Path) -> bool:
    holder = store.IncidentStore(path)
    try:
        holder.open()
    except LockedError:
        return False
    holder.close()
    return True


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_saves_writes_the_postmortem_and_releases_the_lock(
    terminal: Terminal, tmp_path: Path, how: str
) -> None:
    sample = PAYME
    shutil.copy(sample, tmp_path / "inc.toml")
    terminal.start("ic", f"{PMTUI} inc.toml")
    terminal.wait_for("ic", "What is happening?")
    terminal.type("ic", "logged just before the line dropped")
    terminal.wait_for("ic", "logged just before")
    terminal.type("ic", "still typing this one", enter=False)
    terminal.wait_for("ic", "still typing this one")
    if how != "SIGHUP":  # SIGINT: `kill -INT`, or ctrl+c sent from outside
        os.kill(_pmtui_pid(terminal, "ic"), getattr(signal, how))
        shown = terminal.wait_for("ic", "EXIT=")
        assert "EXIT=0" in shown
    else:  # closing the terminal: tmux sends SIGHUP to the pane's processes
        pid = _pmtui_pid(terminal, "ic")
        terminal.tmux("kill-session", "-t", "ic")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists()
    texts = [e.text for e in store.load(tmp_path / "inc.toml").timeline]
    assert "logged just before the line dropped" in texts
    assert "still typing this one" in texts  # what was in the bar is not lost either
    assert "still typing this one" in (tmp_path / "inc.md").read_text()
    assert _lock_is_free(tmp_path / "inc.toml")


def test_a_burst_of_entries_logs_each_one_whole(terminal: Terminal, tmp_path: Path) -> None:
    """Keys arriving together (over SSH, or a fast typist) keep their order.

    As a key binding, Enter used to overtake characters still queued, and
    clearing the bar after logging wiped what was typed meanwhile: entries
    came out merged, split or lost.
    """
    terminal.start("ic", f"{PMTUI} new 'Burst' --file inc.toml --timezone UTC")
    terminal.wait_for("ic", "What is happening?")
    for n in range(25):
        terminal.type("ic", f"-3m entry number {n}")
    terminal.wait_for("ic", "entry number 24")
    time.sleep(1)
    terminal.keys("ic", "C-q")
    terminal.wait_for("ic", "EXIT=0")
    texts = [e.text for e in store.load(tmp_path / "inc.toml").timeline if "entry" in e.text]
    assert sorted(texts) == sorted(f"entry number {n}" for n in range(25))


def test_entries_typed_while_pmtui_starts_are_logged(terminal: Terminal, tmp_path: Path) -> None:
    """The IC runs pmtui and types at once, before the first screen is shown.

    Textual gave those keys to a screen with nothing focused, which dropped
    them; and an Enter typed before the terminal is in raw mode arrives as a
    line feed (ctrl+j), which the bar did not take as Enter.
    """
    shutil.copy(
        RAPPI,
        tmp_path / "inc.toml",
    )
    terminal.start("ic", f"{PMTUI} inc.toml")
    terminal.type("ic", "paged the db team")
    terminal.type("ic", "second early entry")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        texts = [entry.text for entry in store.load(tmp_path / "inc.toml").timeline]
        if texts[-1] == "second early entry":
            break
        time.sleep(0.1)
    assert texts[-2:] == ["paged the db team", "second early entry"]
    terminal.keys("ic", "C-q")
    terminal.wait_for("ic", "EXIT=0")


def test_a_bracketed_paste_keeps_every_line_and_every_character(
    terminal: Terminal, tmp_path: Path
) -> None:
    """A paste (tmux `paste-buffer -p` sends it bracketed, line breaks as CR).

    Textual's input parser kept only a paste's first line, and an ESC inside
    a paste turned what followed it into key presses, typed before the paste:
    `Q<ESC>Z tail` was stored as `^Z tailQ`.
    """
    terminal.start("ic", f"{PMTUI} new 'Paste' --file inc.toml --timezone UTC")
    terminal.wait_for("ic", "What is happening?")
    terminal.type("ic", "db error: ", enter=False)
    terminal.wait_for("ic", "db error:")
    block = "Traceback (most recent call last):\n  File api.py, line 8\nKeyError: 'sku'"
    terminal.tmux("set-buffer", "-b", "trace", "--", block)
    terminal.tmux("paste-buffer", "-p", "-b", "trace", "-t", "ic")
    terminal.wait_for("ic", "KeyError")
    terminal.keys("ic", "Enter")
    terminal.wait_for("ic", "(+2 lines)")
    terminal.tmux("set-buffer", "-b", "esc", "--", "Q\x1bZ tail")
    terminal.tmux("paste-buffer", "-p", "-b", "esc", "-t", "ic")
    terminal.wait_for("ic", "Q␛Z tail")
    terminal.keys("ic", "Enter")
    time.sleep(0.5)
    terminal.keys("ic", "C-q")
    terminal.wait_for("ic", "EXIT=0")
    texts = [e.text for e in store.load(tmp_path / "inc.toml").timeline]
    assert texts[-2:] == ["db error: " + block, "Q\x1bZ tail"]
    markdown = (tmp_path / "inc.md").read_text()
    assert "db error: Traceback (most recent call last):\n  ```\n    File api.py" in markdown


def test_an_upgrade_while_pmtui_runs_does_not_break_its_dialogs(
    terminal: Terminal, tmp_path: Path
) -> None:
    """Reinstalling pmtui mid-incident removes the files the running app was
    started from. It crashed at the next dialog (`No module named
    'screens.editors'`): every dialog is now imported soon after first paint.
    """
    root = Path(__file__).resolve().parent.parent
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), root],
        check=True,
        capture_output=True,
    )
    terminal.start(
        "ic",
        f"PYTHONPATH={site} {site}/bin/pmtui new 'Upgrade' --file inc.toml --timezone UTC"
        " --severity SEV2",
    )
    terminal.wait_for("ic", "What is happening?")
    time.sleep(3)  # the imports run on a thread after first paint; give it a moment
    for package in ("pmtui", "screens", "widgets", "tests"):
        shutil.rmtree(site / package, ignore_errors=True)
    terminal.type("ic", "logged after the upgrade")
    terminal.wait_for("ic", "logged after the upgrade")
    terminal.type("ic", "/action Check the upgrade @ops due:fri")
    terminal.wait_for("ic", "Check the upgrade")
    dialogs = [
        (["F1"], "pmtui help"),
        (["C-s"], "Postmortem summary"),
        (["C-e"], "Postmortem preview"),
        (["Tab", "Enter"], "Edit entry"),  # the timeline's cursor entry
        (["Tab", "Enter"], "Edit action"),  # from the timeline to the action items
        (["C-p"], "Search for commands"),
    ]
    for keys, title in dialogs:
        for key in keys:
            terminal.keys("ic", key)
            time.sleep(0.3)
        terminal.wait_for("ic", title)
        terminal.keys("ic", "Escape")
        time.sleep(0.3)
    terminal.keys("ic", "C-q")
    shown = terminal.wait_for("ic", "EXIT=")
    assert "EXIT=0" in shown and "Error" not in shown
    texts = [e.text for e in store.load(tmp_path / "inc.toml").timeline]
    assert "logged after the upgrade" in texts
    assert "logged after the upgrade" in (tmp_path / "inc.md").read_text()


# -- the hurried IC: fast, in the wrong pane, fixing as they go ----------------
# Each step types like a stressed IC and returns (texts that must be logged,
# texts that must not). Add a step by writing a function and listing it in
# HURRIED_STEPS; the journey runs them in order on one bare incident.
Step = tuple[list[str], list[str]]


def _wrong_pane_slowly(term: Terminal, ic: str) -> Step:
    """Tab to the timeline to read, then type at 150 ms a key: x and a are text."""
    term.type(ic, "error rate at 40% on checkout")
    term.wait_for(ic, "error rate at 40%")
    term.keys(ic, "Tab")
    for key in "xfs full, a disk alert":
        term.type(ic, key, enter=False)
        time.sleep(0.15)
    term.keys(ic, "Enter")
    term.wait_for(ic, "xfs full, a disk alert")
    return ["error rate at 40% on checkout", "xfs full, a disk alert"], ["fs full, a disk alert"]


def _wrong_pane_in_a_burst(term: Terminal, ic: str) -> Step:
    """The same in one burst (as over SSH): the first letter is not dropped."""
    term.keys(ic, "Tab", "Tab")  # the action items this time
    term.type(ic, "error rate back to 2%")
    term.wait_for(ic, "error rate back to 2%")
    return ["error rate back to 2%"], ["rror rate back to 2%"]


def _undo_while_typing(term: Terminal, ic: str) -> Step:
    """ctrl+z with half a line undoes the typing, not the entry logged before."""
    term.type(ic, "paged the wrong team", enter=False)
    term.wait_for(ic, "paged the wrong team")
    term.keys(ic, "C-z", "C-z")  # "team", then "wrong "
    term.type(ic, "DBA team")
    term.wait_for(ic, "paged the DBA team")
    term.type(ic, "a line logged by mistake")
    term.wait_for(ic, "a line logged by mistake")
    term.keys(ic, "C-z")  # the bar is empty: this undoes the last entry
    term.wait_for(ic, "Undone: log")
    return ["paged the DBA team", "error rate back to 2%"], ["a line logged by mistake"]


def _up_arrow_fixes_the_last_entry(term: Terminal, ic: str) -> Step:
    term.type(ic, "db failovr started")
    term.wait_for(ic, "db failovr started")
    term.keys(ic, "Up", *["Left"] * 8, "BSpace", "BSpace")  # at once: none may go astray
    term.type(ic, "ver")  # and Enter saves
    term.wait_for(ic, "db failover started")
    return ["db failover started"], ["db failovr started"]


def _the_summary_of_a_bare_incident(term: Terminal, ic: str) -> Step:
    """No severity yet (pmtui new without --severity): ctrl+s opens, esc closes."""
    term.keys(ic, "C-s")
    term.wait_for(ic, "Postmortem summary")
    term.keys(ic, "Escape")
    # a key right after Esc would reach pmtui as alt+key: the IC sees it close
    deadline = time.monotonic() + 5
    while "Postmortem summary" in term.screen(ic) and time.monotonic() < deadline:
        time.sleep(0.1)
    term.type(ic, "summary looked at")
    term.wait_for(ic, "summary looked at")
    return ["summary looked at"], []


HURRIED_STEPS = [
    _wrong_pane_slowly,
    _wrong_pane_in_a_burst,
    _undo_while_typing,
    _up_arrow_fixes_the_last_entry,
    _the_summary_of_a_bare_incident,
]


def test_a_hurried_ic_loses_nothing(terminal: Terminal, tmp_path: Path) -> None:
    terminal.start("ic", f"{PMTUI} new 'Checkout down' --file inc.toml --timezone UTC")
    terminal.wait_for("ic", "What is happening?")
    logged: list[str] = []
    lost: list[str] = []
    for step in HURRIED_STEPS:
        present, absent = step(terminal, "ic")
        logged += present
        lost += absent
    terminal.keys("ic", "C-q")
    shown = terminal.wait_for("ic", "EXIT=")
    assert "EXIT=0" in shown and "Traceback" not in shown
    incident = store.load(tmp_path / "inc.toml")
    texts = [e.text for e in incident.timeline]
    assert [text for text in logged if text not in texts] == [], texts
    assert [text for text in lost if text in texts] == [], texts
    assert incident.actions == []  # no pane key made one
    assert "xfs full, a disk alert" in (tmp_path / "inc.md").read_text()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_a_signal_while_the_title_is_typed_keeps_the_title(
    terminal: Terminal, tmp_path: Path, how: str
) -> None:
    """The SSH session drops while the IC types the new incident's title: it was lost,
    nothing was created, and pmtui exited 0 without a word."""
    terminal.start("ic", f"TZ=UTC {PMTUI}")
    terminal.wait_for("ic", "What is broken?")
    terminal.type("ic", "DB is down", enter=False)
    terminal.wait_for("ic", "DB is down")
    pid = _pmtui_pid(terminal, "ic")
    os.kill(pid, getattr(signal, how))
    if how == "SIGTERM":
        shown = terminal.wait_for("ic", "EXIT=")
        assert "EXIT=0" in shown and "Incident created in" in shown
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    (made,) = [p for p in tmp_path.glob("*.toml") if p.name != "tmux.conf"]
    assert store.load(made).title == "DB is down"
