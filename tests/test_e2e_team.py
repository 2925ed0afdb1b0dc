"""A team's journey in real terminals (tmux): the IC's pmtui on one clone, a
responder's `pmtui log` on another, a manager's `pmtui view` on a third."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmtui.core.fold import load_whole
from tests.team import pmtui, start_team, team_env
from tests.test_e2e_tmux import PMTUI, Terminal, pytestmark

__all__ = ["pytestmark", "team_env"]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    term.socket = f"h6-team-{uuid.uuid4().hex[:8]}"  # a tmux server of this test's own
    yield term
    term.close()


def test_three_clones_see_each_other_within_seconds(
    terminal: Terminal, tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, c) = start_team(tmp_path, team_env)
    terminal.start("ic", f"LOGNAME=ana {PMTUI} {a}")
    terminal.wait_for("ic", "synced ", timeout=30)
    # a responder on another laptop
    assert pmtui("log", str(b), "restarted the pods", env=team_env, user="bo").returncode == 0
    assert pmtui("sync", str(b), env=team_env, user="bo").returncode == 0
    shown = terminal.wait_for("ic", "restarted the pods", timeout=30)
    assert "bo · restarted the pods" in shown
    terminal.wait_for("ic", "also here: bo", timeout=30)
    # a manager watching from a third: what they type reaches the IC, by git
    terminal.start("view", f"LOGNAME=cy {PMTUI} view {c}")
    terminal.wait_for("view", "restarted the pods")
    terminal.type("view", "customers told on the status page")
    terminal.wait_for("ic", "cy · customers told on the status page", timeout=30)
    terminal.keys("view", "C-q")
    terminal.keys("ic", "C-q")
    assert "EXIT=0" in terminal.wait_for("ic", "EXIT=")
    texts = [e.text for e in load_whole(a).timeline]
    assert texts[-2:] == ["restarted the pods", "customers told on the status page"]
