"""What start-up and each stamp make Textual do, counted rather than timed.

One screen composed once and a footer built once before first paint; a
stamp's frame repaints only what the stamp changed. The footer also keeps a
fixed order and is rebuilt only when its keys change.
"""

from textual.widgets import Input

from pmtui.screens.main import MainScreen
from pmtui.widgets import KeyFooter, SaveIndicator
from tests.tui import SIZE, open_app

APP_KEYS = ["Marker", "Undo", "Redo", "Summary", "Export", "Help", "Quit"]


def shown(footer: KeyFooter) -> list[str]:
    """The labels on screen, left to right (the palette key is docked right)."""
    return [key.label for key in footer.shown if not key.palette]


async def test_app_keys_keep_their_order_wherever_focus_is(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        footer = app.screen.query_one(KeyFooter)
        assert app.focused is not None and app.focused.id == "entry"
        # the entry bar binds ctrl+e itself: Textual's footer put Export first
        assert shown(footer) == APP_KEYS
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "timeline"
        # the timeline's own keys first, then the app's in the same order
        assert shown(footer) == ["Edit", "Delete", "To action", *APP_KEYS]
        await pilot.press("shift+tab")
        await pilot.pause()
        assert shown(footer) == APP_KEYS


async def test_footer_is_built_once_at_start_and_not_again_for_the_same_keys(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert footer.rebuilds == 1  # Textual's footer composed three times here
        for _ in range(3):
            app.screen.refresh_bindings()  # what every focus change and screen push does
        await pilot.pause()
        assert footer.rebuilds == 1
        await pilot.press("tab")  # new keys: the timeline's
        await pilot.pause()
        assert footer.rebuilds == 2


async def test_the_main_screen_is_the_first_screen_not_pushed_over_a_blank_one(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [type(screen) for screen in app.screen_stack] == [MainScreen]
        assert app.main is app.screen


async def test_a_stamp_repaints_the_bar_the_new_line_and_the_count_only(tmp_path, monkeypatch):
    """What a stamp's frame repaints, widget by widget (no timing: it cannot flake).

    Each of these once joined every stamp's frame for nothing: the footer
    (rebuilt), the timeline's zero-wide scrollbar (which made Textual
    re-arrange the whole screen).
    """
    from textual.screen import Screen

    frames: list[set[str]] = []
    save_line: list[str] = []
    original = Screen._on_timer_update

    def observed(screen: Screen[object]) -> None:
        frames.append({type(widget).__name__ for widget in screen._dirty_widgets})
        save_line.extend(w.text for w in screen._dirty_widgets if isinstance(w, SaveIndicator))
        original(screen)

    monkeypatch.setattr(Screen, "_on_timer_update", observed)
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for n in range(40):  # past the pane's height: the timeline scrolls
            app.screen.query_one("#entry", Input).value = f"alert {n}"
            await pilot.pause()
            frames.clear()
            await pilot.press("enter")
            await pilot.pause()
            assert app.incident.timeline[-1].text == f"alert {n}"
            assert frames, "the stamp was never painted"
            stamp_frame = next(f for f in frames if "TimelineView" in f)
            # the save line changes when the save lands, if it lands that fast
            allowed = {"EntryInput", "TimelineView", "Pane", "Stamp", "SaveIndicator"}
            assert stamp_frame <= allowed, stamp_frame
        # "saving…" from the stamp until its save lands (issue 13: never "saved"
        # beside an unsaved entry), then "saved"
        assert app.control.saver is not None and app.control.saver.flush(5)
        for _ in range(50):
            await pilot.pause(0.02)
            if save_line and save_line[-1].startswith("saved"):
                break
        assert save_line and save_line[-1].startswith("saved"), save_line[-3:]


async def test_typing_in_the_entry_bar_never_lays_out_the_screen(tmp_path, monkeypatch):
    """Input sets its virtual size at every change: a screen-wide layout, for nothing here."""
    from textual.screen import Screen

    layouts: list[int] = []
    original = Screen._refresh_layout

    def counted(screen: Screen[object], *args: object, **kwargs: object) -> None:
        layouts.append(1)
        original(screen, *args, **kwargs)

    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press(*"db down")
        await pilot.pause()
        assert app.screen.query_one("#entry", Input).value == "db down"
        assert layouts == []
