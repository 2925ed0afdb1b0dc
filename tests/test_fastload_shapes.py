"""Any valid schema-1 file takes the fast path, and reads as tomli + pydantic read it.

pmtui writes one shape; a hand, a script or another TOML writer writes the
same entries in others: `T` in datetimes, `Z`, no offset (the incident's
zone), no seconds, more digits, keys in any order, literal strings,
comments, blank lines, indents, CRLF, extra keys of any type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomli
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from pmtui.core import store
from pmtui.core.errors import LoadError
from pmtui.core.fastload import (
    count_tables,
    read_timeline,
    split_timeline,
    tail_start,
    timeline_end,
)
from pmtui.core.model import EntryKind, Incident
from tests.conftest import NOW
from tests.test_properties import MIXED, MOMENTS

ZONES = ["GMT", "Africa/Nairobi", "America/St_Johns", "Europe/London"]
HEADERS = [
    "[[timeline]]",
    "[[ timeline ]]",
    "  [[timeline]]",
    "[[timeline]]  # next",
    "\t[[timeline]]",
]
AFTER = ["\n[[actions]]\nid = 'a9'\ntext = 'call the vendor'\n", "\n[extra]\nrunbook = 'x'\n"]
EXTRAS = ['"from pagerduty"', "'lit'", "3", "true", '["a", "b"]', "{ x = 1 }", '"""\nmulti\n"""']


def reference(text: str) -> Incident:
    """The file through tomli and full validation only, naive times in the zone."""
    data = tomli.loads(text)
    table = data["incident"]
    zone = ZoneInfo(table["timezone"])
    for entry in data.get("timeline", []):
        for key, value in entry.items():
            if isinstance(value, datetime) and value.tzinfo is None:
                entry[key] = value.replace(tzinfo=zone)
    table["timeline"] = data.get("timeline", [])
    table["actions"] = data.get("actions", [])
    for item in table["actions"]:
        item.setdefault("id", "a1")
    return Incident.model_validate(table)


def basic(value: str) -> str:
    return tomli_w.dumps({"k": value})[4:-1]


def moment_text(at: datetime, zone: ZoneInfo, draw: Any) -> str:
    style = draw(st.sampled_from(["offset", "Z", "z", "local"]))
    if style == "local":
        at = at.astimezone(zone).replace(tzinfo=None)
    elif style != "offset":
        at = at.astimezone(UTC).replace(tzinfo=None)
    sep = draw(st.sampled_from(["T", " ", "t"]))
    text = at.strftime(f"%Y-%m-%d{sep}%H:%M")
    if at.second or at.microsecond or draw(st.booleans()):
        text += at.strftime(":%S")
        if at.microsecond or draw(st.booleans()):
            digits = f"{at.microsecond:06d}"
            text += "." + draw(st.sampled_from([digits, digits + "0", digits + "987"]))
    if style == "offset":
        text += at.isoformat()[-6:] if at.utcoffset() else draw(st.sampled_from(["+00:00", "Z"]))
    elif style in "Zz":
        text += style
    return text


def string_text(value: str, draw: Any) -> str:
    literal_ok = all(c == "\t" or (c >= " " and c not in "'\x7f") for c in value)
    if literal_ok and draw(st.booleans()):
        return f"'{value}'"
    return basic(value)


@st.composite
def shaped_file(draw: Any) -> tuple[str, int]:
    """(an incident file's text in some valid shape, how many entries it holds)."""
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    incident = Incident(title="t", timezone=zone_name, started_at=NOW)
    kinds = list(EntryKind)
    for text, author, moment, kind in draw(
        st.lists(
            st.tuples(MIXED, st.none() | MIXED, MOMENTS, st.sampled_from(kinds)),
            min_size=1,
            max_size=6,
        )
    ):
        incident.add_entry(text, moment, kind, author=author)
    head, _ = split_timeline(store.dumps(incident))
    tables = []
    for entry in incident.timeline:
        pairs = [("id", string_text(entry.id, draw)), ("at", moment_text(entry.at, zone, draw))]
        if entry.kind is not EntryKind.NOTE or draw(st.booleans()):
            pairs.append(("kind", string_text(entry.kind.value, draw)))
        if entry.author is not None:
            pairs.append(("author", string_text(entry.author, draw)))
        if entry.text or draw(st.booleans()):
            pairs.append(("text", string_text(entry.text, draw)))
        if draw(st.integers(0, 5)) == 0:
            pairs.append(("source", draw(st.sampled_from(EXTRAS))))
        pairs = draw(st.permutations(pairs))
        lines = [draw(st.sampled_from(HEADERS))]
        for key, value in pairs:
            if draw(st.integers(0, 6)) == 0:
                lines.append(draw(st.sampled_from(["", "# said on the bridge", "   "])))
            space = draw(st.sampled_from([" ", "", "\t", "  "]))
            comment = draw(st.sampled_from(["", "", "", "  # ok", "\t#"]))
            indent = draw(st.sampled_from(["", "", "  "]))
            lines.append(f"{indent}{key}{space}={space}{value}{comment}")
        gap = draw(st.sampled_from(["\n", "\n", "", "\n# page 2\n", "\n\n"]))
        tables.append(gap + "\n".join(lines) + "\n")
    text = head.rstrip("\n") + "\n" + "".join(tables)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["\n", "# the end\n", "\n\n"]))
    text += draw(st.sampled_from(["", "", AFTER[0], AFTER[1], AFTER[0] + AFTER[1]]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, len(incident.timeline)


def same(fast: Incident, slow: Incident) -> None:
    assert fast.model_dump() == slow.model_dump()
    for a, b in zip(fast.timeline, slow.timeline, strict=True):
        assert a.model_fields_set == b.model_fields_set
        assert a.model_extra == b.model_extra
        assert hash(a) == hash(b) and a == b
        assert a.at.utcoffset() == b.at.utcoffset()


@given(shaped_file())
def test_any_shape_reads_fast_and_as_tomli_reads_it(shaped):
    text, count = shaped
    slow = reference(text)
    _, start = split_timeline(text)
    end = timeline_end(text, start)
    found = read_timeline(text, start, slow.zone, end)
    assert found is not None, text  # the fast path took it
    assert len(found[0]) == count
    assert count_tables(text, start, end) == count
    fast, state = store.parse_state(text, "x")
    same(fast, slow)
    # tables after the timeline are kept, and written back
    written, read = tomli.loads(store.dumps(fast, state.extra)), tomli.loads(text)
    for key in read.keys() - {"schema", "incident", "timeline", "actions"}:
        assert written[key] == read[key]
    assert store.parse(store.dumps(fast), "y").model_dump() == slow.model_dump()


@given(shaped_file(), st.integers(1, 4))
def test_any_shape_opens_tail_first_then_whole(tmp_path_factory, shaped, tail):
    text, count = shaped
    path: Path = tmp_path_factory.mktemp("shape") / "inc.toml"
    path.write_bytes(text.encode())
    slow = reference(text)
    _, start = split_timeline(text)
    assert start < tail_start(text, start, tail, timeline_end(text, start)) or tail >= count
    holder = store.IncidentStore(path)
    partial = holder.open(tail=tail)
    try:
        assert partial.timeline == slow.timeline[-tail:]
        if holder.loading:
            assert holder.loading == count
            holder.finish_loading(partial, holder.read_rest(partial))
        same(partial, slow)
        # only tables in pmtui's own shape were handed to the writer as written
        assert holder.writer.render(holder.snapshot(partial)) == store.dumps(
            partial, holder.state.extra
        )
    finally:
        holder.close()


def test_a_t_datetime_file_reads_fast():
    incident = Incident(title="t", timezone="Europe/London", started_at=NOW)
    for n in range(20):
        incident.add_entry(f"alert {n}", NOW)
    text = store.dumps(incident)
    shaped = text.replace(f"{NOW:%Y-%m-%d} ", f"{NOW:%Y-%m-%d}T")
    assert shaped.count("T") > 20
    _, start = split_timeline(shaped)
    found = read_timeline(shaped, start, incident.zone)
    assert found is not None
    assert [e.model_dump() for e in found[0]] == [e.model_dump() for e in incident.timeline]


def test_what_a_table_alone_cannot_settle_still_goes_to_tomli():
    incident = Incident(title="t", timezone="GMT", started_at=NOW)
    incident.add_entry("a", NOW)
    incident.add_entry("b", NOW)
    text = store.dumps(incident)
    _, start = split_timeline(text)
    for edited in [
        text.replace('id = "t2"\n', ""),  # numbered from the whole list
        text.replace('id = "t2"\n', 'id = "t2"\nid = "t3"\n'),  # a key twice
        text + "\n[[actions]]\nid = 'a1'\ntext = 'x'\n",  # another table after
        text.replace('text = "b"', 'text = "b\\/"'),  # JSON reads \/, TOML does not
        text.replace('kind = "note"\ntext = "b"', 'kind = "nope"\ntext = "b"'),
        text.replace('text = "b"', "text = 'b"),
    ]:
        assert read_timeline(edited, start, incident.zone) is None, edited


def test_an_extra_table_in_an_entry_or_an_action_is_written_back_in_place(tmp_path):
    text = (
        'schema = 1\n\n[incident]\ntitle = "t"\ntimezone = "GMT"\n'
        "started_at = 2026-11-21T20:30:00Z\n\n"
        '[[actions]]\nid = "a1"\ntext = "x"\n[actions.jira]\nkey = "OPS-1"\n\n'
        '[[timeline]]\nid = "t1"\nat = 2026-11-21T20:31:00Z\nsource = { tool = "pd" }\n\n'
        '[[timeline]]\nid = "t2"\nat = 2026-11-21T20:32:00Z\n[timeline.source]\ntool = "pd"\n'
    )
    incident = store.parse(text, "x")
    again = store.parse(store.dumps(incident), "y")  # was: "Cannot declare ('source',) twice"
    assert again.model_dump() == incident.model_dump() == reference(text).model_dump()
    assert again.timeline[1].model_extra == {"source": {"tool": "pd"}}
    assert again.actions[0].model_extra == {"jira": {"key": "OPS-1"}}


def reader_reference(text: str) -> Incident | None:
    """What the whole file through tomli + pydantic gives, as the reader reads it; None
    when either refuses it."""
    try:
        data = tomli.loads(text)
        table = data["incident"]
        zone = ZoneInfo(table["timezone"])
        for name, value in table.items():
            if isinstance(value, datetime) and value.tzinfo is None:
                table[name] = value.replace(tzinfo=zone)
        for key in ("timeline", "actions"):
            table[key] = data.get(key, [])
            used = {item["id"] for item in table[key] if "id" in item}
            number = 1
            for item in table[key]:
                for name, value in item.items():
                    if isinstance(value, datetime) and value.tzinfo is None:
                        item[name] = value.replace(tzinfo=zone)
                if "id" not in item:
                    while f"{key[0]}{number}" in used:
                        number += 1
                    item["id"] = f"{key[0]}{number}"
                    used.add(item["id"])
        return Incident.model_validate(table)
    except (ValueError, TypeError, KeyError):
        return None


SIGNIFICANT = ['"', "'", "\n", "\r", "#", "=", " ", "[", "]", "T", "Z", "\\", "x", "0", ":", "."]


@given(
    shaped_file(), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(SIGNIFICANT)), max_size=3)
)
def test_a_mangled_file_of_any_shape_reads_as_tomli_reads_it_or_not_at_all(shaped, edits):
    text, _ = shaped
    _, start = split_timeline(text)
    for where, char in edits:  # within the timeline: a char deleted or one inserted
        at = start + int(where * (len(text) - start - 1))
        text = text[:at] + text[at + 1 :] if char == "x" else text[:at] + char + text[at:]
    expected = reader_reference(text)
    try:
        got: Incident | None = store.parse(text, "x")
    except LoadError:
        got = None
    if expected is None:
        assert got is None, text
    else:
        assert got is not None, text
        same(got, expected)
