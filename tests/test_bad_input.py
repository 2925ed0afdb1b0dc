"""Bad input: mangled files, hostile text, tiny terminals. One clear line, nothing lost."""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from pmtui.core import store
from pmtui.core.errors import LoadError
from pmtui.core.export import export_markdown
from pmtui.core.model import Incident
from pmtui.core.session import Session
from tests.conftest import NOW, PAYME, RAPPI
from tests.mdcheck import SECTIONS, parse
from tests.tui import open_app, saved, screen_rows, type_text

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
    if how == "nest":  # past tomli's limit of 400 levels, or within it
        depth = 100 + value * 400
        return data[:at] + b"\ndeep = " + b"[" * depth + b"]" * depth + b"\n" + data[at:]
    if how == "extreme_date":  # a time that cannot be shown in UTC or the zone
        extreme = [b"0001-01-01T00:00:00+14:00", b"9999-12-31T23:59:59-12:00"][value % 2]
        return re.sub(
            rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)?",
            extreme,
            data,
            count=1 + where % 3,
        )
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
        "nest",
        "extreme_date",
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
        await pilot.press("ctrl+d")  # done/open: panes bind no printable key
        assert (await saved(app, pilot)).actions[0].done


ESCAPES = "\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x00\x9b31m\x7f"  # clear, home, OSC 52, NUL, C1 CSI


def _controls(text: str) -> set[str]:
    """Every control character in `text` but newline and tab."""
    return {c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0}


def hostile_incident() -> Incident:
    incident = Incident(
        title="Orders down " + ESCAPES,
        timezone="GMT",
        started_at=NOW,
        commander="Ana " + ESCAPES,
        summary="summary " + ESCAPES,
    )
    incident.add_entry("entry " + ESCAPES, NOW)
    Session(incident, clock=lambda: NOW).add_action(text="fix " + ESCAPES, owner="db" + ESCAPES)
    return incident


async def test_escapes_in_a_file_are_drawn_as_pictures_never_sent_raw(tmp_path):
    path = tmp_path / "inc.toml"
    store.write_atomic(path, store.dumps(hostile_incident()).encode())
    app = open_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        rows = screen_rows(app)
        painted = "\n".join(rows)
        assert _controls(painted) == set(), _controls(painted)
        assert _controls(app.title + app.sub_title) == set()
        assert "Orders down ␛[2J␛[H" in painted  # the title, in the header
        assert "Ana ␛[2J" in painted  # the commander, in the status pane
        assert "fix ␛[2J" in painted and "@db␛[2J" in painted  # the action item
        app.screen.query_one("#timeline").focus()
        await pilot.pause()
        assert _controls("\n".join(screen_rows(app))) == set()  # and the entry's detail


async def test_a_huge_title_is_cut_for_display_but_stored_whole(tmp_path):
    path = tmp_path / "inc.toml"
    title = "T" * 2_000_000
    store.write_atomic(path, store.dumps(Incident(title=title, started_at=NOW)).encode())
    app = open_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        assert len(app.title) <= 300 and app.title.endswith("…")
        await type_text(pilot, "still works")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.title == title and incident.timeline[-1].text == "still works"


@settings(max_examples=200)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])))
def test_no_control_byte_reaches_the_export(text):
    incident = Incident(
        title="t" + text, timezone="GMT", started_at=NOW, commander=text or None, summary=text
    )
    incident.impact = incident.root_cause = incident.resolution = text
    session = Session(incident, clock=lambda: NOW)
    incident.add_entry("e" + text, NOW)
    session.add_action(text="a" + text, owner=text or None)
    markdown = export_markdown(incident, now=NOW)
    assert _controls(markdown) == set()
    assert not {b for b in markdown.encode() if b < 0x20 and b not in b"\n\t"}


def test_export_to_stdout_carries_no_control_bytes(tmp_path, capsysbinary):
    from pmtui.cli import main

    path = tmp_path / "inc.toml"
    store.write_atomic(path, store.dumps(hostile_incident()).encode())
    assert main(["export", str(path), "-o", "-"]) == 0
    out = capsysbinary.readouterr().out
    assert not {b for b in out if b < 0x20 and b not in b"\n\t"} and b"\x7f" not in out
    assert "Orders down ␛\\[2J␛\\[H" in out.decode()  # shown, and Markdown-escaped
    assert store.load(path).title == "Orders down " + ESCAPES  # the file keeps every byte


HEAD = 'schema = 1\n[incident]\ntitle = "x"\ntimezone = "GMT"\nstarted_at = 2026-11-21T19:32:00Z\n'
ENTRY = '\n[[timeline]]\nid = "t1"\nat = 2026-11-21 19:33:00+00:00\nkind = "note"\ntext = "x"\n'
EXTREME = [
    ("nested arrays", HEAD + "deep = " + "[" * 100_000 + "]" * 100_000 + "\n" + ENTRY),
    ("nested tables", HEAD + "deep = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n"),
    ("long key", HEAD + ".".join(["k"] * 20_000) + " = 1\n" + ENTRY),
    ("deep timeline", HEAD + ENTRY + "deep = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("year 1", HEAD.replace("2026-11-21T19:32:00Z", "0001-01-01T00:00:00+14:00")),
    ("year 9999", HEAD.replace("2026-11-21T19:32:00Z", "9999-12-31T23:59:59-12:00")),
    (
        "entry in year 1",
        HEAD + ENTRY.replace("2026-11-21 19:33:00+00:00", "0001-01-01T00:00:00+14:00"),
    ),
    ("resolved in 9999", HEAD + "resolved_at = 9999-12-31T23:59:59-12:00\n"),
    (
        "in a zone",
        HEAD.replace("GMT", "Pacific/Kiritimati").replace(
            "2026-11-21T19:32:00Z", "9999-12-31T23:00:00Z"
        ),
    ),
]


@pytest.mark.parametrize("text", [text for _, text in EXTREME], ids=[name for name, _ in EXTREME])
@pytest.mark.parametrize("command", [["export"], ["export", "-o", "-"], []])
def test_extreme_files_give_one_line_exit_2_and_stay_untouched(tmp_path, capsys, text, command):
    from pmtui.cli import main

    path = tmp_path / "extreme.toml"
    path.write_text(text)
    with pytest.raises(LoadError) as raised:
        store.IncidentStore(path).open()
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
    args = [*command[:1], str(path), *command[1:]]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith(f"pmtui: {path}")
    assert "Traceback" not in err
    assert path.read_text() == text and not list(tmp_path.glob("*.md"))


async def test_toasts_quoting_typed_text_draw_it_safe(tmp_path):
    """Undo, redo, delete and 'added' toasts quote what was typed: an ESC there
    cleared the screen, and a `[` was read as markup."""
    app = open_app(tmp_path / "inc.toml")
    typed = "AAA\x1b[2J\x1b[HBBB [bold]x[/bold]"
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.post_message(events.Paste(typed))
        await pilot.press("enter", "ctrl+z", "ctrl+y")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("AAA␛[2J␛[HBBB [bold]x[/bold]" in message for message in said), said
        assert _controls("".join(said)) == set()
        assert all(n.markup is False for n in app._notifications)
        painted = "\n".join(screen_rows(app))
        assert _controls(painted) == set()


async def test_bidirectional_overrides_cannot_reverse_what_is_shown_or_exported(tmp_path):
    """U+202E in an entry showed (and exported) the rest of it reversed."""
    app = open_app(tmp_path / "inc.toml")
    sneaky = "rollback done \u202eenod ton\u202c ok \u2067x\u2069"
    async with app.run_test(size=(120, 36)) as pilot:
        app.post_message(events.Paste(sneaky))
        await pilot.press("enter")
        incident = await saved(app, pilot)
        painted = "\n".join(screen_rows(app))
    assert incident.timeline[-1].text == sneaky  # stored exactly
    bidi = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    assert not bidi & set(painted)
    assert not bidi & set(export_markdown(incident, now=NOW))
    assert "rollback done �enod ton� ok" in painted
