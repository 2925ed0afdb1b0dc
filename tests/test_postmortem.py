"""A postmortem a team can send as is: every section, tickets, links, templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from markdown_it.token import Token

from pmtui.core import store
from pmtui.core.errors import LoadError
from pmtui.core.export import export_markdown, load_export_template, postmortem_context
from pmtui.core.fastload import read_timeline, split_timeline, timeline_end
from pmtui.core.mdtext import link, titled_link
from pmtui.core.model import POSTMORTEM_TEXTS, DetectedBy, EntryKind
from pmtui.core.session import InputError, Session
from tests.conftest import NOW, PAYME, RAPPI, ROOT, SAMPLES
from tests.mdcheck import PARSER, SECTIONS, parse
from tests.test_fastload import slow_parse
from tests.test_import_hygiene import _modules_after

FULL = SAMPLES / "full-postmortem.toml"
GOLDEN = ROOT / "tests" / "golden" / "full-postmortem.md"
BUILT_IN = ROOT / "pmtui" / "core" / "templates" / "postmortem.md.j2"
NEW_HEADINGS = [
    "Trigger",
    "Contributing factors",
    "Detection",
    "Lessons learned",
    "Supporting links",
]
# tickets and links no character may break, and one that must never be a link
NASTY_URLS = [
    "https://x.example/a_(b))",
    "https://x.example/[x]](y)|z",
    "https://x.example/?a=1&b=2&amp;c",
    "https://x.example/`code`*em*_x_",
    "https://x.example/<script>alert(1)</script>",
    "https://x.example/a\\b#frag",
]


def hrefs(markdown: str) -> list[str]:
    tokens: list[Token] = []
    for token in PARSER.parse(markdown):
        tokens += token.children or []
    return [str(t.attrs["href"]) for t in tokens if t.type == "link_open"]


def test_full_incident_golden():
    text = export_markdown(store.load(FULL))
    if os.environ.get("PMTUI_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_full_incident_parses_with_every_section_in_order():
    incident = store.load(FULL)
    parsed = parse(export_markdown(incident))
    titles = [t for level, t in parsed.headings if level == 2]
    assert [t for t in titles if t in SECTIONS + NEW_HEADINGS] == [
        "Issue summary",
        "Root cause",
        "Trigger",
        "Contributing factors",
        "Detection",
        "Resolution and recovery",
        "Corrective and preventive measures",
        "Lessons learned",
        "Key metrics",
        "Supporting links",
    ]
    lessons = [t for level, t in parsed.headings if level == 3]
    assert lessons == ["What went well", "What went wrong", "Where we got lucky"]
    assert len(parsed.timeline_items) == len(incident.timeline)
    assert parsed.html == []
    assert all(len(set(table)) == 1 for table in parsed.tables)
    assert parsed.tables[0][0] == 6  # the Ticket column, as one action has a ticket


def test_the_full_incident_reads_like_the_seeds():
    text = export_markdown(store.load(FULL))
    facts, lead_in = text.split("\n\n")[1:3]
    assert facts.startswith("**Date:**") and lead_in.startswith("On Saturday 21 November")
    assert text.rstrip().endswith("The Rappi Orders team")  # the closing ends it, as in the seeds
    assert "- **Noticed by:** An alert" in text
    assert "- **Detection entry:** 7:39 PM: Purchase Checker alerts" in text
    assert "[jira.example.com/browse/OPS-1432](https://jira.example.com/browse/OPS-1432)" in text
    assert "| Done | DB-77 |" in text  # a ticket key is text, not a link
    assert "- [Orders API dashboard](https://grafana.example.com/d/orders-api?" in text


@pytest.mark.parametrize("path", [RAPPI, PAYME], ids=["rappi", "payme"])
def test_an_incident_without_the_new_sections_has_none_of_them(path):
    parsed = parse(export_markdown(store.load(path)))
    titles = [t for _, t in parsed.headings]
    assert not set(titles) & {*NEW_HEADINGS, "Responders", "What went well"}


@pytest.mark.parametrize(
    ("field", "value", "heading"),
    [
        ("trigger", "a deploy", "Trigger"),
        ("contributing_factors", "no canary", "Contributing factors"),
        ("detection", "a customer tweeted", "Detection"),
        ("detected_by", DetectedBy.CUSTOMER, "Detection"),
        ("went_well", "paging", "Lessons learned"),
        ("went_wrong", "rollback", "Lessons learned"),
        ("got_lucky", "quiet night", "Lessons learned"),
        ("links", ["https://example.com"], "Supporting links"),
    ],
)
def test_each_section_appears_alone_when_written(incident, field, value, heading):
    setattr(incident, field, value)
    titles = [t for _, t in parse(export_markdown(incident)).headings]
    assert heading in titles
    assert [t for t in titles if t in NEW_HEADINGS] == [heading]


def test_lead_in_and_closing_are_paragraphs_around_the_rest(incident):
    incident.lead_in = "We are sorry."
    incident.closing = "Sincerely,\n\nThe team"
    text = export_markdown(incident)
    assert text.index("We are sorry.") < text.index("## Issue summary")
    assert text.endswith("## Key metrics\n" + text.split("## Key metrics\n")[1])
    assert text.endswith("\n\nSincerely,\n\nThe team\n")


def test_a_section_cannot_swallow_the_ones_after_it(incident):
    for name in POSTMORTEM_TEXTS:
        setattr(incident, name, f"{name}\n```\nunclosed <pre>")
    incident.links = ["```", "<script>x</script>"]
    parsed = parse(export_markdown(incident))
    titles = [t for level, t in parsed.headings if level == 2]
    for heading in [*SECTIONS, *NEW_HEADINGS]:
        assert heading in titles
    assert not any("script" in html for html in parsed.html)


@pytest.mark.parametrize("url", NASTY_URLS)
def test_a_ticket_is_a_link_that_nothing_in_it_breaks(incident, url):
    incident.add_action("fix | it [now]", ticket=url)
    incident.add_action("second")
    text = export_markdown(incident)
    parsed = parse(text)
    assert hrefs(text) == [PARSER.normalizeLink(url)]
    assert all(len(set(table)) == 1 for table in parsed.tables)
    assert parsed.tables[0][0] == 6
    assert parsed.html == []


@pytest.mark.parametrize("url", NASTY_URLS)
def test_a_supporting_link_that_nothing_in_it_breaks(incident, url):
    incident.links = [f"The *dash* [board] {url}", url]
    text = export_markdown(incident)
    assert hrefs(text) == [PARSER.normalizeLink(url)] * 2
    assert parse(text).html == []
    assert "- [The \\*dash\\* \\[board\\]](" in text


@pytest.mark.parametrize("ticket", ["javascript:alert(1)", "data:text/html,x", "OPS-1 <b>"])
def test_what_is_not_a_web_address_is_never_a_link(ticket):
    assert "](" not in link(ticket, ticket)
    assert "](" not in titled_link(f"Click {ticket}")
    assert "<b>" not in link(ticket, ticket)


def test_the_detection_entry_named_is_the_first_detection(incident):
    incident.detected_by = DetectedBy.STAFF
    incident.add_entry("later alert", NOW + timedelta(minutes=9), EntryKind.DETECTION)
    incident.add_entry("first | <b>alert</b>", NOW + timedelta(minutes=2), EntryKind.DETECTION)
    incident.add_entry("just a note", NOW + timedelta(minutes=1))
    text = export_markdown(incident)
    assert "- **Noticed by:** Staff\n" in text
    assert "- **Detection entry:** 8:32 PM: first \\| &lt;b&gt;alert&lt;/b&gt;\n" in text


def test_responders_have_a_section_when_there_are_some(incident):
    assert postmortem_context(incident)["responders"] == []
    incident.responders = [  # the shape the model's responders list has (name, role, times)
        SimpleNamespace(name="Ana", role="comms", joined=NOW, left=None),
        SimpleNamespace(name="B|en", role=None, joined=None, left=NOW + timedelta(days=1)),
    ]
    text = export_markdown(incident)
    parsed = parse(text)
    assert "Responders" in [t for _, t in parsed.headings]
    assert "| Ana | comms | 8:30 PM | — |" in text
    assert "| B\\|en | — | — | Sun 22 Nov, 8:30 PM |" in text
    assert all(len(set(table)) == 1 for table in parsed.tables)


# -- the file -----------------------------------------------------------------


def test_the_new_keys_round_trip_byte_for_byte_through_both_readers():
    text = FULL.read_text()
    assert "lead_in = " in text and "ticket = " in text and "links = [" in text
    incident = store.parse(text, FULL)
    _, start = split_timeline(text)
    assert read_timeline(text, start, incident.zone, timeline_end(text, start)) is not None
    assert incident.model_dump() == slow_parse(text).model_dump()
    assert store.dumps(incident) == text
    assert incident.detected_by is DetectedBy.ALERT
    assert incident.actions[0].ticket == "https://jira.example.com/browse/OPS-1432"


@pytest.mark.parametrize("path", [RAPPI, PAYME], ids=["rappi", "payme"])
def test_an_old_file_is_written_as_before(path):
    """No new key appears in a file that had none: old files stay as they were."""
    written = store.dumps(store.load(path))
    for key in (*POSTMORTEM_TEXTS, "detected_by", "links", "ticket"):
        assert f"\n{key} =" not in written
    assert store.dumps(store.parse(written, path)) == written


def test_undo_takes_back_the_new_sections(incident):
    session = Session(incident, clock=lambda: NOW)
    session.update_head({"trigger": "a deploy", "links": ["https://x.example"]})
    assert incident.trigger == "a deploy"
    session.undo()
    assert (incident.trigger, incident.links) == ("", [])


def test_action_command_takes_a_ticket_in_any_order(incident):
    session = Session(incident, clock=lambda: NOW)
    session.log("/action Cap the pool ticket:https://t.example/OPS-9 @db due:2026-12-01")
    session.log("/prevent Add canary @ana ticket:OPS-10")
    session.log("/action Read the ticket: it is long")
    first, second, third = incident.actions
    assert (first.text, first.owner, first.ticket) == (
        "Cap the pool",
        "db",
        "https://t.example/OPS-9",
    )
    assert first.due is not None
    assert (second.text, second.owner, second.ticket) == ("Add canary", "ana", "OPS-10")
    assert (third.text, third.ticket) == ("Read the ticket: it is long", None)
    with pytest.raises(InputError):
        session.log("/action ticket:OPS-1")


# -- templates ----------------------------------------------------------------


def test_the_app_starts_without_the_template_engine():
    """Jinja2 costs ~50 ms to import: the export loads it, the app's start does not."""
    loaded = _modules_after("import pmtui.app, pmtui.core.export")
    assert "pmtui.core.export" in loaded and "jinja2" not in loaded


def test_the_built_in_template_file_is_the_default_export():
    incident = store.load(FULL)
    assert export_markdown(incident, template=load_export_template(BUILT_IN)) == (
        export_markdown(incident)
    )


def run_export(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pmtui", "export", *args], capture_output=True, text=True, env=env
    )


def test_export_with_a_users_template(tmp_path):
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "# {{ title }} ({{ severity }})\n{% for a in actions %}\n* {{ a.text }} {{ a.ticket }}\n"
        "{% endfor %}\n{{ timeline | length }} entries, {{ duration }}\n"
    )
    target = tmp_path / "full.toml"
    shutil.copy(FULL, target)
    result = run_export(str(target), "--template", str(template))
    assert result.returncode == 0, result.stderr
    out = (tmp_path / "full.md").read_text()
    assert out.startswith("# Rappi Orders API purchase mismatch (SEV1)\n* Disable")
    assert "](https://jira.example.com/browse/OPS-1432)" in out
    assert out.endswith("6 entries, From 7:32 PM to 8:14 PM GMT, 42 minutes.\n")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("# {{ title }}\n{% for x in timeline %}\n{{ x.when }\n", "line 3: unexpected '}'"),
        ("# {{ title }}\n\n{{ no_such_thing }}\n", "line 3: 'no_such_thing' is undefined"),
        ("{{ title }}\n{{ timeline[0].nope.deeper }}\n", "line 2:"),
        ("{{ 1 // 0 }}\n", "line 1: integer division or modulo by zero"),
    ],
)
def test_a_bad_template_is_one_line_exit_2_and_nothing_written(tmp_path, body, says):
    template = tmp_path / "bad.md.j2"
    template.write_text(body)
    target = tmp_path / "full.toml"
    shutil.copy(FULL, target)
    out = tmp_path / "full.md"
    out.write_text("the last good export\n")
    result = run_export(str(target), "--template", str(template))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"pmtui: {template}, ") and says in result.stderr
    assert result.stdout == ""
    assert out.read_text() == "the last good export\n"


def test_a_missing_template_is_one_line_and_exit_2(tmp_path):
    result = run_export(str(RAPPI), "--template", str(tmp_path / "nope.j2"), "-o", "-")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"pmtui: {tmp_path / 'nope.j2'}: No such file or directory\n"


def test_the_app_compiles_the_built_in_template_after_first_paint():
    """An upgrade while pmtui runs removes the old template file: the one the
    postmortem at quit needs is read on the preload thread, after first paint."""
    from pmtui.core.export import built_in_template
    from pmtui.loading import preload

    built_in_template.cache_clear()
    preload(()).join()
    assert built_in_template.cache_info().currsize == 1


def test_hand_written_sections_are_read_and_mistakes_named(tmp_path):
    head = "schema = 1\n[incident]\ntitle = 't'\ntimezone = 'GMT'\n"
    head += "started_at = 2026-11-21T19:32:00Z\n"
    path = tmp_path / "inc.toml"
    path.write_text(head + 'links = "https://status.example/1"\n')
    assert store.load(path).links == ["https://status.example/1"]
    path.write_text(head + 'detected_by = "pager"\n')
    with pytest.raises(LoadError, match=r"incident\.detected_by: must be one of alert, customer"):
        store.load(path)
    path.write_text(head + "links = [1, 2]\n")
    with pytest.raises(LoadError, match=r"incident\.links\.0: "):
        store.load(path)


def test_a_todo_line_takes_a_ticket_too(incident):
    session = Session(incident, clock=lambda: NOW)
    session.log("TODO page the DBA ticket:https://t.example/OPS-3 @ana")
    (item,) = incident.actions
    assert (item.text, item.owner, item.ticket) == (
        "page the DBA",
        "ana",
        "https://t.example/OPS-3",
    )
    text = export_markdown(incident)
    assert "Action item added: page the DBA (owner ana, ticket https://t.example/OPS-3)" in text
