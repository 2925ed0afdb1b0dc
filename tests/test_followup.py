"""Marking an action done from outside its incident changes that item alone."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pmtui.core.followup import set_action_done


def test_the_files_other_tables_survive_marking_an_action_done(tmp_path: Path) -> None:
    """A file with another tool's table and the journal's folded offsets: both stay,
    or the journal lines already in the TOML would be folded in again."""
    path = tmp_path / "inc.toml"
    path.write_text(
        'schema = 1\n[incident]\ntitle = "x"\ntimezone = "GMT"\n'
        "started_at = 2026-11-21T08:19:00Z\n"
        '[tooling]\nbridge = "zoom"\n'
        '[journal.folded]\n"ana@box.jsonl" = 181\n'
        '[[actions]]\nid = "a1"\ntext = "add an alert"\n'
    )
    said = set_action_done(path, "a1", True)
    assert said == f"a1 in {path} marked done"
    data = tomllib.loads(path.read_text())
    assert data["actions"][0]["status"] == "done"
    assert data["tooling"] == {"bridge": "zoom"}
    assert data["journal"]["folded"] == {"ana@box.jsonl": 181}
