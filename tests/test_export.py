import os
from datetime import timedelta
from pathlib import Path

import pytest

from pmtui.core import store
from pmtui.core.export import contain_block, escape_inline, export_markdown
from pmtui.core.model import EntryKind, Incident, Status
from tests.conftest import NOW, PAYME, RAPPI
from tests.mdcheck import SECTIONS, parse

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("path", [RAPPI, PAYME], ids=["rappi", "payme"])
def test_golden_markdown(path):
    text = export_markdown(store.load(path))
    golden = GOLDEN / (path.stem + ".md")
    if os.environ.get("PMTUI_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("path", [RAPPI, PAYME], ids=["rappi", "payme"])
def test_structure_of_samples(path):
    incident = store.load(path)
    parsed = parse(export_markdown(incident))
    titles = [t for level, t in parsed.headings if level == 2]
    for section in SECTIONS:
        assert section in titles
    assert parsed.headings[0] == (1, f"Postmortem: {incident.title}")
    assert any(t.startswith("Timeline (all times ") for t in titles)
    assert len(parsed.timeline_items) == len(incident.timeline)
    for item, entry in zip(parsed.timeline_items, incident.timeline, strict=True):
        assert entry.text in item
    for table in parsed.tables:
        assert len(set(table)) == 1, table


def test_seed_phrases():
    text = export_markdown(store.load(RAPPI))
    assert "From 7:32 PM to 8:14 PM GMT, 42 minutes." in text
    assert "## Timeline (all times GMT, UTC+0)" in text
    assert "- 7:39 PM: Detection: Purchase Checker alerts" in text
    text = export_markdown(store.load(PAYME))
    assert "From 8:19 AM to 9:30 AM EAT, 1 hour 11 minutes." in text
    assert "| Restrict the number of people" in text and "| Done |" in text


def test_open_incident_says_so(incident):
    text = export_markdown(incident, now=NOW + timedelta(minutes=25))
    assert "not yet resolved (25 minutes so far)" in text
    assert "**Status:** Detected" in text


def test_past_midnight_shows_the_date_where_the_day_changes():
    start = NOW.replace(hour=23, minute=40)
    incident = Incident(title="late", timezone="GMT", started_at=start)
    incident.add_entry("before", start + timedelta(minutes=5))
    incident.add_entry("after midnight", start + timedelta(minutes=30))
    incident.add_entry("same day again", start + timedelta(minutes=31))
    incident.set_status(Status.RESOLVED, start + timedelta(minutes=50))
    text = export_markdown(incident)
    assert "- 11:45 PM: before" in text
    assert "- Sun 22 Nov, 12:10 AM: after midnight" in text
    assert "- 12:11 AM: same day again" in text
    assert "From 11:40 PM on Sat 21 Nov to 12:30 AM on Sun 22 Nov GMT, 50 minutes." in text


def test_user_text_cannot_add_structure(incident):
    incident.title = "<b>Big</b> # outage | & co"
    incident.add_entry("line one\n# heading\n- item\n<script>x</script> | `code`", NOW)
    incident.add_entry("second", NOW + timedelta(minutes=1))
    incident.add_action("fix | it\nnow <img src=x>", owner="a|b")
    parsed = parse(export_markdown(incident))
    # the entry's later lines are a code block under its item; the cell's is a <br>
    assert parsed.html == ["<br>"]
    assert [level for level, _ in parsed.headings].count(1) == 1
    assert len(parsed.timeline_items) == 2
    for table in parsed.tables:
        assert len(set(table)) == 1


def test_unclosed_fence_cannot_swallow_later_sections(incident):
    incident.root_cause = "It was this:\n```python\nboom()\n"
    incident.resolution = "<pre>\nraw"
    incident.summary = "~~~~\nopen tilde"
    parsed = parse(export_markdown(incident))
    titles = [t for level, t in parsed.headings if level == 2]
    for section in SECTIONS:
        assert section in titles


def test_free_text_markdown_passes_through(incident):
    incident.root_cause = "A **bold** claim.\n\n- one\n- two\n\n```\ncode\n```"
    text = export_markdown(incident)
    assert "A **bold** claim.\n\n- one\n- two\n\n```\ncode\n```" in text
    assert "**Root cause in brief:** A **bold** claim." in text


def test_escape_inline():
    assert escape_inline("a|b") == "a\\|b"
    assert escape_inline("<x> & y") == "&lt;x&gt; &amp; y"
    assert escape_inline("one\ntwo\r\nthree") == "one<br>two<br>three"
    assert escape_inline("Issue #4", heading=True) == "Issue \\#4"


def test_contain_block_closes_only_what_is_open():
    assert contain_block("```\nx\n```") == "```\nx\n```"
    assert contain_block("````\nx\n```") == "````\nx\n```\n````"
    assert contain_block("<!-- note -->") == "<!-- note -->"
    assert contain_block("<!-- never closed") == "&lt;!-- never closed"


def test_a_todo_entry_reads_as_the_action_it_added_and_detections_are_labelled(incident):
    incident.add_entry("TODO: rotate the leaked key @security due:fri", NOW)
    incident.add_entry("todo page the DBA", NOW + timedelta(minutes=1))
    incident.add_entry("Pagers fired", NOW + timedelta(minutes=2), EntryKind.DETECTION)
    incident.add_entry("TODOs are piling up", NOW + timedelta(minutes=3))
    text = export_markdown(incident)
    added = "Action item added: rotate the leaked key (owner security, due 2026-11-27)"
    assert f"- 8:30 PM: {added}" in text
    assert "- 8:31 PM: Action item added: page the DBA\n" in text
    assert "- 8:32 PM: Detection: Pagers fired" in text
    assert "- 8:33 PM: TODOs are piling up" in text
    assert "@security" not in text


def test_a_todo_without_a_task_stays_as_typed(incident):
    incident.add_entry("TODO @ana", NOW)
    assert "- 8:30 PM: TODO @ana" in export_markdown(incident)
