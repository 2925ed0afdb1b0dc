"""The IC's own changes as journal ops: what a session `Change` did, as data.

`IncidentControl.apply` runs an intent through the session (which changes the
model and keeps the undo), then turns the change into ops here, appends them
to this pmtui's own journal file (one write, fsync'd) and lets the fold settle
them exactly as every other clone will: the model is put back as it was and
the records are folded into it, so the LWW ledger, the edit history and the
ids (`j:<record id>`, `a:<record id>`: unique across clones) are the same
everywhere. A session change names what it touched with the state before
(`removed`, `head`, `actions`); the model holds the state after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmtui.core import ops
from pmtui.core.journal import Record
from pmtui.core.model import ActionItem, EntryKind, Incident, TimelineEntry
from pmtui.core.session import Change
from pmtui.core.settle import ACTION_PREFIX, PREFIX

_STATUS_TIMES = tuple(ops.STATUS_TIMES.values())


@dataclass
class Planned:
    """The ops of one change, and which local ids the records they make replace."""

    ops: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    makes: dict[int, str] = field(default_factory=dict)  # op index -> local id it replaces

    def renamed(self, records: list[Record]) -> dict[str, str]:
        """Local id -> the id the fold gives it (from its record)."""
        names: dict[str, str] = {}
        for index, local in self.makes.items():
            prefix = ACTION_PREFIX if self.ops[index][0] == ops.ACTION else PREFIX
            names[local] = prefix + records[index].id
        return names


def _entry_fields(entry: TimelineEntry) -> dict[str, Any]:
    values: dict[str, Any] = {"text": entry.text, "at": entry.at, "kind": entry.kind}
    values["author"] = entry.author
    source = (entry.model_extra or {}).get("source")
    if source is not None:
        values["source"] = source
    return values


def _action_fields(item: ActionItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ops.ACTION_FIELDS}


def _differ(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in new.items() if old.get(name) != value}


def plan(change: Change, incident: Incident, restoring: bool = False) -> Planned:
    """The ops that take the incident from the state `change` remembers to its own.

    `restoring`: an undo or redo, which puts back entries and actions that were
    there before (an edit of every field brings a deleted one back); otherwise an
    entry or action the incident did not have is new (`op_entry`, `op_action`).
    """
    planned = Planned()
    before = {entry.id: entry for entry in change.removed}
    touched = list(dict.fromkeys([*before, *change.added]))
    new_entries: list[TimelineEntry] = []
    for ident in touched:
        old, new = before.get(ident), incident.find_entry(ident)
        if old is not None and new is None:
            planned.ops.append(ops.op_entry_delete(ident))
        elif old is not None and new is not None:
            changed = _differ(_entry_fields(old), _entry_fields(new))
            if changed:
                planned.ops.append(ops.op_entry_edit(ident, **changed))
        elif new is not None and restoring:
            planned.ops.append(ops.op_entry_edit(ident, **_entry_fields(new)))
        elif new is not None:
            new_entries.append(new)
    _plan_head(planned, change, incident, new_entries)
    for entry in new_entries:
        planned.makes[len(planned.ops)] = entry.id
        fields = _entry_fields(entry)
        planned.ops.append(ops.op_entry(**fields))
    if change.actions is not None:
        _plan_actions(planned, change.actions, incident.actions, restoring)
    return planned


def _plan_head(
    planned: Planned, change: Change, incident: Incident, new_entries: list[TimelineEntry]
) -> None:
    if change.head is None:
        return
    changed = {
        name: getattr(incident, name)
        for name, value in change.head.items()
        if getattr(incident, name) != value
    }
    status_entry = next((entry for entry in new_entries if entry.kind is EntryKind.STATUS), None)
    if "status" in changed and status_entry is not None:
        new_entries.remove(status_entry)
        planned.makes[len(planned.ops)] = status_entry.id
        times = {name: getattr(incident, name) for name in _STATUS_TIMES}
        planned.ops.append(
            ops.op_status(
                incident.status.value,
                status_entry.at,
                text=status_entry.text,
                author=status_entry.author,
                times=times,
            )
        )
        for name in ("status", *_STATUS_TIMES):
            changed.pop(name, None)
    if changed:
        planned.ops.append(ops.op_head(**changed))


def _plan_actions(
    planned: Planned, before: list[ActionItem], after: list[ActionItem], restoring: bool
) -> None:
    old = {item.id: item for item in before}
    new = {item.id: item for item in after}
    for ident in old:
        if ident not in new:
            planned.ops.append(ops.op_action_delete(ident))
    for ident, item in new.items():
        if ident in old:
            changed = _differ(_action_fields(old[ident]), _action_fields(item))
            if changed:
                planned.ops.append(ops.op_action_edit(ident, **changed))
        elif restoring:
            planned.ops.append(ops.op_action_edit(ident, **_action_fields(item)))
        else:
            planned.makes[len(planned.ops)] = ident
            fields = {k: v for k, v in _action_fields(item).items() if k != "status"}
            planned.ops.append(ops.op_action(**fields))  # a new item is open
