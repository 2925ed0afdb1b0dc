"""The operations a journal line carries: every change to an incident, as data.

Each constructor returns an (op, data) pair for `journal.append` (which also
takes (op, data, key) with an idempotency key). `pmtui.core.fold.fold`
applies them. An op that makes something (an entry, an action) gives it the
id of its record: entries `j:<record id>`, actions `a:<record id>`, so ids
never clash between writers or machines. Every other op names its `target`.

How they settle (fold.py): each field is last-writer-wins by the record's
(hlc, writer, id); a delete hides its target unless an edit newer than it
exists; an edit of a target not seen yet waits for it. Values that lose, or
are overwritten, go to the incident's edit history (`[history] edits` in the
TOML, see pmtui.core.ledger).

A writer that changes what a status entry holds (its time) sends the head's
stamp with it (`op_head(mitigated_at=...)`): ops change one thing each.

The standard library only: `pmtui log` may import this.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    Op = tuple[str, dict[str, Any]]

ENTRY = "entry"
ENTRY_EDIT = "entry.edit"
ENTRY_DELETE = "entry.delete"
STATUS = "status"
HEAD = "head"
ACTION = "action"
ACTION_EDIT = "action.edit"
ACTION_DELETE = "action.delete"
INCIDENT = "incident"

ENTRY_FIELDS = ("text", "at", "kind", "author", "source")
ACTION_FIELDS = ("text", "kind", "owner", "due", "status", "ticket")
NOT_HEAD = ("timeline", "actions", "schema")  # not fields a head op may set
STATUS_TIMES = {"detected": "detected_at", "mitigated": "mitigated_at", "resolved": "resolved_at"}
STATUS_TEXT = {
    "detected": "Re-opened: impact is back",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
}


def plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601, enums by value, a model's parts
    (responders, [updates]) as the JSON its model dumps, lists and tables through."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    dump = getattr(value, "model_dump", None)  # pydantic, without importing it here
    if callable(dump):
        return dump(mode="json", exclude_none=True)
    return value


def _fields(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"{what} has no field {unknown[0]!r}")
    if not fields:
        raise ValueError(f"{what}: nothing to change")
    return {name: plain(value) for name, value in fields.items()}


def op_entry(
    text: str,
    at: datetime,
    kind: str = "note",
    author: str | None = None,
    source: str | None = None,
) -> Op:
    """A new timeline entry (what `pmtui log` writes)."""
    data: dict[str, Any] = {"at": plain(at), "kind": plain(kind), "text": text}
    if author is not None:
        data["author"] = author
    if source is not None:
        data["source"] = source
    return ENTRY, data


def op_entry_edit(entry_id: str, **fields: Any) -> Op:
    """Change some of an entry's text, at, kind, author, source."""
    return ENTRY_EDIT, {"target": entry_id, "set": _fields(fields, ENTRY_FIELDS, "an entry")}


def op_entry_delete(entry_id: str) -> Op:
    return ENTRY_DELETE, {"target": entry_id}


def op_status(
    status: str,
    at: datetime,
    *,
    text: str | None = None,
    author: str | None = None,
    times: dict[str, datetime | None] | None = None,
) -> Op:
    """Move to a status at a time; it also adds the status entry to the timeline.

    It sets the status's own time and clears the later ones (re-opened:
    mitigated and resolved; mitigated: resolved). `times` adds or overrides
    stamps the writer decided from what it sees (resolving straight from
    detected also sets mitigated_at; a first re-open sets detected_at).
    """
    status = plain(status)
    if status not in STATUS_TIMES:
        raise ValueError(f"no status {status!r}")
    stamps: dict[str, Any] = {"mitigated_at": None, "resolved_at": None}
    if status == "mitigated":
        stamps["mitigated_at"] = at
    elif status == "resolved":
        stamps = {"resolved_at": at}
    unknown = sorted(set(times or {}) - set(STATUS_TIMES.values()))
    if unknown:
        raise ValueError(f"a status change sets no {unknown[0]!r}")
    stamps.update(times or {})
    data: dict[str, Any] = {
        "status": status,
        "at": plain(at),
        "text": STATUS_TEXT[status] if text is None else text,
        "set": {name: plain(value) for name, value in stamps.items()},
    }
    if author is not None:
        data["author"] = author
    return STATUS, data


def op_head(**fields: Any) -> Op:
    """Set facts of the incident by name: title, severity, commander, summary,
    impact, root_cause, resolution, the stamps, or any other top-level field."""
    bad = [name for name in fields if name in NOT_HEAD or not name.isidentifier()]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a field of the incident's head")
    if not fields:
        raise ValueError("the incident: nothing to change")
    return HEAD, {"set": {name: plain(value) for name, value in fields.items()}}


def op_action(
    text: str,
    kind: str = "corrective",
    owner: str | None = None,
    due: date | None = None,
    ticket: str | None = None,
) -> Op:
    data: dict[str, Any] = {"text": text, "kind": plain(kind)}
    if owner is not None:
        data["owner"] = owner
    if due is not None:
        data["due"] = plain(due)
    if ticket is not None:
        data["ticket"] = ticket
    return ACTION, data


def op_action_edit(action_id: str, **fields: Any) -> Op:
    """Change some of an action item's text, kind, owner, due, status, ticket."""
    return ACTION_EDIT, {"target": action_id, "set": _fields(fields, ACTION_FIELDS, "an action")}


def op_action_done(action_id: str) -> Op:
    return op_action_edit(action_id, status="done")


def op_action_reopen(action_id: str) -> Op:
    return op_action_edit(action_id, status="open")


def op_action_delete(action_id: str) -> Op:
    return ACTION_DELETE, {"target": action_id}


def op_incident(
    title: str,
    started_at: datetime,
    severity: str | None = None,
    timezone: str | None = None,
) -> Op:
    """The first op of an incident that has no TOML yet."""
    data: dict[str, Any] = {"title": title, "started_at": plain(started_at)}
    if severity is not None:
        data["severity"] = severity
    if timezone is not None:
        data["timezone"] = timezone
    return INCIDENT, {"set": data}
