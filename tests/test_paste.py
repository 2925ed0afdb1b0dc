"""Pasting into pmtui: every line kept, every character kept in its place."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static, TextArea

from pmtui.core import store
from pmtui.core.export import export_markdown
from pmtui.widgets import ActionList, TimelineView
from tests.conftest import NOW, RAPPI
from tests.mdcheck import PARSER, parse
from tests.tui import SIZE, open_app, saved, screen_rows, type_text

TRACE = (
    "Traceback (most recent call last):\r"
    '  File "/srv/orders/api.py", line 88, in checkout\r'
    "    total = price * qty\r"
    "TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'"
)
LINES = TRACE.split("\r")


async def paste(app, pilot, text: str) -> None:
    app.post_message(events.Paste(text))
    await pilot.pause()


async def test_a_pasted_block_is_one_entry_that_keeps_every_line(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, TRACE)
        bar = app.screen.query_one("#entry", Input)
        assert bar.value == "\n".join(LINES)  # the real text, kept until Enter
        assert any("Traceback (most recent call last):⏎  File" in row for row in screen_rows(app))
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "\n".join(LINES)
        rows = screen_rows(app)
        assert any("Traceback (most recent call last):  (+3 lines)" in row for row in rows)
        assert not any("TypeError" in row for row in rows)  # one line in the list
        # the detail area shows every line
        await pilot.press("tab")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail-text", Static).render())
        for line in LINES:
            assert line in detail


async def test_a_paste_in_the_middle_of_typed_text_keeps_both(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "db error:  seen twice")
        bar = app.screen.query_one("#entry", Input)
        bar.cursor_position = len("db error: ")
        await paste(app, pilot, "line one\r\nline two")
        assert bar.value == "db error: line one\nline two seen twice"
        await type_text(pilot, "!")
        assert bar.value == "db error: line one\nline two! seen twice"
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "db error: line one\nline two! seen twice"


async def test_control_characters_are_stored_as_pasted_and_shown_visibly(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, "Q\x1bZ tail\x07\x00end")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "Q\x1bZ tail\x07\x00end"
        assert any("Q␛Z tail␇␀end" in row for row in screen_rows(app))


def test_the_terminal_parser_keeps_a_paste_with_esc_whole_and_in_place():
    """Textual's own parser sent `^Z tail` as keys, then pasted `Q`."""
    from pmtui.widgets.paste import PasteParser

    parser = PasteParser()
    tokens = []
    # the paste's end marker cut by a read, as a 4 KB read can cut it
    for chunk in ("a\x1b[200~Q\x1bZ tail\rsecond\x1b[2", "01~b", "\x1b[200~x" * 1, "\x1b[201~"):
        tokens += list(parser.feed(chunk))
    described = [
        event.text if isinstance(event, events.Paste) else event.character for event in tokens
    ]
    assert described == ["a", "Q\x1bZ tail\rsecond", "b", "x"]


def test_the_terminal_parser_still_reads_keys_and_escape():
    from pmtui.widgets.paste import PasteParser

    parser = PasteParser()
    tokens = list(parser.feed("\x1b[Ax\x1b[2"))  # up, x, and a start held back
    tokens += list(parser.feed("~"))  # which turns out to be a key (insert)
    assert [event.key for event in tokens if isinstance(event, events.Key)] == [
        "up",
        "x",
        "insert",
    ]


async def test_the_entry_editor_shows_and_keeps_every_line(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, TRACE)
        await pilot.press("enter")
        last = app.incident.timeline[-1].id
        app.post_message(TimelineView.Requested("edit", last))  # as the pane's edit key does
        await pilot.pause()
        area = app.screen.query_one("#text", TextArea)
        assert area.text == "\n".join(LINES)
        area.insert("\nnote: fixed in 4.2", area.document.end)
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "\n".join(LINES) + "\nnote: fixed in 4.2"


async def test_a_one_megabyte_multi_line_paste_stays_responsive(tmp_path):
    """Input re-measured and re-rendered its whole value at every key: with a
    1 MB paste in the bar a key took 3-5 s. A big paste is held aside, shown
    as one ▤ with a line saying what it is, and put back on Enter."""
    app = open_app(tmp_path / "inc.toml")
    block = "\n".join(f"{n:06d} GET /api/orders 503 upstream timeout" for n in range(22_000))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "nginx log: ")
        await paste(app, pilot, block)
        await type_text(pilot, " (from lb-2)")  # the bar still takes keys
        bar = app.screen.query_one("#entry", Input)
        assert len(bar.value) < 40  # what Input re-renders at every key stays small
        rows = screen_rows(app)
        assert any("nginx log: ▤ (from lb-2)" in row for row in rows)
        assert any("▤ pasted 22,000 lines, 945 KB: 000000 GET /api/orders" in row for row in rows)
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == f"nginx log: {block} (from lb-2)"
        assert any(
            "nginx log: 000000 GET /api/orders" in row and "(+21,999 lines)" in row
            for row in screen_rows(app)
        )


async def test_quitting_logs_a_big_paste_still_in_the_bar(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    block = "x" * 5000 + "\nend"
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, block)
        await pilot.press("ctrl+q")
    assert [e.text for e in store.load(tmp_path / "inc.toml").timeline][-1] == block


def test_the_export_keeps_a_block_under_its_item_and_cannot_add_structure(incident):
    from tests.conftest import NOW

    block = "Traceback:\n# not a heading\n- not an item\n```\n<script>x</script> | col\n\n  end"
    incident.add_entry(block, NOW)
    incident.add_entry("after", NOW.replace(minute=31))
    markdown = export_markdown(incident)
    parsed = parse(markdown)
    assert len(parsed.timeline_items) == 2
    assert parsed.html == []
    assert [level for level, _ in parsed.headings].count(1) == 1
    assert parsed.timeline_items[0] == "8:30 PM: Traceback:"
    # the rest is one code block inside the first item, every line as it was
    fences = [token for token in PARSER.parse(markdown) if token.type == "fence"]
    assert [(token.level, token.content) for token in fences] == [
        (2, "# not a heading\n- not an item\n```\n<script>x</script> | col\n\n  end\n")
    ]


def test_rappi_still_parses(tmp_path):
    from pmtui.core import store

    assert parse(export_markdown(store.load(RAPPI))).timeline_items


async def test_a_paste_into_a_one_line_field_of_a_dialog_keeps_every_line(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(ActionList.Requested("add", None))  # as the pane's add key does
        await pilot.pause()
        field = app.screen.query_one("#text", Input)
        assert field.has_focus
        await paste(app, pilot, "Cap the pool\rfor orders\r")
        assert field.value == "Cap the pool for orders"


async def test_every_one_line_field_keeps_every_line_of_a_paste(tmp_path):
    """The summary editor's title, commander and times, the title prompt, the rescue
    prompt: a paste kept its first line and dropped the rest without a word."""
    from pmtui.screens import RescuePrompt, SummaryEditor, TitlePrompt

    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for screen in (
            SummaryEditor(app.incident),
            TitlePrompt("inc.toml"),
            RescuePrompt("could not save", "~/x.toml"),
        ):
            await app.push_screen(screen)
            await pilot.pause()
            fields = list(screen.query(Input))
            assert fields, screen
            for field in fields:
                field.value = ""
                field.focus()
                await pilot.pause()
                await paste(app, pilot, "Ana\rBob\r")
                assert field.value == "Ana Bob", (screen, field.id)
            app.pop_screen()
            await pilot.pause()


async def test_no_pane_sends_a_pasted_escape_sequence_to_the_terminal(tmp_path):
    """The timeline showed ␛; the action list, header and status pane wrote the raw ESC."""
    app = open_app(tmp_path / "inc.toml")
    red = "\x1b[31mRED\x1b[0m"
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, f"TODO Q{red} tail @x{red}")
        await pilot.press("enter")
        await paste(app, pilot, f"/ic Ana{red}")
        await pilot.press("enter")
        await paste(app, pilot, f"/title Checkout{red}")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.actions[-1].text == f"Q{red} tail"  # stored exactly
        assert (incident.commander, incident.title) == (f"Ana{red}", f"Checkout{red}")
        rows = "\n".join(screen_rows(app))
        assert "\x1b" not in rows
        assert "Q␛[31mRED␛[0m tail" in rows  # the action list
        assert "Ana␛[31mRED␛[0m" in rows  # the status pane
        assert "Checkout␛[31mRED␛[0m" in rows  # the header


@pytest.mark.parametrize("big", [False, True], ids=["small", "held aside"])
async def test_a_pasted_log_keeps_its_own_timestamps_as_text(tmp_path, big):
    """A log excerpt starting '19:20:01 ERROR' was taken as a backdate: filed at
    19:20, its first timestamp cut from the text (or refused when ahead)."""
    app = open_app(tmp_path / "inc.toml")  # now 20:30
    lines = [f"{stamp} ERROR db timeout" for stamp in ("19:20:01", "20:29:02", "20:52:03")]
    block = "\n".join(lines * (400 if big else 1))
    async with app.run_test(size=SIZE) as pilot:
        await paste(app, pilot, block)
        assert "↶" not in app.screen.query_one("#stamp").text.plain
        await type_text(pilot, " (lb-2)")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        entry = incident.timeline[-1]
        assert entry.text == block + " (lb-2)"
        assert entry.at == NOW
        # typed first, then pasted: the IC's own time is a backdate as always
        await type_text(pilot, "19:20 ")
        await paste(app, pilot, "ERROR db timeout")
        await pilot.press("enter")
        incident = await saved(app, pilot)
    assert incident.timeline[0].text == "ERROR db timeout"
    assert incident.timeline[0].at.hour == 19
