"""The two DST nights in Europe/London, with the installed `pmtui` in tmux at a
faked instant (libfaketime; scripts/test.sh installs it)."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmtui.core import store
from tests.test_e2e_tmux import PMTUI, Terminal, terminal  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(
    shutil.which("faketime") is None or shutil.which("tmux") is None or not PMTUI.exists(),
    reason="needs faketime, tmux and the installed pmtui (scripts/test.sh installs them)",
)


def at(instant: str, command: str) -> str:
    """`command` run with the clock starting at `instant` (UTC) and ticking on."""
    return (
        f"env TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '@{instant}' "
        f"env TZ=Europe/London {command}"
    )


def new_incident(term: Terminal, instant: str) -> None:
    term.start("new", at(instant, f'{PMTUI} new "DST night" --file inc.toml --no-open'))
    term.wait_for("new", "EXIT=0")


def test_on_the_night_the_clocks_go_back_0140_is_five_minutes_ago(
    terminal: Terminal,  # noqa: F811
    tmp_path: Path,
) -> None:
    new_incident(terminal, "2026-10-25 00:20:00")  # 01:20 BST; TZ names the zone
    assert store.load(tmp_path / "inc.toml").timezone == "Europe/London"
    terminal.start("ic", at("2026-10-25 01:45:00", f"{PMTUI} inc.toml"))  # 01:45 GMT
    terminal.wait_for("ic", "What is happening?")
    terminal.type("ic", "01:40 error rate back up")
    terminal.wait_for("ic", "error rate back up")
    terminal.keys("ic", "C-q")
    terminal.wait_for("ic", "EXIT=0")
    incident = store.load(tmp_path / "inc.toml")
    [entry] = [e for e in incident.timeline if e.text == "error rate back up"]
    assert entry.at == datetime(2026, 10, 25, 1, 40, tzinfo=UTC)  # 01:40 GMT, not BST
    markdown = (tmp_path / "inc.md").read_text()
    assert "- 1:40 AM GMT: error rate back up" in markdown
    assert "then GMT, UTC+0 where marked" in markdown


def test_a_time_the_clocks_jumped_over_is_refused_and_kept(
    terminal: Terminal,  # noqa: F811
    tmp_path: Path,
) -> None:
    new_incident(terminal, "2026-03-29 00:50:00")  # 00:50 GMT
    terminal.start("ic", at("2026-03-29 01:10:00", f"{PMTUI} inc.toml"))  # 02:10 BST
    terminal.wait_for("ic", "What is happening?")
    terminal.type("ic", "01:30 db failover")
    terminal.wait_for("ic", "did not exist")
    assert "01:30 db failover" in terminal.screen("ic")  # still in the bar
    incident = store.load(tmp_path / "inc.toml")
    assert [e.text for e in incident.timeline] == ["Incident declared"]
    terminal.keys("ic", "C-u")
    for _ in range(50):  # the bar emptied
        if "01:30 db failover" not in terminal.screen("ic"):
            break
        time.sleep(0.1)
    terminal.type("ic", "-40m db failover")
    terminal.wait_for("ic", "Backdated to 00:30")
    terminal.keys("ic", "C-q")
    terminal.wait_for("ic", "EXIT=0")
    incident = store.load(tmp_path / "inc.toml")
    assert [e.text for e in incident.timeline] == ["db failover", "Incident declared"]
    entry = incident.timeline[0]
    # 40 minutes before the moment typing began (the faked clock ticks on): that morning
    assert (
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
        <= entry.at
        < datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    )
    assert incident.started_at == entry.at  # logged before the start: the start follows
