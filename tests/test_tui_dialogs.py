"""Dialogs on a bare incident, refusals inside forms, Esc, tab, undo/redo, up to fix."""

from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, Select, TextArea

from pmtui.app import PmtuiApp
from pmtui.core import store
from pmtui.core.new import new_incident
from pmtui.core.session import InputError
from pmtui.screens import (
    ActionEditor,
    ConfirmScreen,
    EntryEditor,
    HelpScreen,
    MainScreen,
    PreviewScreen,
    SummaryEditor,
)
from pmtui.widgets import KeyFooter
from tests.conftest import NOW
from tests.tui import SIZE, open_app, saved, type_text


def bare(path: Path) -> PmtuiApp:
    """What `pmtui new TITLE` makes: no severity, commander or free text."""
    created = store.IncidentStore(path)
    created.create(new_incident("Checkout down", timezone="GMT", now=NOW))
    created.close()
    return open_app(path)


def burst(app: PmtuiApp, text: str) -> None:
    """Keys arriving in one read, as over SSH: queued before any is handled."""
    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))


def toasts(app: PmtuiApp) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_every_dialog_works_on_a_bare_incident(tmp_path):
    app = bare(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        assert app.screen.query_one("#severity", Select).value is Select.NULL
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MainScreen)
        await type_text(pilot, "pagers fired")
        await pilot.press("enter", "tab", "enter")
        assert isinstance(app.screen, EntryEditor)
        await pilot.press("ctrl+s")
        await pilot.press("tab", "ctrl+a")
        assert isinstance(app.screen, ActionEditor)
        await type_text(pilot, "page the DBA")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("escape", "f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        incident = await saved(app, pilot)
    assert incident.severity is None
    assert incident.timeline[-1].text == "pagers fired"
    assert [a.text for a in incident.actions] == ["page the DBA"]


async def test_clearing_the_severity_keeps_every_other_edit(tmp_path):
    app = open_app(tmp_path / "inc.toml")  # SEV2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        app.screen.query_one("#title", Input).value = "Checkout returns 502"
        app.screen.query_one("#severity", Select).clear()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MainScreen)
        incident = await saved(app, pilot)
    assert (incident.title, incident.severity) == ("Checkout returns 502", None)


async def test_a_refusal_keeps_the_form_open_with_its_edits(tmp_path):
    """A rule the session enforces is shown in the form, and nothing is lost."""
    app = open_app(tmp_path / "inc.toml")

    def refuse(values: dict[str, object]) -> object:
        raise InputError("mitigated is before detected")

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        form = SummaryEditor(app.incident)
        app._open_form(form, refuse)
        await pilot.pause()
        form.query_one("#title", Input).value = "Edited title"
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "mitigated is before detected" in str(form.query_one("#error").render())
        assert form.query_one("#title", Input).value == "Edited title"
        assert "mitigated is before detected" not in toasts(app)


@pytest.mark.parametrize("form", ["summary", "entry", "action"])
async def test_escape_asks_before_throwing_edits_away(tmp_path, form):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "pagers fired")
        await pilot.press("enter")
        keys = {"summary": ["ctrl+s"], "entry": ["up"], "action": ["tab", "tab", "ctrl+a"]}

        async def open_form():
            app.screen.query_one("#entry", Input).focus()
            await pilot.press(*keys[form])
            return app.screen

        await open_form()
        await pilot.press("escape")  # nothing edited: it just closes
        assert isinstance(app.screen, MainScreen)
        dialog = await open_form()
        await pilot.press("x")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(*"yes")  # a hurried IC types on: no letter answers, none is lost
        assert app.screen is dialog
        field = dialog.query_one(dialog.FOCUS)
        assert "xyes" in (field.text if isinstance(field, TextArea) else field.value)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MainScreen)
        incident = await saved(app, pilot)
    assert [e.text for e in incident.timeline] == ["pagers fired"]
    assert incident.title == "Checkout returns 500" and incident.actions == []


async def test_text_typed_right_after_tab_lands_in_the_next_field(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        commander = app.screen.query_one("#commander", Input)
        commander.focus()
        await pilot.pause()
        app.post_message(events.Key("tab", None))
        burst(app, "x")
        await pilot.pause()
        assert commander.value == ""
        assert app.screen.query_one("#started_at", Input).value.endswith("x")


async def test_typing_over_the_preview_or_help_goes_to_the_bar(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, PreviewScreen)
        burst(app, "quick note")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#entry", Input).value == "quick note"
        await pilot.press("f1")
        burst(app, "?!")
        await pilot.pause()
        assert app.screen.query_one("#entry", Input).value == "quick note?!"


async def test_ctrl_t_drops_a_marker_from_inside_a_dialog(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s", "ctrl+t")
        assert isinstance(app.screen, SummaryEditor)
        incident = await saved(app, pilot)
    assert [(e.text, e.at) for e in incident.timeline] == [("", NOW)]


async def test_a_dialog_shows_its_own_keys_in_the_footer(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        await pilot.pause()
        shown = app.screen.query_one(KeyFooter).keys()
        labels = [key[2] for key in shown]
        assert "Save" in labels and "Cancel" in labels
        assert "To action" not in labels and "Export" not in labels


async def test_a_click_on_a_key_in_the_footer_presses_it_and_the_dialog_shows_its_keys(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        drawn = footer.render().plain
        assert drawn.startswith(" ^t Marker  ^z Undo  ") and drawn.rstrip().endswith("^p palette")
        await pilot.click(KeyFooter, offset=(drawn.index("Help"), 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # the dialog's own footer: one key per action (esc and f1 both close)
        assert app.screen.query_one(KeyFooter).render().plain.split() == ["esc", "Close"]


async def test_ctrl_z_while_typing_undoes_the_typing_and_ctrl_y_redoes(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "pagers fired")
        await pilot.press("enter")
        await pilot.press(*"half line")
        bar = app.screen.query_one("#entry", Input)
        await pilot.press("ctrl+z")
        assert bar.value == "half "
        await pilot.press("ctrl+y")
        assert bar.value == "half line"
        await pilot.press("ctrl+z", "ctrl+z")
        assert bar.value == ""
        assert [e.text for e in (await saved(app, pilot)).timeline] == ["pagers fired"]
        await pilot.press("ctrl+z")  # the bar is empty: the last change goes
        assert (await saved(app, pilot)).timeline == []
        assert "Undone: log “pagers fired”" in toasts(app)
        await pilot.press("ctrl+y")
        assert [e.text for e in (await saved(app, pilot)).timeline] == ["pagers fired"]
        assert "Redone: log “pagers fired”" in toasts(app)


async def test_a_new_change_clears_redo(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for text in ("one", "two"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.press("ctrl+z")
        await type_text(pilot, "three")
        await pilot.press("enter", "ctrl+y")
        incident = await saved(app, pilot)
        assert [e.text for e in incident.timeline] == ["one", "three"]
        assert "nothing to redo" in toasts(app)


async def test_up_in_the_empty_bar_edits_the_last_entry(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "rollback sucessful")
        await pilot.press("enter")
        await type_text(pilot, "-5m db failovr")  # backdated: not the newest entry
        await pilot.press("enter")
        await pilot.press("up")
        assert isinstance(app.screen, EntryEditor)
        text = app.screen.query_one("#text", TextArea)
        assert app.focused is text and text.text == "db failovr"
        assert text.cursor_location == text.document.end  # fixing the end is one key away
        await pilot.press("escape")  # nothing changed: closes, nothing lost
        await type_text(pilot, "half")
        await pilot.press("up")  # with text in the bar, up edits nothing
        assert isinstance(app.screen, MainScreen)
        await pilot.press(*["backspace"] * 4)
        await pilot.press("up", "backspace", *"er", "enter")  # two keys, and the fix
        assert isinstance(app.screen, MainScreen)
        incident = await saved(app, pilot)
    assert [e.text for e in incident.timeline] == ["db failover", "rollback sucessful"]


async def test_escape_with_a_title_typed_asks_before_quitting(tmp_path, monkeypatch):
    from pmtui.screens import TitlePrompt

    monkeypatch.chdir(tmp_path)
    app = PmtuiApp(None, new_incident=lambda title: new_incident(title, timezone="GMT", now=NOW))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "Search is slow")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # any key but esc goes back
        assert isinstance(app.screen, TitlePrompt)
        assert app.screen.query_one("#title", Input).value == "Search is slow"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+q")
    assert app.incident is not None and app.incident.title == "Search is slow"


async def test_ctrl_z_in_a_field_with_text_never_undoes_the_incident(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "pagers fired")
        await pilot.press("enter", "ctrl+s")  # the summary editor: its title is not typed
        await pilot.press("ctrl+z")
        assert app.screen.query_one("#title", Input).value == "Checkout returns 500"
        assert "Nothing more to undo in this field" in toasts(app)
        await pilot.press("escape")
        incident = await saved(app, pilot)
    assert [e.text for e in incident.timeline] == ["pagers fired"]


async def test_enter_in_the_entry_editor_saves_a_line_and_breaks_a_block(tmp_path):
    """One line (a typo): enter saves. A pasted block: enter starts a new line."""
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "db failovr")
        await pilot.press("enter", "up", "enter")
        assert isinstance(app.screen, MainScreen)
        app.post_message(events.Paste("Traceback:\n  File x.py"))
        await pilot.press("enter", "up")
        assert isinstance(app.screen, EntryEditor)
        await pilot.press("enter", *"KeyError")
        assert isinstance(app.screen, EntryEditor)  # still open: a new line was started
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
    assert incident.timeline[-1].text == "Traceback:\n  File x.py\nKeyError"
