"""The IC's tools in a real terminal: roles, an update sent, a handover, the postmortem."""

from __future__ import annotations

import time
from pathlib import Path

from pmtui.core import store
from pmtui.core.model import EntryKind
from tests.test_e2e_tmux import PMTUI, Terminal, pytestmark, terminal

__all__ = ["pytestmark", "terminal"]  # the fixture and the skip come from the tmux journeys


def test_roles_an_update_and_a_handover_reach_the_postmortem(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start(
        "ic",
        f"{PMTUI} new 'Checkout returns 500' --file inc.toml --timezone UTC --severity SEV1 "
        "--commander Chris --update-cmd 'cat > sent.txt'",
    )
    terminal.wait_for("ic", "What is happening?")
    terminal.type("ic", "/role comms Ana")
    terminal.wait_for("ic", "Ana joined as comms")
    terminal.type("ic", "/join Ben")
    terminal.wait_for("ic", "Ben joined")
    terminal.wait_for("ic", "Next update in 29:")  # SEV1: every 30 minutes

    terminal.type("ic", "/update")
    terminal.wait_for("ic", "Stakeholder update · ctrl+s sends")
    terminal.wait_for("ic", "[DETECTED] Checkout returns 500 (SEV1)")
    terminal.keys("ic", "C-s")
    terminal.wait_for("ic", "Update sent: logged as")
    terminal.wait_for("ic", "piped to `cat > sent.txt`")

    terminal.type("ic", "/handover Dana")
    terminal.wait_for("ic", "Handover brief · ctrl+s copies")
    terminal.wait_for("ic", "Commander: Dana (from Chris)")
    terminal.keys("ic", "C-s")
    terminal.wait_for("ic", "IC          Dana")
    time.sleep(0.3)
    terminal.keys("ic", "C-q")
    shown = terminal.wait_for("ic", "EXIT=")
    assert "EXIT=0" in shown

    incident = store.load(tmp_path / "inc.toml")
    assert incident.commander == "Dana"
    assert [(p.name, p.role) for p in incident.responders] == [
        ("Ana", "comms"),
        ("Ben", None),
        ("Chris", None),  # the commander named at `pmtui new`, handed over
        ("Dana", "commander"),
    ]
    update = next(e for e in incident.timeline if e.kind is EntryKind.COMMS)
    assert update.text.startswith("[DETECTED] Checkout returns 500 (SEV1)")
    assert incident.updates.last_sent == update.at
    sent = (tmp_path / "sent.txt").read_text("utf-8")
    assert sent == update.text + "\n" == (tmp_path / "inc.last-update.md").read_text("utf-8")

    markdown = (tmp_path / "inc.md").read_text("utf-8")
    assert "**Incident commander:** Dana" in markdown
    assert "Comms: \\[DETECTED\\] Checkout returns 500 (SEV1)" in markdown  # the update, whole
    assert "Next update by" in markdown.split("## Timeline")[1]
    for line in ("Ana joined as comms", "Ben joined", "Handover: Chris hands command to Dana"):
        assert f": {line}\n" in markdown
    # the export's Responders section (h3's template): each responder with their role
    section = markdown.split("## Responders")[1].split("\n## ")[0]
    assert "| Ana | comms |" in section
    assert "| Ben | — |" in section
    assert "| Chris | — |" in section
    assert "| Dana | commander |" in section
