"""`pmtui view PATH`: watch an incident without taking it, and add lines to it.

A manager, or a second responder, keeps the incident on screen while the IC
runs it: no lock is taken and the TOML is never written. The view follows
the file (the IC's saves) and the journal (what anyone logs) within a
second. What the viewer types in the entry bar goes to the journal, as
`pmtui log` would, so it reaches the IC's pmtui and the postmortem; changing
the incident itself (status, edits, deletes, the summary) is the IC's.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pmtui.app import JOURNAL_POLL, PmtuiApp
from pmtui.core.commands import parse_slash
from pmtui.core.control import IncidentControl
from pmtui.core.errors import PmtuiError
from pmtui.core.journal import JournalError, append, folder_of, writer_name
from pmtui.core.model import Incident
from pmtui.core.session import utc_now
from pmtui.core.timeparse import TimeError, parse_leading_time
from pmtui.teamsync import attach as attach_sync
from pmtui.widgets import ActionList, EntryBar, SaveIndicator, TimelineView

_KINDS = {"decision": "decision", "comms": "comms", "detect": "detection"}
_THE_ICS = {"undo", "redo", "summary", "set_status", "stamp"}
WATCH = 0.5  # seconds between looks at the incident file


class ViewApp(PmtuiApp):
    """pmtui's screen over an incident it does not hold."""

    def __init__(
        self,
        path: Path,
        incident: Incident | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Over `path` and its journal, read now (LoadError), or over `incident`."""
        if incident is None:
            control = IncidentControl.view(path, clock=clock)
        else:
            control = IncidentControl(path, incident, clock=clock, read_only=True)
        super().__init__(path, clock=clock, control=control)
        self.author = writer_name().split("@")[0]

    def _start(self) -> None:
        # the controller, read-only: no lock, no saver; changes are only shown
        self.control.start()
        self.set_interval(JOURNAL_POLL, self.fold_journal)
        self.set_interval(WATCH, self._follow_the_file)
        assert self.path is not None and self.incident is not None
        self.syncer = attach_sync(self, self.path, self.incident.zone)  # team mode
        self.call_after_refresh(self._release_early_keys)
        main = self.main
        if main is not None:
            main.query_one(SaveIndicator).failed(f"view only: {self.path} is the IC's")

    def _follow_the_file(self) -> None:
        """The IC saved: show their incident (what the viewer is typing stays)."""
        try:
            changed = self.control.follow_file()
        except PmtuiError as error:  # mid-write by hand, or broken: keep what is shown
            self.notify(str(error), severity="warning", timeout=4)
            return
        main = self.main
        if changed and main is not None and self.incident is not None:
            main.show_incident(self.incident)

    # -- what the viewer may do ------------------------------------------------
    def log_entry(self, entry: EntryBar.Submitted) -> bool:
        """Append what the viewer typed to the journal: the IC's pmtui shows it."""
        assert self.incident is not None and self.path is not None
        text, kind = entry.text.strip(), "note"
        command = None if entry.pasted else parse_slash(text)
        if command is not None:
            if command.name not in _KINDS or not command.argument:
                self.notify(
                    f"/{command.name} is the IC's: a view logs notes, /decision, /comms, /detect",
                    severity="error",
                    timeout=6,
                )
                return False
            text, kind = command.argument, _KINDS[command.name]
        at = entry.typed_at
        if not entry.pasted:
            try:
                moment, text = parse_leading_time(text, entry.typed_at, self.incident.zone)
            except TimeError as error:
                self.notify(str(error), severity="error", timeout=6)
                return False
            at = moment or at
        local = at.astimezone(self.incident.zone)
        data = {"at": local.isoformat(), "kind": kind, "author": self.author, "text": text}
        try:
            append(folder_of(self.path), [("entry", data, None)])
        except JournalError as error:
            self.notify(f"Not logged: {error.strerror}", severity="error", timeout=8)
            return False
        self.fold_journal()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _THE_ICS:
            return False
        return super().check_action(action, parameters)

    def _the_ics(self) -> None:
        self.notify("This is a view: only the IC's pmtui changes the incident", timeout=4)

    def on_timeline_view_requested(self, _message: TimelineView.Requested) -> None:
        self._the_ics()

    def on_action_list_requested(self, _message: ActionList.Requested) -> None:
        self._the_ics()

    def edit_last(self) -> None:
        self._the_ics()

    async def action_quit(self) -> None:
        self.exit(None)


def run_view(path: Path) -> int:
    """Watch `path` until the viewer quits; 0, or 2 when it cannot be read."""
    from pmtui.widgets.paste import install as install_paste_parser

    app = ViewApp(path)  # LoadError: one line, exit 2 (the CLI says it)
    install_paste_parser()
    app.run()
    with contextlib.suppress(OSError):
        print(f"Closed the view of {path}; what you logged is in its journal", file=sys.stdout)
    return 0
