"""The one place that changes an incident: every edit, its undo, its message.

The UI sends intents here (log this text, delete that entry); the session
applies them to the model, remembers how to undo them, and says what changed
so the UI can refresh just that and the saver can write it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pmtui.commands import BY_NAME, parse_slash, split_owner
from pmtui.model import (
    ActionItem,
    ActionKind,
    ActionStatus,
    EntryKind,
    Incident,
    Status,
    TimelineEntry,
    has_surrogates,
)
from pmtui.timeparse import parse_leading_time

_HEAD_FIELDS = ("title", "severity", "commander", "summary", "impact", "root_cause", "resolution")
_KIND_COMMANDS = {
    "decision": EntryKind.DECISION,
    "comms": EntryKind.COMMS,
    "detect": EntryKind.DETECTION,
}
_STATUS_COMMANDS = {
    "mitigated": Status.MITIGATED,
    "resolved": Status.RESOLVED,
    "detected": Status.DETECTED,
}


class InputError(ValueError):
    """What the IC typed cannot be applied; the text stays where it was."""


@dataclass
class Change:
    """What one intent did, and what undoing it needs."""

    label: str
    message: str = ""
    head: dict[str, Any] | None = None  # head fields before the change
    actions: list[ActionItem] | None = None  # the action list before the change
    added: list[str] = field(default_factory=list)  # entry ids added
    removed: list[TimelineEntry] = field(default_factory=list)  # entries removed
    focus_entry: str | None = None

    @property
    def touches_timeline(self) -> bool:
        return bool(self.added or self.removed)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Session:
    def __init__(self, incident: Incident, clock: Callable[[], datetime] = utc_now) -> None:
        self.incident = incident
        self.clock = clock
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []  # what undo took back; a new change clears it

    # -- bookkeeping ----------------------------------------------------------
    def _head(self) -> dict[str, Any]:
        inc = self.incident
        fields = (
            *_HEAD_FIELDS,
            "status",
            "started_at",
            "detected_at",
            "mitigated_at",
            "resolved_at",
        )
        return {name: getattr(inc, name) for name in fields}

    def _done(self, change: Change) -> Change:
        self.undo_stack.append(change)
        del self.undo_stack[:-200]
        self.redo_stack.clear()
        return change

    def undo(self) -> Change | None:
        """Undo the last change; returns it, or None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        change = self.undo_stack.pop()
        self.redo_stack.append(self._revert(change))
        return change

    def redo(self) -> Change | None:
        """Apply again what the last undo took back; None when there is nothing to redo."""
        if not self.redo_stack:
            return None
        change = self.redo_stack.pop()
        self.undo_stack.append(self._revert(change))
        return change

    def describe(self, change: Change) -> str:
        """What a change on the undo or redo stack did: its kind and the entry's text."""
        texts = [entry.text for entry in change.removed]
        for entry_id in change.added:
            with contextlib.suppress(KeyError):
                texts.append(self.incident.timeline[self.incident.index_of(entry_id)].text)
        quoted = next((text for text in texts if text), "")
        if len(quoted) > 40:
            quoted = quoted[:39] + "…"
        return f"{change.label} “{quoted}”" if quoted else change.label

    def _revert(self, change: Change) -> Change:
        """Put back the state `change` remembers; returns the change that undoes this."""
        inc = self.incident
        back = Change(change.label, added=[entry.id for entry in change.removed])
        for entry_id in change.added:
            back.removed.append(inc.remove_entry(entry_id))
        for entry in change.removed:
            inc.insert_entry(entry)
        if change.actions is not None:
            back.actions = list(inc.actions)
            inc.actions[:] = change.actions
        if change.head is not None:
            back.head = {name: getattr(inc, name) for name in change.head}
            for name, value in change.head.items():
                setattr(inc, name, value)
        return back

    # -- logging --------------------------------------------------------------
    def log(self, text: str, typed_at: datetime | None = None) -> Change:
        """Apply what the IC typed in the entry bar."""
        typed_at = typed_at or self.clock()
        note = " (a bad byte was replaced with �)" if has_surrogates(text) else ""
        text = text.strip()
        if not text:
            raise InputError("nothing to log")
        command = parse_slash(text)
        if command is None:
            change = self._log_note(text, typed_at)
        elif command.name in _STATUS_COMMANDS:
            change = self.set_status(_STATUS_COMMANDS[command.name], command.argument, typed_at)
        elif command.name in _KIND_COMMANDS:
            if not command.argument:
                raise InputError(f"/{command.name} needs some text")
            change, _ = self._add(command.argument, typed_at, _KIND_COMMANDS[command.name])
        elif command.name in ("action", "prevent"):
            kind = ActionKind.CORRECTIVE if command.name == "action" else ActionKind.PREVENTIVE
            change = self.add_action(command.argument, kind)
        elif command.name in ("sev", "title", "ic"):
            field_name = {"sev": "severity", "title": "title", "ic": "commander"}[command.name]
            change = self.update_head({field_name: command.argument or None})
        else:
            known = ", ".join("/" + name for name in BY_NAME)
            raise InputError(f"unknown command /{command.name}: try {known}")
        change.message += note
        return change

    def log_verbatim(self, text: str, typed_at: datetime | None = None) -> Change:
        """Log the text as a plain note, slash and all (quitting with a refused entry)."""
        if not text.strip():
            raise InputError("nothing to log")
        change, _ = self._add(text.strip(), typed_at or self.clock(), EntryKind.NOTE)
        return change

    def _log_note(self, text: str, typed_at: datetime) -> Change:
        change, entry = self._add(text, typed_at, EntryKind.NOTE)
        if entry.text[:4].upper() == "TODO" and entry.text[4:5] in ("", " ", ":"):
            todo = entry.text[4:].lstrip(" :").strip()
            if todo:
                task, owner = split_owner(todo)
                change.actions = list(self.incident.actions)
                item = self.incident.add_action(task, owner=owner)
                change.message = f"Logged, and added action {item.id}"
        return change

    def _add(self, text: str, typed_at: datetime, kind: EntryKind) -> tuple[Change, TimelineEntry]:
        moment, rest = parse_leading_time(text, typed_at, self.incident.zone)
        entry = self.incident.add_entry(rest, moment or typed_at, kind)
        # the entry showing up in the timeline is feedback enough, unless backdated
        when = self.incident.local(entry.at).strftime("%H:%M:%S")
        message = f"Backdated to {when}" if moment is not None else ""
        if entry.at < self.incident.started_at:
            start = self.incident.local(self.incident.started_at).strftime("%H:%M:%S")
            message = (
                f"Logged at {when}, before the impact start ({start}): "
                "ctrl+s moves the start if the impact began earlier"
            )
        change = Change("log", message, added=[entry.id], focus_entry=entry.id)
        return self._done(change), entry

    def stamp(self) -> Change:
        """A bare marker at this very second, to annotate later."""
        entry = self.incident.add_entry("", self.clock(), EntryKind.NOTE)
        when = self.incident.local(entry.at).strftime("%H:%M:%S")
        return self._done(
            Change(
                "marker",
                f"Marker at {when}: ↑ in the empty bar annotates it",
                added=[entry.id],
                focus_entry=entry.id,
            )
        )

    # -- status and facts -----------------------------------------------------
    def set_status(self, status: Status, note: str = "", at: datetime | None = None) -> Change:
        moment = at or self.clock()
        if note:
            backdated, note = parse_leading_time(note, moment, self.incident.zone)
            moment = backdated or moment
        head = self._head()
        entry = self.incident.set_status(status, moment)
        if entry is None:
            raise InputError(f"the incident is already {status.value}")
        if note:
            self.incident.replace_entry(entry.id, text=f"{entry.text}: {note}")
        word = self.incident.local(moment).strftime("%H:%M:%S")
        return self._done(
            Change(
                f"status {status.value}",
                f"{status.value.capitalize()} at {word}",
                head=head,
                added=[entry.id],
                focus_entry=entry.id,
            )
        )

    def update_head(self, values: dict[str, Any]) -> Change:
        """Set facts (title, severity, commander, free text); validated by the model."""
        head = self._head()
        try:
            for name, value in values.items():
                setattr(self.incident, name, value)
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            for name, value in head.items():
                setattr(self.incident, name, value)
            raise InputError(_first_problem(error)) from None
        changed = [name for name in values if head.get(name) != getattr(self.incident, name)]
        return self._done(
            Change("facts", "Updated " + ", ".join(changed) if changed else "No change", head=head)
        )

    # -- timeline edits -------------------------------------------------------
    def edit_entry(self, entry_id: str, **changes: Any) -> Change:
        try:
            old, new = self.incident.replace_entry(entry_id, **changes)
        except ValueError as error:
            raise InputError(_first_problem(error)) from None
        return self._done(
            Change("edit", "Entry updated", added=[new.id], removed=[old], focus_entry=new.id)
        )

    def delete_entry(self, entry_id: str) -> Change:
        old = self.incident.remove_entry(entry_id)
        return self._done(Change("delete", "Entry deleted: ctrl+z brings it back", removed=[old]))

    def entry_to_action(self, entry_id: str) -> Change:
        entry = self.incident.timeline[self.incident.index_of(entry_id)]
        if not entry.text.strip():
            raise InputError("this entry has no text to turn into an action")
        task, owner = split_owner(entry.text)
        return self.add_action(task, owner=owner)

    # -- actions --------------------------------------------------------------
    def add_action(
        self,
        text: str,
        kind: ActionKind = ActionKind.CORRECTIVE,
        owner: str | None = None,
        due: date | None = None,
    ) -> Change:
        if owner is None:
            text, owner = split_owner(text)
        if not text.strip():
            raise InputError("an action item needs some text")
        before = list(self.incident.actions)
        item = self.incident.add_action(text.strip(), kind, owner, due)
        return self._done(Change("action", f"Added action {item.id}: {item.text}", actions=before))

    def edit_action(self, action_id: str, **changes: Any) -> Change:
        before = list(self.incident.actions)
        try:
            self.incident.replace_action(action_id, **changes)
        except ValueError as error:
            raise InputError(_first_problem(error)) from None
        return self._done(Change("edit action", "Action updated", actions=before))

    def toggle_action(self, action_id: str) -> Change:
        item = self.incident.actions[self.incident.action_index(action_id)]
        new = ActionStatus.OPEN if item.done else ActionStatus.DONE
        change = self.edit_action(action_id, status=new)
        change.message = f"Action {action_id} {new.value}"
        return change

    def delete_action(self, action_id: str) -> Change:
        before = list(self.incident.actions)
        del self.incident.actions[self.incident.action_index(action_id)]
        return self._done(
            Change("delete action", "Action deleted: ctrl+z brings it back", actions=before)
        )


def _first_problem(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        from pmtui.store import problem_text

        first = errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        return f"{where}: {problem_text(first)}"
    return str(error)
