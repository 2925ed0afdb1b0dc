"""The fast timeline reader gives exactly what tomli + pydantic give."""

from datetime import timedelta

import tomli
from hypothesis import given
from hypothesis import strategies as st

from pmtui.core import store
from pmtui.core.fastload import read_timeline, split_timeline, timeline_end
from pmtui.core.model import Incident, TimelineEntry
from tests.conftest import NOW, PAYME, RAPPI
from tests.test_properties import MIXED, MOMENTS


def slow_parse(text: str) -> Incident:
    """The reference: the file through tomli and full validation only."""
    data = tomli.loads(text)
    table = data["incident"]
    table["timeline"] = data.get("timeline", [])
    table["actions"] = data.get("actions", [])
    return Incident.model_validate(table)


@given(
    texts=st.lists(st.tuples(MIXED, st.none() | MIXED, MOMENTS), min_size=1, max_size=8),
    zone=st.sampled_from(["GMT", "Africa/Nairobi", "America/St_Johns", "Europe/London"]),
)
def test_fast_path_equals_tomli_and_pydantic(texts, zone):
    incident = Incident(title="t", timezone=zone, started_at=NOW)
    for text, author, moment in texts:
        incident.add_entry(text, moment, author=author)
    text = store.dumps(incident)
    fast = store.parse(text, "x")
    slow = slow_parse(text)
    assert fast.model_dump() == slow.model_dump()
    assert fast.timeline == slow.timeline
    for a, b in zip(fast.timeline, slow.timeline, strict=True):
        assert a.model_fields_set == b.model_fields_set
        assert a.model_extra == b.model_extra
        assert hash(a) == hash(b) and a == b
        assert a.model_copy(update={"text": "x"}).text == "x"
        assert TimelineEntry.model_validate(a.model_dump()) == a


def test_samples_take_the_fast_path_and_stay_equal():
    for path in (RAPPI, PAYME):
        text = store.dumps(store.load(path))  # pmtui's own shape
        _, start = split_timeline(text)
        assert read_timeline(text, start, store.load(path).zone) is not None
        assert store.parse(text, "x").model_dump() == slow_parse(text).model_dump()


def test_hand_edits_read_fast_and_equal_tomli():
    incident = Incident(title="t", timezone="GMT", started_at=NOW)
    incident.add_entry("a", NOW)
    incident.add_entry("b", NOW + timedelta(minutes=1))
    text = store.dumps(incident)
    edits = [
        text.replace('text = "a"', 'text = "a"  # a comment'),
        text.replace('text = "a"', "text = 'a'"),
        text.replace('kind = "note"\ntext = "b"', 'text = "b"\nkind = "note"'),
        text.replace("+00:00", "Z"),
        text + "\n[extra]\nx = 1\n",
    ]
    for edited in edits:
        _, start = split_timeline(edited)
        end = timeline_end(edited, start)
        assert read_timeline(edited, start, incident.zone, end) is not None, edited
        assert store.parse(edited, "x").model_dump() == slow_parse(edited).model_dump()
    # JSON reads \/, TOML does not: the whole file goes to tomli, which refuses it
    edited = text.replace('text = "b"', 'text = "b\\/"')
    _, start = split_timeline(edited)
    assert read_timeline(edited, start, incident.zone) is None


def test_a_header_inside_free_text_does_not_fool_the_split():
    incident = Incident(
        title="t", timezone="GMT", started_at=NOW, root_cause='see below\n[[timeline]]\nid = "t9"\n'
    )
    incident.add_entry("real", NOW)
    text = store.dumps(incident)
    loaded = store.parse(text, "x")
    assert loaded.root_cause == incident.root_cause
    assert [e.text for e in loaded.timeline] == ["real"]


def test_opening_starts_the_writer_warm(rappi_copy):
    holder = store.IncidentStore(rappi_copy)
    incident = holder.open()
    try:
        canonical = store.dumps(incident)
        rappi_copy.write_text(canonical)
    finally:
        holder.close()
    holder = store.IncidentStore(rappi_copy)
    incident = holder.open()
    try:
        assert len(holder.writer._blocks) == len(incident.timeline)
        assert holder.writer.render(store.snapshot(incident)) == canonical
    finally:
        holder.close()
