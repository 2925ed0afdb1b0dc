"""The Textual app: a shell over the incident's controller (pmtui.core.control).

Keys become requests to the controller; what it returns (changes, save
reports, notices) becomes widgets.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input

from pmtui.core.commands import parse_slash
from pmtui.core.control import IncidentControl, Saved, Typed
from pmtui.core.errors import PmtuiError
from pmtui.core.model import Incident, Status
from pmtui.core.saver import SaveResult
from pmtui.core.session import Change, InputError, Session, utc_now
from pmtui.core.store import IncidentStore
from pmtui.core.text import shown
from pmtui.guard import Guard
from pmtui.keys import KeyRouting, app_bindings, help_sections, main_screen_commands
from pmtui.loading import TAIL, RestRead, preload, settle_gc
from pmtui.screens.main import MainScreen
from pmtui.teamsync import attach as attach_sync
from pmtui.widgets import ActionList, EntryBar, SaveIndicator, TimelineView
from pmtui.widgets.action_list import ActionVerb
from pmtui.widgets.timeline import EntryVerb

if TYPE_CHECKING:
    from pmtui.screens.forms import Form
from pmtui.widgets.paste import install as install_paste_parser


class SaveDone(Message):
    """Posted from the saver thread when a save finished or failed."""

    def __init__(self, result: SaveResult) -> None:
        super().__init__()
        self.result = result


JOURNAL_POLL = 0.4  # seconds between looks at the journal: others' entries show within 1 s


class PmtuiApp(KeyRouting[Path | None]):
    TITLE = "pmtui"
    # toasts at the top right, under the header: at the bottom they covered
    # the action items and the "saved" line
    CSS = "ToastRack { dock: top; align: right top; margin-top: 1; }"
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
        control: IncidentControl | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        # the incident, its file, saves and exit: everything but the screen
        self.control = control or IncidentControl(
            path, incident, store, clock=clock, new_incident=new_incident
        )
        self.guard = Guard(self)
        self._last_logged: str | None = None  # what up in the empty bar edits
        self.update_command: str | None = None  # --update-cmd: sent updates are piped to it

    # what the controller runs, read-only here: only the controller swaps them
    @property
    def incident(self) -> Incident | None:
        return self.control.incident

    @property
    def path(self) -> Path | None:
        return self.control.path

    @property
    def session(self) -> Session | None:
        return self.control.session

    # -- start ----------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        """The main screen itself when the incident is known, rather than a
        blank default screen composed, styled and painted only to be covered."""
        if self.incident is None:
            return super().get_default_screen()
        return self._main_screen()

    def _main_screen(self) -> MainScreen:
        assert self.incident is not None
        return MainScreen(
            self.incident, self.clock, str(self.path), self.log_entry, self.control.loading
        )

    def on_mount(self) -> None:
        self.guard.install_signals()
        if self.incident is None:
            from pmtui.screens import TitlePrompt

            self.push_screen(TitlePrompt(self._where), self._create)
        else:
            self._start()

    def _create(self, title: str | None) -> None:
        from pmtui.screens import TitlePrompt

        if title is None or self.control.make_incident is None:
            self.exit(None)
            return
        try:
            self.control.create(title)
        except PmtuiError as error:
            self.notify(str(error), severity="error", timeout=10)
            self.push_screen(TitlePrompt(self._where), self._create)
            return
        self._start()

    def _start(self) -> None:
        self.control.start(self.post_save_result)
        # entries others log (`pmtui log`) show within a second
        self.set_interval(JOURNAL_POLL, self.fold_journal)
        assert self.path is not None and self.incident is not None
        self.syncer = attach_sync(self, self.path, self.incident.zone)  # team mode
        if not isinstance(self.screen_stack[0], MainScreen):
            self.push_screen(self._main_screen())
        self.call_after_refresh(self._release_early_keys)  # in case nothing took focus
        self.call_after_refresh(self._after_first_paint)

    def fold_journal(self) -> None:
        """Show what others appended to the journal (a poll with nothing new: one scandir)."""
        change = self.control.fold_journal()
        if change is not None:
            self.show_change(change)

    def _after_first_paint(self) -> None:
        preload()  # what dialogs need later, before an upgrade can remove it
        if self.control.loading:
            self.control.read_rest(lambda: self.post_message(RestRead()))
        else:
            settle_gc()

    # -- a big incident opened tail-first (pmtui.loading) ---------------------
    def on_rest_read(self, _message: RestRead) -> None:
        self.ensure_loaded()

    def ensure_loaded(self) -> bool:
        """Make a tail-first incident whole, waiting if need be; False if it is broken.

        Every change, export and quit comes through here first, so nothing is
        saved or exported from part of a timeline. A broken file ends the app
        with the error, and the file is left as it was.
        """
        if not self.control.loading:
            return True
        if not self.control.finish_loading():
            left = self.take_typed()
            if left is not None:  # typed since the first paint: kept in a file of its own
                self.control.keep_typed(left)
            self.exit(None)
            return False
        main = self.main
        if main is not None:
            timeline = main.query_one(TimelineView)
            timeline.reading_rest = 0
            timeline.reload()
        settle_gc()
        return True

    def take_typed(self) -> Typed | None:
        """Empty the entry bar: what was typed in it, if anything."""
        main = self.main
        left = main.query_one(EntryBar).take() if main is not None else None
        return None if left is None else Typed(left.text, left.typed_at)

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "a new file in this folder"

    @property
    def main(self) -> MainScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                return screen if screen.is_mounted else None
        return None

    # -- the one place changes are applied ------------------------------------
    def apply(
        self, intent: Callable[[], Change], on_error: Callable[[str], None] | None = None
    ) -> Change | None:
        """Run a session intent; on success save it and refresh what it touched.

        A refusal goes to `on_error` (a form shows it and stays open) or a toast.
        """
        if not self.ensure_loaded():
            return None
        try:
            change = self.control.apply(intent)
        except InputError as error:
            if on_error is not None:
                on_error(str(error))
            else:
                self.notify(str(error), severity="error", timeout=6)
            return None
        self.show_change(change)
        return change

    def show_change(self, change: Change) -> None:
        """What a change touched, redrawn; its message told."""
        main = self.main
        if main is not None:
            if self.control.saver is not None:
                indicator = main.query_one(SaveIndicator)
                if self.control.kept_at is not None:
                    indicator.kept(self.control.kept_at)
                else:
                    indicator.saving()
            main.show_change(change)
        if change.message:
            self.notify(change.message, timeout=3)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast, drawn safe: its message often quotes what someone typed or
        a file held (an entry, a path), and an ESC in it cleared the screen, a
        `[` read as markup. Control characters are shown as pictures, text is
        never markup, and a huge quote is cut."""
        super().notify(
            shown(message, 600),
            title=shown(title, 100),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def post_save_result(self, result: SaveResult) -> None:
        """Called on the saver's thread; post_message is thread-safe."""
        self.post_message(SaveDone(result))

    def on_save_done(self, message: SaveDone) -> None:
        report = self.control.received(message.result)
        if report.ask:
            self.guard.ask_about_conflict()
        main = self.main
        found = main.query(SaveIndicator) if main is not None else None
        if not found:  # no screen yet, or its widgets already gone (quitting)
            return
        indicator = found.first()
        if report.kind is Saved.SAVED:
            indicator.saved(report.at, report.newer)
        else:
            indicator.failed(report.error)
            if report.kind is Saved.FAILED:
                self.notify(report.error, title="Save failed", severity="error", timeout=8)

    # -- messages from the widgets --------------------------------------------
    def log_entry(self, entry: EntryBar.Submitted) -> bool:
        """Log what the IC typed in the bar; False when it was refused."""
        assert self.session is not None
        session = self.session
        slash = None if entry.pasted else parse_slash(entry.text.strip())
        if slash is not None and slash.name == "update" and self.check_action("update", ()):
            self.action_update()  # a draft to edit and send (screens/update.py)
            return True
        outgoing = self.incident.commander if self.incident else None
        if entry.pasted:  # a pasted block is taken as it is: no time, command or TODO in it
            change = self.apply(lambda: session.log_pasted(entry.text, entry.typed_at))
        else:
            change = self.apply(lambda: session.log(entry.text, entry.typed_at))
        if change is not None and change.added:
            self._last_logged = change.added[-1]
        if change is not None and change.label == "handover":
            from pmtui.screens.update import open_brief

            open_brief(self, self, outgoing)
        return change is not None

    def edit_last(self) -> None:
        """Up in the empty bar: edit the entry the IC logged last (else the newest)."""
        assert self.incident is not None
        timeline, entry_id = self.incident.timeline, self._last_logged
        try:
            entry_id = timeline[self.incident.index_of(entry_id or "")].id
        except KeyError:
            entry_id = timeline[-1].id if timeline else None
        if entry_id is None:
            self.notify("Nothing logged yet: type what is happening and press Enter", timeout=3)
        else:
            self._edit_entry(entry_id)

    def _open_form(self, form: Form[Any], intent: Callable[[dict[str, Any]], Change]) -> None:
        """Show a form; its Save applies `intent(values)` and closes it only when applied."""

        def submit(values: dict[str, Any]) -> bool:
            return self.apply(lambda: intent(values), on_error=form.show_error) is not None

        form.submit = submit
        self.push_screen(form)

    def on_timeline_view_requested(self, message: TimelineView.Requested) -> None:
        assert self.session is not None and self.incident is not None
        session, entry_id = self.session, message.entry_id
        if message.verb is EntryVerb.DELETE:
            text = self.incident.timeline[self.incident.index_of(entry_id)].text
            self.apply(lambda: _says(session.delete_entry(entry_id), "entry", text))
        elif message.verb is EntryVerb.TO_ACTION:
            self.apply(lambda: session.entry_to_action(entry_id))
        else:
            self._edit_entry(entry_id)

    def _edit_entry(self, entry_id: str) -> None:
        from pmtui.screens import EntryEditor

        assert self.session is not None and self.incident is not None
        session, entry = self.session, self.incident.timeline[self.incident.index_of(entry_id)]
        self._open_form(
            EntryEditor(self.incident, entry, self.clock),
            lambda values: session.edit_entry(entry_id, **values),
        )

    def on_action_list_requested(self, message: ActionList.Requested) -> None:
        from pmtui.screens import ActionEditor

        assert self.session is not None and self.incident is not None
        session, action_id, verb = self.session, message.action_id, message.verb
        if verb is ActionVerb.ADD or action_id is None:
            self._open_form(
                ActionEditor(zone=self.incident.zone, now=self.clock()),
                lambda values: session.add_action(**values),
            )
        elif verb is ActionVerb.TOGGLE:
            self.apply(lambda: session.toggle_action(action_id))
        elif verb is ActionVerb.DELETE:
            text = self.incident.actions[self.incident.action_index(action_id)].text
            self.apply(lambda: _says(session.delete_action(action_id), "action item", text))
        else:
            item = self.incident.actions[self.incident.action_index(action_id)]
            self._open_form(
                ActionEditor(item, zone=self.incident.zone, now=self.clock()),
                lambda values: session.edit_action(action_id, **values),
            )

    # -- app commands ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"undo", "redo"}:  # typing in any field, else the incident's
            focused = self.focused  # an Input, or a TextArea (it has its own undo)
            text_field = isinstance(focused, Input) or hasattr(focused, "action_undo")
            return text_field or isinstance(self.screen, MainScreen)
        if action == "stamp":  # a marker is for this second, wherever the IC is
            return self.session is not None
        if action in {"summary", "preview", "set_status", "update", "filter"}:
            return isinstance(self.screen, MainScreen)
        if action == "help":  # by name: importing the dialogs here would slow first paint
            return type(self.screen).__name__ != "HelpScreen"
        return True

    def action_stamp(self) -> None:
        assert self.session is not None
        change = self.apply(self.session.stamp)
        if change is not None:
            self._last_logged = change.focus_entry

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fields.changed(event.input, event.value)

    def action_undo(self) -> None:
        self._undo_or_redo(redo=False)

    def action_redo(self) -> None:
        self._undo_or_redo(redo=True)

    def _undo_or_redo(self, redo: bool) -> None:
        """In a text field, undo (redo) the typing; otherwise the last incident change."""
        word = "Redone" if redo else "Undone"
        typed = self.fields.step(self.focused, redo)
        if typed is not None:
            if typed:
                self.notify(f"{word}: typing in this field", timeout=2)
            else:
                self.notify("Nothing more to undo in this field", timeout=3)
            return
        if not isinstance(self.screen, MainScreen) or self.session is None:
            return
        self.fields.forget_redo(self.focused)
        self.apply(self.control.undoing(redo))

    def action_set_status(self, status: str) -> None:
        assert self.session is not None
        session = self.session
        self.apply(lambda: session.set_status(Status(status)))

    def action_summary(self) -> None:
        from pmtui.screens import SummaryEditor

        assert self.session is not None and self.incident is not None
        session = self.session
        self._open_form(SummaryEditor(self.incident, self.clock), session.update_head)

    def action_preview(self) -> None:
        from pmtui.screens import PreviewScreen

        if not self.ensure_loaded():
            return
        self.push_screen(PreviewScreen(*self.control.export()))

    def action_update(self) -> None:
        from pmtui.screens.update import open_update

        if self.ensure_loaded():
            open_update(self, self)

    def action_filter(self) -> None:
        from pmtui.screens.filter import open_filter

        main = self.main
        if main is not None and self.session is not None and self.ensure_loaded():
            open_filter(self, main.query_one(TimelineView), self.session, self.apply)

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return help_sections(self.BINDINGS)

    def action_help(self) -> None:
        from pmtui.screens import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, MainScreen):
            yield from main_screen_commands(self, screen, self.action_set_status)
        yield from super().get_system_commands(screen)

    # -- quitting -------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        # Textual's only hook for an error nothing caught; it ends the app.
        # What is in the entry bar is logged first (pmtui.guard).
        # private: no public API for this in Textual 8.2.8; pinned textual==8.2.8
        self.guard.on_crash(error)
        super()._handle_exception(error)

    async def action_quit(self) -> None:
        """Log what is still in the entry bar, save, write the postmortem, exit."""
        await self.guard.quit()


def _says(change: Change, what: str, text: str) -> Change:
    """A delete names what it deleted, and how to bring it back."""
    shown = text if len(text) <= 40 else text[:39] + "…"
    change.message = f"Deleted {what} “{shown}”: ctrl+z brings it back"
    return change


def run(
    path: Path | None,
    new_options: argparse.Namespace | None = None,
    update_cmd: str | None = None,
) -> int:
    """Open (or create) an incident in the TUI; returns the exit code."""
    from pmtui.core.new import new_incident

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
    app.update_command = update_cmd
    install_paste_parser()  # a pasted ESC must not turn into keys (widgets/paste.py)
    return run_app(app)


def run_app(app: PmtuiApp, **options: Any) -> int:
    """Run the app (`options` go to App.run); say truly how it ended; the exit code."""
    written: Path | None = None
    try:
        written = app.run(**options)
    finally:
        app.control.settle()
        app.control.close()
    code, line = app.control.outcome(written)
    if line is not None:
        error = line.startswith("pmtui: ")  # the file is broken, or changes are lost
        with contextlib.suppress(OSError):  # after a SIGHUP there may be no terminal left
            print(line, file=sys.stderr if error else sys.stdout)
    return code
