"""The one place that changes an incident: every edit, its undo, its message.

The UI sends intents here (log this text, delete that entry); the session
applies them to the model, remembers how to undo them, and says what changed
so the UI can refresh just that and the saver can write it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from pmtui.core import roles, stamps
from pmtui.core.commands import (
    BY_NAME,
    parse_slash,
    split_action,
    split_owner,
    split_ticket,
    todo_text,
)
from pmtui.core.dates import HINT, parse_due
from pmtui.core.model import (
    POSTMORTEM_FIELDS,
    ActionItem,
    ActionKind,
    ActionStatus,
    EntryKind,
    Incident,
    Status,
    TimelineEntry,
    has_surrogates,
)
from pmtui.core.tail import JournalTail, who
from pmtui.core.timeparse import TimeError, parse_leading_time, when_text

_HEAD_FIELDS = (
    "title",
    "severity",
    "commander",
    "summary",
    "impact",
    "root_cause",
    "resolution",
    *POSTMORTEM_FIELDS,
)
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
_STAFF_COMMANDS: dict[str, Callable[[Incident, str, datetime], roles.Staffing]] = {
    "join": roles.join,
    "leave": roles.leave,
    "handover": roles.handover,
}
_STATUS_STAMP = {
    Status.DETECTED: "detected_at",
    Status.MITIGATED: "mitigated_at",
    Status.RESOLVED: "resolved_at",
}


class InputError(ValueError):
    """What the IC typed cannot be applied; the text stays where it was."""


P = ParamSpec("P")
R = TypeVar("R")


def _time_refused(method: Callable[P, R]) -> Callable[P, R]:
    """A time that cannot be meant (TimeError, wherever it is read) refuses the line."""

    @functools.wraps(method)
    def refusing(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except TimeError as error:
            raise InputError(str(error)) from None

    return refusing


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
    def __init__(
        self,
        incident: Incident,
        clock: Callable[[], datetime] = utc_now,
        login: str | None = None,
    ) -> None:
        self.incident = incident
        self.clock = clock
        self.login = login or roles.login_name()
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
            "responders",
            "updates",
            "export",
        )
        return {name: getattr(inc, name) for name in fields}

    @property
    def author(self) -> str:
        """Who the IC's own entries are by: the commander, else the login name."""
        return self.incident.commander or self.login

    def staff(self, name: str, argument: str, typed_at: datetime | None = None) -> Change:
        """`/role`, `/join`, `/leave`, `/handover` (and `/ic`): a logged change of people."""
        moment, rest = self._parse(argument, typed_at or self.clock())
        at = (moment or typed_at or self.clock()).astimezone(UTC)
        try:
            if name == "ic":
                if not rest:
                    raise roles.StaffError("/ic needs a name")
                done = roles.give_role(self.incident, roles.COMMANDER, rest, at)
            elif name == "role":
                role, _, person = rest.partition(" ")
                done = roles.give_role(self.incident, role, person, at)
            else:
                done = _STAFF_COMMANDS[name](self.incident, rest, at)
        except roles.StaffError as error:
            raise InputError(str(error)) from None
        head = self._head()
        author = self.author  # who typed it: the outgoing commander, on a handover
        self.incident.responders = done.responders
        if done.commander is not None:
            self.incident.commander = done.commander
        entry = self.incident.add_entry(done.text, at, EntryKind.NOTE, author)
        label = "handover" if name == "handover" else "people"
        message = "" if done.message == done.text else done.message  # the entry says it
        change = Change(label, message, head=head, added=[entry.id], focus_entry=entry.id)
        return self._done(change)

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

    def put_back(self, change: Change) -> None:
        """Put the model back as it was before `change`, leaving the undo as it is
        (the control then folds the change's journal ops over it)."""
        self._revert(change)

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
    @_time_refused
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
        elif command.name in (*_STAFF_COMMANDS, "role", "ic"):
            change = self.staff(command.name, command.argument, typed_at)
        elif command.name == "update":
            raise InputError("/update opens the update draft: press ctrl+o")
        elif command.name in ("sev", "title"):
            if not command.argument:  # clearing a fact is the summary editor's (ctrl+s)
                what = {"sev": "a severity, 1 to 4", "title": "a title", "ic": "a name"}
                raise InputError(f"/{command.name} needs {what[command.name]}")
            field_name = {"sev": "severity", "title": "title", "ic": "commander"}[command.name]
            change = self.update_head({field_name: command.argument or None})
        else:
            known = ", ".join("/" + name for name in BY_NAME)
            raise InputError(f"unknown command /{command.name}: try {known}")
        change.message += note
        return change

    def log_pasted(self, text: str, typed_at: datetime | None = None) -> Change:
        """A paste (a log excerpt, a stack trace) logged as it is: a leading
        timestamp is the log's own, not a backdate; a leading "/" is not a command."""
        if not text.strip():
            raise InputError("nothing to log")
        note = " (a bad byte was replaced with �)" if has_surrogates(text) else ""
        entry = self.incident.add_entry(
            text.strip(), typed_at or self.clock(), EntryKind.NOTE, self.author
        )
        return self._done(Change("log", note.strip(), added=[entry.id], focus_entry=entry.id))

    def log_verbatim(self, text: str, typed_at: datetime | None = None) -> Change:
        """Log the text as a plain note, slash and all (quitting with a refused entry)."""
        if not text.strip():
            raise InputError("nothing to log")
        typed_at = typed_at or self.clock()
        try:
            change, _ = self._add(text.strip(), typed_at, EntryKind.NOTE)
        except InputError:  # a leading time that cannot be meant: keep it as words
            entry = self.incident.add_entry(text.strip(), typed_at, EntryKind.NOTE, self.author)
            change = self._done(Change("log", "", added=[entry.id], focus_entry=entry.id))
        return change

    def _log_note(self, text: str, typed_at: datetime) -> Change:
        todo = todo_text(self._parse(text, typed_at)[1])  # a refused time: InputError
        todo, ticket = split_ticket(todo) if todo else ("", None)
        task, owner, due = split_action(todo) if todo else ("", None, None)
        day = self._due(due, typed_at)  # a bad due date refuses the line, kept in the bar
        change, _ = self._add(text, typed_at, EntryKind.NOTE)
        if task:
            change.actions = list(self.incident.actions)
            item = self.incident.add_action(task, owner=owner, due=day, ticket=ticket)
            change.message = f"Logged, and added action {item.id}{self._due_note(day)}"
        return change

    def _due_note(self, day: date | None) -> str:
        """' (due Fri 27 Nov 2026)': what a due word was taken to mean; a date
        already past (a year typed wrong) is said, as the item is overdue at once."""
        if day is None:
            return ""
        past = day < self.incident.local(self.clock()).date()
        return f" (due {day:%a} {day.day} {day:%b %Y}" + (": already past)" if past else ")")

    def _due(self, word: str | None, now: datetime | None = None) -> date | None:
        """The date a `due:` word names, in the incident's timezone; refuses a bad one."""
        if word is None:
            return None
        day = parse_due(word, now or self.clock(), self.incident.zone)
        if day is None:
            raise InputError(f"due:{word} is not a date: try {HINT}")
        return day

    def _add(self, text: str, typed_at: datetime, kind: EntryKind) -> tuple[Change, TimelineEntry]:
        moment, rest = self._parse(text, typed_at)
        head = self._head()
        entry = self.incident.add_entry(rest, moment or typed_at, kind, self.author)
        # the entry showing up in the timeline is feedback enough, unless backdated
        notes = [f"Backdated to {self._when(entry.at)}"] if moment is not None else []
        if moment is not None and moment > typed_at:
            ahead = round((moment - typed_at).total_seconds() / 60)
            notes = [f"Logged at {self._when(moment)}, {ahead} min ahead of this clock (skew)"]
        notes += stamps.follow(self.incident, entry, self._when)
        moved = head != self._head()
        change = Change(
            "log",
            "; ".join(notes),
            head=head if moved else None,
            added=[entry.id],
            focus_entry=entry.id,
        )
        return self._done(change), entry

    # -- time rules -----------------------------------------------------------
    def _parse(self, text: str, now: datetime) -> tuple[datetime | None, str]:
        """A leading time (as a UTC instant) and the rest; InputError if it cannot be meant."""
        try:
            moment, rest = parse_leading_time(text, now, self.incident.zone)
        except TimeError as error:
            raise InputError(str(error)) from None
        return (None if moment is None else moment.astimezone(UTC)), rest

    def _when(self, moment: datetime) -> str:
        """'19:39:00', or with the date when it is not today."""
        return when_text(self.incident.local(moment), self.clock())

    def _check_stamps(self, times: dict[str, datetime | None]) -> None:
        problem = stamps.stamp_problem(self.incident, times)
        if problem:
            raise InputError(problem)

    def fold_journal(self, tail: JournalTail) -> Change | None:
        """Entries others appended to the journal (`pmtui log`, responders, bots).

        Not on the undo stack: the IC's ctrl+z undoes the IC's own changes.
        Never while a big incident is still loading (its owner, pmtui.core.control,
        waits); the poll, via tail.poll, reads only what grew.
        """
        folded = tail.poll(self.incident)
        added = [entry.id for entry in folded.added]
        names = sorted({who(entry) for entry in folded.added})
        message = ""
        if added:
            count = f"{len(added)} entries" if len(added) > 1 else "an entry"
            message = f"{count} from {', '.join(names[:3])}" + (" and others" if names[3:] else "")
        # the IC's cursor stays where it is; edits, deletes, facts and actions redraw too
        change = Change("journal", message, added=folded.entry_ids, removed=folded.removed)
        change.head = {} if folded.head else None  # not on the undo stack: nothing to keep
        change.actions = list(self.incident.actions) if folded.actions else None
        return change

    def send_update(self, text: str) -> Change:
        """A stakeholder update went out: logged whole as a comms entry; the clock restarts."""
        text = text.strip()
        if not text:
            raise InputError("the update is empty: nothing sent")
        head = self._head()
        now = self.clock()
        entry = self.incident.add_entry(text, now, EntryKind.COMMS, self.author)
        self.incident.updates = self.incident.updates.model_copy(update={"last_sent": entry.at})
        return self._done(Change("update", "", head=head, added=[entry.id], focus_entry=entry.id))

    def hide_in_export(self, hide: list[str]) -> Change:
        """What the postmortem's timeline leaves out: status entries, markers, or neither."""
        head = self._head()
        try:
            self.incident.export = self.incident.export.model_validate({"hide": hide})
        except ValueError as error:
            raise InputError(_first_problem(error)) from None
        if self.incident.export == head["export"]:
            return Change("export", "")
        shown = " and ".join(self.incident.export.hide) or "nothing"
        return self._done(Change("export", f"The export now leaves out {shown}", head=head))

    def stamp(self) -> Change:
        """A bare marker at this very second, to annotate later."""
        entry = self.incident.add_entry("", self.clock(), EntryKind.NOTE, self.author)
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
        """Move to a status now (or at a leading time in `note`).

        Asked again for the status it has, with a time, it corrects that
        status's time (and moves its status entry); without one, it says how.
        """
        moment = at or self.clock()
        backdated = None
        if note:
            backdated, note = self._parse(note, moment)
            moment = backdated or moment
        moment = moment.astimezone(UTC)
        head = self._head()
        if status is self.incident.status:
            return self._correct_status(status, moment if backdated else None, note, head)
        entry = self.incident.set_status(status, moment, self.author)
        assert entry is not None
        if note:
            entry = self.incident.replace_entry(entry.id, text=f"{entry.text}: {note}")[1]
        notes = [
            f"{status.value.capitalize()} at {self._when(moment)}",
            *stamps.follow(self.incident, entry, self._when),
        ]
        return self._done(
            Change(
                f"status {status.value}",
                "; ".join(notes),
                head=head,
                added=[entry.id],
                focus_entry=entry.id,
            )
        )

    def _correct_status(
        self, status: Status, moment: datetime | None, note: str, head: dict[str, Any]
    ) -> Change:
        """`/mitigated 20:05` on a mitigated incident: move its time and status entry."""
        name = _STATUS_STAMP[status]
        current = getattr(self.incident, name)
        if moment is None:
            since = f" since {self._when(current)}" if current else ""
            raise InputError(
                f"the incident is already {status.value}{since}: "
                f"/{status.value} 20:05 moves that time, ctrl+s edits every time"
            )
        times: dict[str, datetime | None] = {name: moment}
        if status is Status.RESOLVED and self.incident.mitigated_at == current:
            times["mitigated_at"] = moment  # resolved directly: mitigated with it
        started: dict[str, datetime | None] = {}
        if moment < self.incident.started_at:
            started["started_at"] = moment
        self._check_stamps(started | times)
        self.incident.started_at = min(self.incident.started_at, moment)
        added, removed = stamps.move_stamps(self.incident, times)
        if note and added:
            entry = self.incident.timeline[self.incident.index_of(added[-1])]
            word = entry.text.split(":", 1)[0]
            self.incident.replace_entry(entry.id, text=f"{word}: {note}")
        notes = [f"{status.value.capitalize()} time moved to {self._when(moment)} (ctrl+z undoes)"]
        if started:
            notes.append(f"Impact start moved to {self._when(moment)}")
        return self._done(
            Change(
                f"{status.value} time",
                "; ".join(notes),
                head=head,
                added=added,
                removed=removed,
                focus_entry=added[-1] if added else None,
            )
        )

    def update_head(self, values: dict[str, Any]) -> Change:
        """Set facts (title, severity, commander, free text, the stamps).

        Validated by the model; stamps must be in order, and a status stamp
        moves its status entry with it.
        """
        head = self._head()
        times = {name: values[name] for name in stamps.STAMPS if name in values}
        times = {n: None if v is None else v.astimezone(UTC) for n, v in times.items()}
        times = {name: value for name, value in times.items() if value != head[name]}
        added: list[str] = []
        removed: list[TimelineEntry] = []
        try:
            for name, value in values.items():
                if name not in stamps.STAMPS:
                    setattr(self.incident, name, value)
            if times:
                self._check_stamps(times)
                added, removed = stamps.move_stamps(self.incident, times)
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            for name, value in head.items():
                setattr(self.incident, name, value)
            raise InputError(_first_problem(error)) from None
        changed = [name for name in values if head.get(name) != getattr(self.incident, name)]
        return self._done(
            Change(
                "facts",
                "Updated " + ", ".join(changed) if changed else "No change",
                head=head,
                added=added,
                removed=removed,
            )
        )

    # -- timeline edits -------------------------------------------------------
    def edit_entry(self, entry_id: str, **changes: Any) -> Change:
        """Edit an entry; moving a status entry's time moves its stamp with it."""
        inc = self.incident
        head = self._head()
        entry = inc.timeline[inc.index_of(entry_id)]
        at = changes.get("at")
        if at is not None:
            changes["at"] = at = at.astimezone(UTC)
        held = stamps.stamps_held(inc, entry) if at is not None and at != entry.at else []
        if held:
            self._check_stamps(dict.fromkeys(held, at))
        try:
            old, new = inc.replace_entry(entry_id, **changes)
        except ValueError as error:
            raise InputError(_first_problem(error)) from None
        for name in held:
            setattr(inc, name, new.at)
        notes = ["Entry updated"]
        if held:
            words = " and ".join(name.removesuffix("_at") for name in held)
            notes = [f"Entry and the {words} time moved to {self._when(new.at)}"]
        notes += stamps.follow(self.incident, new, self._when)
        return self._done(
            Change(
                "edit",
                "; ".join(notes),
                head=head if head != self._head() else None,
                added=[new.id],
                removed=[old],
                focus_entry=new.id,
            )
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
        ticket: str | None = None,
    ) -> Change:
        if owner is None and due is None and ticket is None:
            text, ticket = split_ticket(text)
            text, owner, word = split_action(text)
            due = self._due(word)
        if not text.strip():
            raise InputError("an action item needs some text")
        before = list(self.incident.actions)
        item = self.incident.add_action(text.strip(), kind, owner, due, ticket)
        message = f"Added action {item.id}: {item.text}{self._due_note(due)}"
        return self._done(Change("action", message, actions=before))

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
        from pmtui.core.store import problem_text

        first = errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        return f"{where}: {problem_text(first)}"
    return str(error)
