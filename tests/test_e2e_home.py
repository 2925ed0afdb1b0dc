"""The home screen in a real terminal (tmux): from the list into an incident and back."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.incident_folder import build
from tests.test_e2e_tmux import PMTUI, Terminal, _pmtui_pid
from tests.test_e2e_tmux import pytestmark as pytestmark  # tmux and the installed pmtui


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_from_the_list_into_an_incident_and_back(terminal: Terminal, tmp_path: Path) -> None:
    build(tmp_path / "incidents")
    terminal.start("home", str(PMTUI))  # no path, in a folder that holds incidents
    terminal.wait_for("home", "6 incidents")
    # typed at full speed from the list: the `n` is a letter of the filter, not "new"
    terminal.type("home", "dns", enter=False)
    shown = terminal.wait_for("home", "1 of 6 incidents")
    assert "DNS flaps in eu-west" in shown and "Checkout returns 500" not in shown
    terminal.keys("home", "Enter")
    terminal.wait_for("home", "Timeline")
    terminal.type("home", "resolver back to normal")
    terminal.keys("home", "C-q")  # quitting the incident comes back to the list
    # the cursor is on the incident just closed (the line under the list names it),
    # once the list is read again (the header comes first: waiting for it raced)
    shown = terminal.wait_for("home", " incidents/2026-10-03-1000-dns-flaps.toml · 43 entries")
    assert "F2 Incidents" in shown
    assert "Postmortem written to" in shown  # what the incident said, as a toast
    terminal.keys("home", "C-q")
    shown = terminal.wait_for("home", "EXIT=0")
    assert "Postmortem written to incidents/2026-10-03-1000-dns-flaps.md" in shown
    assert (tmp_path / "incidents" / "2026-10-03-1000-dns-flaps.md").exists()
    text = (tmp_path / "incidents" / "2026-10-03-1000-dns-flaps.toml").read_text()
    assert "resolver back to normal" in text


def test_a_signal_in_an_incident_opened_from_home_ends_pmtui(
    terminal: Terminal, tmp_path: Path
) -> None:
    """A dropped SSH session or a kill while an incident is open: it is saved as ever,
    and pmtui ends there (no home screen drawn on a terminal that is gone)."""
    build(tmp_path / "incidents")
    terminal.start("home", str(PMTUI))
    terminal.wait_for("home", "6 incidents")
    terminal.keys("home", "Enter")  # the newest: the Rappi orders outage
    terminal.wait_for("home", "Timeline")
    terminal.type("home", "killed mid-sentence", enter=False)
    terminal.wait_for("home", "killed mid-sentence")
    os.kill(_pmtui_pid(terminal, "home"), signal.SIGTERM)
    shown = terminal.wait_for("home", "EXIT=")
    assert "EXIT=0" in shown and "F2 Incidents" not in shown
    text = (tmp_path / "incidents" / "rappi-orders-api.toml").read_text()
    assert "killed mid-sentence" in text  # what was typed is logged, as without home


def test_an_incident_open_elsewhere_is_refused_on_the_home_screen(
    terminal: Terminal, tmp_path: Path
) -> None:
    build(tmp_path / "incidents")
    terminal.start("ic", f"{PMTUI} incidents/rappi-orders-api.toml")  # the IC has it open
    terminal.wait_for("ic", "Timeline")
    terminal.start("home", str(PMTUI))
    terminal.wait_for("home", "6 incidents")
    terminal.keys("home", "Enter")  # the newest: the same Rappi incident
    shown = terminal.wait_for("home", "is open in")  # the toast wraps
    assert f"another pmtui (pid {_pmtui_pid(terminal, 'ic')} on" in shown
    assert "F2 Incidents" in shown  # still on the list


def test_a_filter_and_enter_typed_while_pmtui_starts_open_that_incident(
    terminal: Terminal, tmp_path: Path
) -> None:
    build(tmp_path / "incidents")
    terminal.start("home", str(PMTUI))
    terminal.type("home", "dns")  # before the list is on screen
    terminal.wait_for("home", "Timeline")
    shown = terminal.wait_for("home", "DNS flaps in eu-west")
    assert "F2 Incidents" not in shown
