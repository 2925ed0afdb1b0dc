"""The Textual app: the composition root. Keys in, session changes, saves out."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.message import Message
from textual.screen import Screen

from pmtui.errors import PmtuiError
from pmtui.export import export_markdown
from pmtui.guard import Guard
from pmtui.keys import app_bindings, help_sections, main_screen_commands
from pmtui.loading import TAIL, RestLoader, RestRead, settle_gc
from pmtui.model import Incident, Status
from pmtui.saver import Saver, SaveResult
from pmtui.session import Change, InputError, Session, utc_now
from pmtui.store import IncidentStore, snapshot, write_atomic
from screens.main import MainScreen
from widgets import ActionList, EntryBar, SaveIndicator, TimelineView


class SaveDone(Message):
    """Posted from the saver thread when a save finished or failed."""

    def __init__(self, result: SaveResult) -> None:
        super().__init__()
        self.result = result


class PmtuiApp(App[Path | None]):
    TITLE = "pmtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = app_bindings()

    def __init__(
        self,
        path: Path | None,
        incident: Incident | None = None,
        store: IncidentStore | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_incident: Callable[[str], Incident] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.clock = clock
        self.store = store
        self.incident = incident
        self.make_incident = new_incident
        self.session: Session | None = None
        self.saver: Saver | None = None
        self.rescued: Path | None = None  # where the incident went when its file failed
        self.load_error: str | None = None  # a tail-first load found the file broken
        self._loader: RestLoader | None = None
        self.guard = Guard(self)
        # keys typed while pmtui starts, before any widget has focus: Textual
        # gives them to the screen, which drops them. Held until something
        # takes focus, then handled in the order they were typed.
        self._early_keys: list[events.Key | events.Paste] | None = []

    # -- start ----------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        """The main screen itself when the incident is known, rather than a
        blank default screen composed, styled and painted only to be covered."""
        if self.incident is None:
            return super().get_default_screen()
        return MainScreen(self.incident, self.clock, str(self.path), self.log_entry)

    def on_mount(self) -> None:
        self.guard.install_signals()
        if self.incident is None:
            from screens import TitlePrompt

            self.push_screen(TitlePrompt(self._where), self._create)
        else:
            self._start()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste):
            if self._early_keys is not None:
                self._early_keys.append(event)
                return
            self._type_into_the_bar(event)
        await super().on_event(event)

    def _type_into_the_bar(self, key: events.Key | events.Paste) -> None:
        """Typing in a pane, other than the pane's own keys, goes to the entry bar.

        The IC tabs to the timeline to read, then types the next update. Focus
        moves here, in the app's own key queue and before the key is handed
        on, so that key and every one after it land in the bar in order.
        """
        if not isinstance(self.focused, TimelineView | ActionList):
            return  # the usual case, checked first: this runs for every key
        if isinstance(key, events.Key) and (
            not key.is_printable or key.key in self.screen.active_bindings
        ):
            return
        # a pane has focus, so the main screen is the one shown
        self.screen.set_focus(self.screen.query_one(EntryBar).input)

    async def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        await self._release_early_keys()

    async def _release_early_keys(self) -> None:
        early, self._early_keys = self._early_keys, None
        for key in early or ():
            await super().on_event(key)

    def _create(self, title: str | None) -> None:
        from screens import TitlePrompt

        if title is None or self.make_incident is None:
            self.exit(None)
            return
        from pmtui.cli import default_path

        try:
            incident = self.make_incident(title)
            path = self.path or default_path(incident)
            store = IncidentStore(path)
            store.create(incident)
        except PmtuiError as error:
            self.notify(str(error), severity="error", timeout=10)
            self.push_screen(TitlePrompt(self._where), self._create)
            return
        self.incident, self.store, self.path = incident, store, path
        self._start()

    def _start(self) -> None:
        assert self.incident is not None and self.store is not None
        self.session = Session(self.incident, self.clock)
        self.saver = Saver(self.store, self.post_save_result)
        if not isinstance(self.screen_stack[0], MainScreen):
            self.push_screen(MainScreen(self.incident, self.clock, str(self.path), self.log_entry))
        self.call_after_refresh(self._release_early_keys)  # in case nothing took focus
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self.incident is not None and self.incident.loading:
            self._read_rest()
        else:
            settle_gc()

    # -- a big incident opened tail-first (pmtui.loading) ---------------------
    def _read_rest(self) -> None:
        """After first paint, read the earlier entries on a thread."""
        if self._loader is None and self.incident is not None and self.store is not None:
            self._loader = RestLoader(
                self.store, self.incident, lambda: self.post_message(RestRead())
            )
            self._loader.start()

    def on_rest_read(self, _message: RestRead) -> None:
        self.ensure_loaded()

    def ensure_loaded(self) -> bool:
        """Make a tail-first incident whole, waiting if need be; False if it is broken.

        Every change, export and quit comes through here first, so nothing is
        saved or exported from part of a timeline. A broken file ends the app
        with the error, and the file is left as it was.
        """
        incident = self.incident
        if incident is None or not incident.loading:
            return True
        self._read_rest()
        assert self._loader is not None and self.store is not None
        rest = self._loader.wait()
        if not isinstance(rest, tuple):
            self.load_error = str(rest)
            main = self.main
            left = main.query_one(EntryBar).take() if main is not None else None
            if left is not None:  # typed since the first paint: kept in a file of its own
                self.guard.keep_typed(left)
            self.exit(None)
            return False
        self.store.finish_loading(incident, rest)
        self._loader.result = None
        main = self.main
        if main is not None:
            main.query_one(TimelineView).reload()
        settle_gc()
        return True

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "a new file in this folder"

    @property
    def markdown_path(self) -> Path:
        assert self.path is not None
        return self.path.with_suffix(".md")

    @property
    def main(self) -> MainScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                return screen if screen.is_mounted else None
        return None

    # -- the one place changes are applied ------------------------------------
    def apply(self, intent: Callable[[], Change]) -> Change | None:
        """Run a session intent; on success save it and refresh what it touched."""
        assert self.session is not None and self.saver is not None and self.incident is not None
        if not self.ensure_loaded():
            return None
        try:
            change = intent()
        except InputError as error:
            self.notify(str(error), severity="error", timeout=6)
            return None
        self.saver.request(snapshot(self.incident))
        main = self.main
        if main is not None:
            main.query_one(SaveIndicator).saving()
            main.show_change(change)
        if change.message:
            self.notify(change.message, timeout=3)
        return change

    def post_save_result(self, result: SaveResult) -> None:
        """Called on the saver's thread; post_message is thread-safe."""
        self.post_message(SaveDone(result))

    def on_save_done(self, message: SaveDone) -> None:
        self.guard.on_save_result(message.result)
        main = self.main
        if main is None or self.incident is None:
            return
        indicator = main.query_one(SaveIndicator)
        if message.result.error is None:
            newer = self.saver is not None and message.result.generation < self.saver.requested
            indicator.saved(self.incident.local(self.clock()).strftime("%H:%M:%S"), newer)
        else:
            indicator.failed(message.result.error)
            if not message.result.conflict:
                self.notify(message.result.error, title="Save failed", severity="error", timeout=8)

    # -- messages from the widgets --------------------------------------------
    def log_entry(self, entry: EntryBar.Submitted) -> bool:
        """Log what the IC typed in the bar; False when it was refused."""
        assert self.session is not None
        session = self.session
        return self.apply(lambda: session.log(entry.text, entry.typed_at)) is not None

    def _apply_saved(
        self, intent: Callable[[dict[str, Any]], Change]
    ) -> Callable[[dict[str, Any] | None], None]:
        """A form's result callback: apply `intent(values)`, unless it was cancelled."""

        def done(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.apply(lambda: intent(values))

        return done

    def on_timeline_view_requested(self, message: TimelineView.Requested) -> None:
        from screens import EntryEditor

        assert self.session is not None and self.incident is not None
        session, entry_id = self.session, message.entry_id
        if message.verb == "delete":
            self.apply(lambda: session.delete_entry(entry_id))
        elif message.verb == "to_action":
            self.apply(lambda: session.entry_to_action(entry_id))
        elif message.verb == "edit":
            entry = self.incident.timeline[self.incident.index_of(entry_id)]
            edited = self._apply_saved(lambda values: session.edit_entry(entry_id, **values))
            self.push_screen(EntryEditor(self.incident, entry), edited)

    def on_action_list_requested(self, message: ActionList.Requested) -> None:
        from screens import ActionEditor

        assert self.session is not None and self.incident is not None
        session, action_id = self.session, message.action_id
        if message.verb == "add" or action_id is None:
            added = self._apply_saved(lambda values: session.add_action(**values))
            self.push_screen(ActionEditor(), added)
        elif message.verb == "toggle":
            self.apply(lambda: session.toggle_action(action_id))
        elif message.verb == "delete":
            self.apply(lambda: session.delete_action(action_id))
        elif message.verb == "edit":
            item = self.incident.actions[self.incident.action_index(action_id)]
            edited = self._apply_saved(lambda values: session.edit_action(action_id, **values))
            self.push_screen(ActionEditor(item), edited)

    # -- app commands ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"stamp", "undo", "summary", "preview", "set_status"}:
            return isinstance(self.screen, MainScreen)
        if action == "help":  # by name: importing the dialogs here would slow first paint
            return type(self.screen).__name__ != "HelpScreen"
        return True

    def action_stamp(self) -> None:
        assert self.session is not None
        self.apply(self.session.stamp)

    def action_undo(self) -> None:
        assert self.session is not None
        session = self.session

        def undo() -> Change:
            change = session.undo()
            if change is None:
                raise InputError("nothing to undo")
            change.message = f"Undone: {change.label}"
            change.focus_entry = change.removed[0].id if change.removed else None
            return change

        self.apply(undo)

    def action_set_status(self, status: str) -> None:
        assert self.session is not None
        session = self.session
        self.apply(lambda: session.set_status(Status(status)))

    def action_summary(self) -> None:
        from screens import SummaryEditor

        assert self.session is not None and self.incident is not None
        session = self.session
        self.push_screen(SummaryEditor(self.incident), self._apply_saved(session.update_head))

    def action_preview(self) -> None:
        from screens import PreviewScreen

        assert self.incident is not None
        if not self.ensure_loaded():
            return
        markdown = export_markdown(self.incident, now=self.clock())
        try:
            write_atomic(self.markdown_path, markdown.encode("utf-8"))
            note = f"written to {self.markdown_path}"
        except PmtuiError as error:
            note = str(error)
        self.push_screen(PreviewScreen(markdown, note))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return help_sections(self.BINDINGS)

    def action_help(self) -> None:
        from screens import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, MainScreen):
            yield from main_screen_commands(self, screen, self.action_set_status)
        yield from super().get_system_commands(screen)

    # -- quitting -------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        # Textual's only hook for an error nothing caught; it ends the app.
        # What is in the entry bar is logged first (pmtui.guard).
        self.guard.on_crash(error)
        super()._handle_exception(error)

    async def action_quit(self) -> None:
        """Log what is still in the entry bar, save, write the postmortem, exit."""
        await self.guard.quit()


def run(path: Path | None, new_options: argparse.Namespace | None = None) -> int:
    """Open (or create) an incident in the TUI; returns the exit code."""
    from pmtui.cli import new_incident

    options = new_options or argparse.Namespace(severity=None, timezone=None, commander=None)

    def make(title: str) -> Incident:
        return new_incident(
            title, severity=options.severity, timezone=options.timezone, commander=options.commander
        )

    incident: Incident | None = None
    store: IncidentStore | None = None
    if path is not None and path.exists():
        store = IncidentStore(path)
        incident = store.open(tail=TAIL)
    app = PmtuiApp(path, incident, store, new_incident=make)
    return run_app(app)


def run_app(app: PmtuiApp, **options: Any) -> int:
    """Run the app (`options` go to App.run); say truly how it ended; the exit code."""
    written: Path | None = None
    try:
        written = app.run(**options)
    finally:
        app.guard.settle()
        if app.saver is not None:
            app.saver.stop()
        if app.store is not None:
            app.store.close()
    code, line = app.guard.outcome(written)
    if line is not None:
        error = line.startswith("pmtui: ")  # the file is broken, or changes are lost
        with contextlib.suppress(OSError):  # after a SIGHUP there may be no terminal left
            print(line, file=sys.stderr if error else sys.stdout)
    return code
