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

from pmtui import store
from pmtui.errors import LockedError
from pmtui.model import ActionKind, EntryKind, Status

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
    terminal.type("ic", "/action Add a canary stage @release-eng")
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
    sample = Path(__file__).parent.parent / "sample_incidents" / "payme-500-errors.toml"
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
        Path(__file__).parent.parent / "sample_incidents" / "rappi-orders-api.toml",
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
