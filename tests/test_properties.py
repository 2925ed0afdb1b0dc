"""Any text survives save -> load exactly, and the export keeps its shape."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.core import store, writer
from pmtui.core.export import export_markdown
from pmtui.core.model import Incident, TimelineEntry
from tests.conftest import NOW
from tests.mdcheck import SECTIONS, parse

# every code point but lone surrogates, which the model replaces on entry
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
TRICKY = st.sampled_from(
    [
        '"""',
        "'''",
        "|",
        "\\",
        "\n",
        "\r\n",
        "\r",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "```",
        "<",
        "&",
        "#",
        "- ",
    ]
)
MIXED = st.lists(st.one_of(TEXT, TRICKY), max_size=6).map("".join)
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
settings.register_profile("pmtui", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pmtui")


@given(
    title=MIXED.filter(lambda t: t.strip()),
    texts=st.lists(st.tuples(MIXED, MOMENTS), max_size=8),
    free=MIXED,
    zone=st.sampled_from(["GMT", "Africa/Nairobi", "America/St_Johns", "Asia/Kathmandu"]),
)
def test_any_text_round_trips(tmp_path_factory, title, texts, free, zone):
    incident = Incident(title=title, timezone=zone, started_at=NOW, root_cause=free, summary=free)
    for text, moment in texts:
        incident.add_entry(text, moment)
        incident.add_action(text or "x", owner=text or None)
    path = tmp_path_factory.mktemp("prop") / "inc.toml"
    store.write_atomic(path, store.dumps(incident).encode("utf-8"))
    again = store.load(path)
    assert again.model_dump() == incident.model_dump()


@given(texts=st.lists(MIXED, min_size=1, max_size=10), free=MIXED)
def test_export_keeps_one_item_per_entry(texts, free):
    incident = Incident(title="t", timezone="GMT", started_at=NOW, root_cause=free, impact=free)
    for offset, text in enumerate(texts):
        incident.add_entry(text, NOW + timedelta(minutes=offset))
        incident.add_action(text or "x", owner=text)
    parsed = parse(export_markdown(incident))
    assert len(parsed.timeline_items) == len(texts)
    titles = [t for level, t in parsed.headings if level == 2]
    for section in SECTIONS:
        assert section in titles
    assert all(len(set(table)) == 1 for table in parsed.tables)
    if "<" not in free:  # the free text may hold the IC's own HTML; nothing else may
        assert set(parsed.html) <= {"<br>"}


@given(
    text=MIXED,
    author=st.none() | MIXED,
    moment=MOMENTS,
    zone=st.sampled_from(["GMT", "Africa/Nairobi", "Asia/Kathmandu"]),
)
def test_fast_entry_block_matches_tomli_w(text, author, moment, zone):
    from zoneinfo import ZoneInfo

    import tomli_w

    entry = TimelineEntry(id="t1", at=moment, text=text, author=author)
    tz = ZoneInfo(zone)
    slow = "\n[[timeline]]\n" + tomli_w.dumps(writer._table(entry.model_dump(), tz))
    assert store.entry_block(entry, tz) == slow


OPS = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "retime", "reword"]), st.integers(0, 10**6)),
    max_size=40,
)


def edit(incident: Incident, op: str, n: int) -> str | None:
    """Apply one of OPS to the incident; the id of an entry removed, if one was."""
    ids = [entry.id for entry in incident.timeline]
    if op == "add" or not ids:
        incident.add_entry(f"e{n}", NOW + timedelta(seconds=n % 50))
    elif op == "remove":
        return incident.remove_entry(ids[n % len(ids)]).id
    elif op == "retime":
        incident.replace_entry(ids[n % len(ids)], at=NOW + timedelta(seconds=n % 50))
    else:
        incident.replace_entry(ids[n % len(ids)], text=f"r{n}")
    return None


@given(OPS)
def test_index_of_agrees_with_a_walk_through_any_edits(ops):
    incident = Incident(title="x", started_at=NOW)
    gone: list[str] = []
    for op, n in ops:
        removed = edit(incident, op, n)
        if removed is not None:
            gone.append(removed)
        for walked, entry in enumerate(incident.timeline):
            assert incident.index_of(entry.id) == walked
        for entry_id in gone:
            with pytest.raises(KeyError):
                incident.index_of(entry_id)


@given(OPS, st.integers(1, 5))
def test_the_paged_writer_matches_a_fresh_render_through_any_edits(ops, page):
    incident = Incident(title="x", started_at=NOW)
    kept = writer.TomlWriter(page=page)
    for op, n in ops:
        edit(incident, op, n)
        snap = store.snapshot(incident)
        assert b"".join(kept.render_chunks(snap)) == writer.TomlWriter().render_bytes(snap)
