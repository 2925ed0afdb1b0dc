"""Keys in the timeline and action panes, the dialogs, undo and quitting."""

from datetime import date

from textual.widgets import Input, TextArea

from pmtui.app import PmtuiApp
from pmtui.core import store
from pmtui.core.model import ActionKind
from pmtui.screens import ActionEditor, EntryEditor, HelpScreen, PreviewScreen, SummaryEditor
from pmtui.widgets import ActionList, TimelineView
from tests.conftest import RAPPI
from tests.tui import SIZE, Clock, open_app, saved, type_text


async def focus_timeline(pilot):
    await pilot.press("tab")
    assert pilot.app.focused.id == "timeline"


async def test_edit_an_entry_text_time_and_kind(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        await pilot.press("up", "enter")  # t5: "User specific servers disabled."
        assert isinstance(app.screen, EntryEditor)
        app.screen.query_one("#text", TextArea).text = "User-specific servers disabled"
        app.screen.query_one("#time", Input).value = "20:13"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        entry = incident.timeline[incident.index_of("t5")]
        assert entry.text == "User-specific servers disabled"
        assert (entry.at.hour, entry.at.minute) == (20, 13)


async def test_bad_time_in_the_editor_is_refused_and_nothing_changes(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        await pilot.press("enter")
        app.screen.query_one("#time", Input).value = "25:99"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EntryEditor)
        assert "Not a time" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
    assert store.load(tmp_path / "inc.toml").model_dump() == store.load(RAPPI).model_dump()


async def test_delete_then_undo_brings_the_entry_back(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        await pilot.press("delete")
        incident = await saved(app, pilot)
        assert [e.id for e in incident.timeline][-1] == "t5"
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert [e.id for e in incident.timeline][-1] == "t6"
        assert incident.timeline[-1].text == "Configuration rollback successful, servers back up."


async def test_undo_reverts_status_and_facts(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/mitigated")
        await pilot.press("enter")
        await type_text(pilot, "/sev 1")
        await pilot.press("enter")
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert incident.severity == "SEV2" and incident.status.value == "mitigated"
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert incident.status.value == "detected" and incident.mitigated_at is None
        assert incident.timeline == []


async def test_entry_to_action_item(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        await pilot.press("up", "up", "ctrl+a")  # t4: "Configuration rollback failed."
        incident = await saved(app, pilot)
        assert incident.actions[-1].text == "Configuration rollback failed."
        assert incident.actions[-1].kind is ActionKind.CORRECTIVE


async def test_action_keys_add_toggle_edit_delete(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab")
        assert app.focused.id == "actions"
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, ActionEditor)
        app.screen.query_one("#text", Input).value = "Cap the connection pool"
        app.screen.query_one("#owner", Input).value = "db-team"
        app.screen.query_one("#due", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        item = incident.actions[0]
        assert (item.text, item.owner, item.due) == (
            "Cap the connection pool",
            "db-team",
            date(2026, 12, 1),
        )
        await pilot.press("ctrl+d")
        assert (await saved(app, pilot)).actions[0].done
        await pilot.press("ctrl+d")
        assert not (await saved(app, pilot)).actions[0].done
        await pilot.press("enter")
        assert isinstance(app.screen, ActionEditor)
        app.screen.query_one("#due", Input).value = "next week"
        await pilot.press("ctrl+s")
        assert "Not a date" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#due", Input).value = ""
        await pilot.press("ctrl+s")
        assert (await saved(app, pilot)).actions[0].due is None
        await pilot.press("delete")
        assert (await saved(app, pilot)).actions == []
        await pilot.press("ctrl+z")
        assert (await saved(app, pilot)).actions[0].text == "Cap the connection pool"


async def test_summary_editor_saves_every_field(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        app.screen.query_one("#title", Input).value = "Checkout 500s"
        app.screen.query_one("#commander", Input).value = "Ana"
        app.screen.query_one("#root_cause", TextArea).text = "A bad deploy.\n\nIt cached errors."
        app.screen.query_one("#impact", TextArea).text = "All EU checkouts failed."
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.title == "Checkout 500s"
        assert incident.commander == "Ana"
        assert incident.root_cause == "A bad deploy.\n\nIt cached errors."
        assert incident.impact == "All EU checkouts failed."
        await pilot.press("ctrl+s")
        app.screen.query_one("#title", Input).value = "   "
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)  # refused: a title is needed
        await pilot.press("escape")
        assert (await saved(app, pilot)).title == "Checkout 500s"


async def test_ctrl_e_exports_and_previews(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "half typed")  # ctrl+e must export, not jump to line end
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("escape")
        assert app.screen.query_one("#entry", Input).value == "half typed"
    written = (tmp_path / "inc.md").read_text()
    assert written.startswith("# Postmortem: Rappi Orders API purchase mismatch")


async def test_help_from_f1_and_a_question_mark_is_text_everywhere(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(f"{keys} {what}" for keys, what in app.screen.rows())
        for text in (
            "ctrl+t",
            "ctrl+z",
            "/mitigated",
            "/action",
            "Mark the action done",
            "Delete the entry",
        ):
            assert text in shown, text
        await pilot.press("escape")
        await pilot.press("question_mark")  # in the entry bar: just a character
        assert app.screen.query_one("#entry", Input).value == "?"
        await pilot.press("tab")
        await pilot.press("question_mark")  # in a pane: text for the bar, not help
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#entry", Input).value == "??"


async def test_every_action_is_in_the_command_palette(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in (
            "Marker",
            "Undo",
            "Redo",
            "Summary",
            "Export",
            "Help",
            "Quit",
            "Mark mitigated",
            "Mark resolved",
            "Re-open (detected)",
            "Edit entry",
            "Delete entry",
            "Entry to action item",
            "Add action item",
            "Toggle action done",
        ):
            assert title in titles, title


async def test_quit_logs_the_bar_saves_and_writes_the_postmortem(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "last words before quitting")
        await pilot.press("ctrl+q")
    assert app.return_value == tmp_path / "inc.md"
    incident = store.load(tmp_path / "inc.toml")
    assert incident.timeline[-1].text == "last words before quitting"
    assert "last words before quitting" in (tmp_path / "inc.md").read_text()
    again = store.IncidentStore(tmp_path / "inc.toml")
    again.open()  # the lock was released
    again.close()


async def test_a_new_incident_asks_for_its_title(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clock = Clock()
    from pmtui.core.new import new_incident

    app = PmtuiApp(
        None, clock=clock, new_incident=lambda t: new_incident(t, timezone="GMT", now=clock())
    )
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "Search is slow")
        await pilot.press("enter")
        await pilot.pause()
        assert app.path.resolve() == tmp_path / "2026-11-21-2030-search-is-slow.toml"
        await type_text(pilot, "p99 at 4s")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.title == "Search is slow"
        assert incident.timeline[-1].text == "p99 at 4s"
        await pilot.press("ctrl+q")


async def test_escape_at_the_title_prompt_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = PmtuiApp(tmp_path / "x.toml", new_incident=lambda t: None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
    assert list(tmp_path.iterdir()) == []


async def test_summary_editor_moves_the_impact_start_and_detection(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "19:41 errors started well before we declared")
        await pilot.press("enter")
        await pilot.pause()
        assert any("Impact start moved to 19:41:00" in n.message for n in app._notifications)
        incident = await saved(app, pilot)
        assert (incident.started_at.hour, incident.started_at.minute) == (19, 41)
        await pilot.press("ctrl+s")
        app.screen.query_one("#detected_at", Input).value = "2026-11-21 19:50:30"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.time_to_detect.total_seconds() == 9 * 60 + 30
        await pilot.press("ctrl+s")
        app.screen.query_one("#detected_at", Input).value = "19:00"
        await pilot.press("ctrl+s")
        assert "before the impact started" in str(app.screen.query_one("#error").render())
        await pilot.press("escape", "escape")  # edited: discarding asks first
        await pilot.press("ctrl+z")  # undo the editor's edit: detection is back
        incident = await saved(app, pilot)
        assert (incident.detected_at.hour, incident.detected_at.minute) == (20, 30)
        await pilot.press("ctrl+z")  # undo the backdated entry: the start is back
        incident = await saved(app, pilot)
        assert (incident.started_at.hour, incident.started_at.minute) == (20, 30)


async def test_app_keys_do_not_steal_editing_keys_inside_dialogs(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "keep me")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        area = app.screen.query_one("#root_cause", TextArea)
        area.focus()
        await pilot.press("x", "y")
        await pilot.press("ctrl+z")  # the text area's own undo, not pmtui's
        await pilot.pause()
        assert isinstance(app.screen, SummaryEditor)
        assert area.text in ("", "x")
        await pilot.press("ctrl+e")  # not an export inside the dialog
        assert isinstance(app.screen, SummaryEditor)
        await pilot.press("escape", "escape")  # edited: it asks before discarding
        incident = await saved(app, pilot)
        assert [e.text for e in incident.timeline] == ["keep me"]
        assert not (tmp_path / "inc.md").exists()


async def test_reading_the_timeline_shows_the_whole_entry(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    long = "a very long entry " * 20 + "THE END"
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, long)
        await pilot.press("enter")
        detail = app.screen.query_one("#detail")
        assert not detail.display or detail.region.height == 0
        await focus_timeline(pilot)
        await pilot.pause()
        await pilot.pause()
        assert detail.region.height >= 3
        assert "THE END" in str(app.screen.query_one("#detail-text").render())


async def test_typing_in_a_pane_goes_to_the_entry_bar(tmp_path):
    """The IC tabs to the timeline to read, then types the next update."""
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        before = (len(app.incident.timeline), len(app.incident.actions))
        await pilot.press(
            *"rollback done"
        )  # r moves focus to the bar: the a and e after it are text
        await pilot.pause()
        bar = app.screen.query_one("#entry", Input)
        assert app.focused is bar
        assert bar.value == "rollback done"
        assert (len(app.incident.timeline), len(app.incident.actions)) == before
        await pilot.press("enter")
        assert (await saved(app, pilot)).timeline[-1].text == "rollback done"
        await focus_timeline(pilot)
        await pilot.press("delete")  # the pane's own keys still act
        await pilot.pause()
        assert len(app.incident.timeline) == before[0]  # deleted the new entry


async def test_a_paste_in_a_pane_goes_to_the_entry_bar(tmp_path):
    from textual import events

    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await focus_timeline(pilot)
        app.post_message(events.Paste("p99 latency 4s on checkout"))
        await pilot.pause()
        assert app.focused is app.screen.query_one("#entry", Input)
        assert app.focused.value == "p99 latency 4s on checkout"


PROSE = "xfs full? a e space q 1 / ! @ error rate back"


def burst(app, text):
    """Keys arriving in one read, as over SSH: queued before any is handled."""
    from textual import events
    from textual.keys import _character_to_key

    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))


async def test_no_printable_key_changes_the_incident_from_a_pane(tmp_path):
    """Typed in a burst or slowly, in either pane: every letter reaches the bar."""
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.screen.query_one("#entry", Input)
        before = store.load(RAPPI).model_dump()
        for pane in ("timeline", "actions"):
            app.screen.query_one(f"#{pane}").focus()
            await pilot.pause()
            burst(app, PROSE)
            await pilot.pause()
            assert bar.value == PROSE
            bar.value = ""
            app.screen.query_one(f"#{pane}").focus()
            await pilot.press(*(k if k != " " else "space" for k in "xa"))
            await pilot.press("question_mark", "e")
            assert bar.value == "xa?e"
            bar.value = ""
        assert app.screen.is_current
        assert app.incident.model_dump() == before


async def test_deleting_says_what_went_and_how_to_bring_it_back(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await focus_timeline(pilot)
        await pilot.press("delete")
        said = "\n".join(n.message for n in app._notifications)
        assert "Configuration rollback successful" in said and "ctrl+z" in said


def timeline_rows(app):
    timeline = app.screen.query_one("#timeline")
    height = timeline.scrollable_content_region.height
    return ["".join(s.text for s in timeline.render_line(y)) for y in range(height)]


async def test_the_time_column_stays_aligned_when_entries_span_days(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for text in ("-26h paged by a customer the day before", "now", "-1m earlier today"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.pause()
        rows = [row for row in timeline_rows(app) if row.strip()]
        # the start follows the earliest entry (its date is the start's); the day change shows
        assert len(rows) == 3 and "Nov 21" in rows[1], rows
        kinds = {row.index("note") for row in rows}
        assert len(kinds) == 1, rows  # the kind (and the text) start in one column


async def test_toasts_cover_neither_the_action_items_nor_the_saved_line(tmp_path):
    from textual.widgets._toast import Toast

    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "TODO page the DBA @ana")
        await pilot.press("enter")
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts
        for part in ("#actions-pane", "#statusbar", "#entrybar"):
            region = app.screen.query_one(part).region
            for toast in toasts:
                assert not toast.region.overlaps(region), part


async def test_the_detail_area_shows_a_long_entry_whole(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    long = " ".join(f"line{n:02} of a long stack trace pasted in" for n in range(30))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, long)
        await pilot.press("enter")
        await focus_timeline(pilot)
        await pilot.pause()
        detail = app.screen.query_one("#detail")
        assert detail.region.height > 6  # it grows (up to half the pane), then scrolls
        assert detail.max_scroll_y > 0
        assert "line29" in str(app.screen.query_one("#detail-text").render())


async def test_a_resize_keeps_the_cursor_entry_on_screen(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for n in range(40):
            await type_text(pilot, f"alert {n}")
            await pilot.press("enter")
        timeline = app.screen.query_one("#timeline")
        await focus_timeline(pilot)
        await pilot.press("up")  # reading the entry before the newest
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        top = round(timeline.scroll_offset.y)
        assert top <= timeline.cursor < top + timeline.scrollable_content_region.height
        assert any("alert 38" in row for row in timeline_rows(app))


async def test_each_pane_action_is_declared_once_and_reaches_key_palette_and_help(tmp_path):
    """A pane action is one PaneAction: its binding, footer label, palette entry and
    help row all come from it, and its verb is typed (no string dispatch)."""
    from textual.binding import Binding

    from pmtui.widgets.action_list import ACTION_ACTIONS, ActionVerb
    from pmtui.widgets.timeline import ENTRY_ACTIONS, EntryVerb

    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        palette = {c.title for c in app.get_system_commands(app.screen)}
        help_text = "\n".join(what for _title, rows in app.help_sections() for _k, what in rows)
        for widget, declared, verbs in (
            (TimelineView, ENTRY_ACTIONS, EntryVerb),
            (ActionList, ACTION_ACTIONS, ActionVerb),
        ):
            assert {a.verb for a in declared} == set(verbs)
            bound = {b.id: b for b in widget.BINDINGS if isinstance(b, Binding)}
            for action in declared:
                binding = next(b for b in bound.values() if b.action == f"request('{action.verb}')")
                assert binding.key == action.key and len(action.key) > 1  # never printable
                assert action.title in palette and action.help in help_text
        await pilot.pause()
