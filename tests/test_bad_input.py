"""Bad input: mangled files, hostile text, tiny terminals. One clear line, nothing lost."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui import store
from pmtui.errors import LoadError
from pmtui.export import export_markdown
from pmtui.model import Incident
from pmtui.session import Session
from tests.conftest import NOW, PAYME, RAPPI
from tests.mdcheck import SECTIONS, parse
from tests.tui import open_app, saved, type_text

SAMPLES = [RAPPI.read_bytes(), PAYME.read_bytes()]


def _mutate(data: bytes, how: str, where: int, value: int) -> bytes:
    lines = data.split(b"\n")
    at = where % max(1, len(data))
    line = where % len(lines)
    if how == "byte":
        return data[:at] + bytes([value % 256]) + data[at + 1 :]
    if how == "insert":
        return data[:at] + bytes([value % 256]) + data[at:]
    if how == "cut":
        return data[:at]
    if how == "drop_line":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    if how == "dup_line":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "schema":
        return data.replace(b"schema = 1", b"schema = %d" % (value % 5))
    if how == "dup_ids":
        return data.replace(b'id = "t2"', b'id = "t1"')
    if how == "reverse":
        head, *blocks = data.split(b"\n[[timeline]]\n")
        return b"\n[[timeline]]\n".join([head, *reversed(blocks)])
    if how == "no_offset":
        return data.replace(b"+03:00", b"").replace(b"Z\n", b"\n")
    raise AssertionError(how)


HOW = st.sampled_from(
    [
        "byte",
        "insert",
        "cut",
        "drop_line",
        "dup_line",
        "bom",
        "crlf",
        "schema",
        "dup_ids",
        "reverse",
        "no_offset",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sample=st.sampled_from(SAMPLES),
    steps=st.lists(
        st.tuples(HOW, st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=3
    ),
)
def test_any_mangled_file_loads_or_gives_one_line(tmp_path, sample, steps):
    data = sample
    for how, where, value in steps:
        data = _mutate(data, how, where, value)
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    holder = store.IncidentStore(path)
    try:
        incident = holder.open()
    except LoadError as error:
        message = str(error)
        assert message and "\n" not in message and str(path) in message
    else:
        holder.close()
        assert incident.title
    assert path.read_bytes() == data


HOSTILE = [
    "ctrl \x00\x01\x07\x1b[31m red \x7f",
    "right-to-left \u202e txet \u200f عربى",
    "emoji 🔥🚨 and ZWJ 👩‍💻",
    "quotes \"\"\" triple ''' and | pipes | and \\ backslash",
    "<script>alert(1)</script> & <b>",
    "line one\nline two\r\nline three",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_every_field_is_stored_exactly_and_exported_safely(tmp_path, text):
    incident = Incident(
        title="t " + text,
        timezone="GMT",
        started_at=NOW,
        summary=text,
        impact=text,
        root_cause=text,
        resolution=text,
        commander=text,
    )
    session = Session(incident, clock=lambda: NOW)
    session.log(text.replace("\n", " "), NOW)
    session.log(f"/action {text.replace(chr(10), ' ')} @owner", NOW)
    incident.add_entry(text, NOW + timedelta(seconds=1))
    path = tmp_path / "inc.toml"
    store.write_atomic(path, store.dumps(incident).encode())
    again = store.load(path)
    assert again.model_dump() == incident.model_dump()
    parsed = parse(export_markdown(again))
    assert len(parsed.timeline_items) == 2
    titles = [t for level, t in parsed.headings if level == 2]
    assert all(section in titles for section in SECTIONS)
    assert [level for level, _ in parsed.headings].count(1) == 1
    assert all(len(set(table)) == 1 for table in parsed.tables)


def test_lone_surrogates_are_replaced_once_and_the_ic_is_told():
    incident = Incident(title="t", timezone="GMT", started_at=NOW)
    change = Session(incident).log("bad \udcff byte", NOW)
    assert incident.timeline[-1].text == "bad \ufffd byte"
    assert "replaced" in change.message


async def test_a_one_megabyte_paste_is_stored_exactly(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    big = ('0123456789abcdef|"é🔥 ' * 50000)[:1_000_000]
    async with app.run_test(size=(120, 36)) as pilot:
        await type_text(pilot, big)
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == big.strip()


async def test_resizing_down_to_40x12_and_back_never_crashes(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=(120, 36)) as pilot:
        for size in ((80, 24), (40, 12), (20, 6), (40, 12), (80, 24), (120, 36)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("tab", "down", "shift+tab")
        await type_text(pilot, "after resizing")
        await pilot.press("enter")
        assert (await saved(app, pilot)).timeline[-1].text == "after resizing"


async def test_every_pane_is_usable_at_80x24(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=(80, 24)) as pilot:
        for selector in ("#timeline", "#status", "#actions", "#entry"):
            widget = app.screen.query_one(selector)
            assert widget.region.width >= 20 and widget.region.height >= 1, selector
        timeline = app.screen.query_one("#timeline")
        assert timeline.region.height >= 6
        await pilot.press("tab")
        assert app.focused is timeline
        await pilot.press("tab")
        assert app.focused.id == "actions"
        await pilot.press("ctrl+d")
        assert (await saved(app, pilot)).actions[0].done
