"""How journal ops settle on an incident: last writer wins, exactly once, in any order.

`pmtui.core.fold.fold` runs a `Settler` over records in stamp order. Each
field settles last-writer-wins by (hlc, writer, record id); a delete hides
its target unless an edit newer than it exists (the hidden state is kept to
bring it back); an edit of a target not seen yet waits for it; an entry sent
twice with one `--id` settles on the least content (the earliest `at`). What
must be remembered for that across checkpoints is in pmtui.core.ledger.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pmtui.core import ops
from pmtui.core.journal import Record
from pmtui.core.ledger import Ledger, Stamp, norm, stamp_of
from pmtui.core.model import ActionItem, EntryKind, Incident, TimelineEntry

PREFIX = "j:"
ACTION_PREFIX = "a:"
HEAD = "incident"  # the target of head fields in stamps and history


def entry_id(record: Record) -> str:
    return PREFIX + record.id


def entry_of(record: Record) -> TimelineEntry | None:
    """The timeline entry an `entry` record adds; None for a record we cannot use."""
    data = record.data
    try:
        at = datetime.fromisoformat(str(data["at"]))
        kind = EntryKind(data.get("kind", "note"))
    except (KeyError, ValueError):
        return None
    if at.tzinfo is None or not isinstance(data.get("text", ""), str):
        return None
    extra: dict[str, Any] = {}
    if isinstance(data.get("source"), str):
        extra["source"] = data["source"]
    author = data.get("author")
    try:
        return TimelineEntry(
            id=entry_id(record),
            at=at,
            kind=kind,
            author=author if isinstance(author, str) else None,
            text=data.get("text", ""),
            **extra,
        )
    except ValueError:
        return None


def _action_of(record: Record) -> ActionItem | None:
    data = {k: v for k, v in record.data.items() if k in ops.ACTION_FIELDS}
    try:
        return ActionItem.model_validate({**data, "id": ACTION_PREFIX + record.id})
    except ValueError:
        return None


@dataclass
class Folded:
    """What a fold changed, for the screen to show."""

    added: list[TimelineEntry] = field(default_factory=list)  # new entries
    removed: list[TimelineEntry] = field(default_factory=list)  # entries gone or replaced
    edited: list[TimelineEntry] = field(default_factory=list)  # new versions of entries
    head: bool = False  # a fact of the incident changed
    actions: bool = False  # an action item was added, changed or deleted
    skipped: int = 0  # records this pmtui cannot apply (a newer op, a bad line)

    @property
    def entry_ids(self) -> list[str]:
        """The ids of entries to show again: the new ones and new versions of edited ones."""
        return [entry.id for entry in (*self.added, *self.edited)]


def _keyed(record: Record) -> bool:
    """An id the writer was given (`--id`): another writer may use it too."""
    prefix = record.writer + ":"
    return not (record.id.startswith(prefix) and record.id[len(prefix) :].isdigit())


class Settler:
    """Applies records to one incident and says what changed (`result`)."""

    def __init__(self, incident: Incident, extra: dict[str, Any]) -> None:
        self.incident = incident
        self.ledger = Ledger.of(extra)
        self.result = Folded()

    # -- targets --------------------------------------------------------------
    def _current(self, target: str) -> Any:
        """The entry or action a target names, shown or hidden; None if not seen."""
        kind, _, ident = target.partition("/")
        if target in self.ledger.hidden:
            model = TimelineEntry if kind == "entry" else ActionItem
            return model.model_validate(self.ledger.hidden[target])
        if kind == "entry":
            return self.incident.find_entry(ident)
        for item in self.incident.actions:
            if item.id == ident:
                return item
        return None

    def _put(self, target: str, old: Any, new: Any) -> None:
        """Replace `old` by `new` (either None: add or remove); a hidden target stays hidden."""
        if target in self.ledger.hidden:
            self._hide(target, new)
            return
        kind = target.partition("/")[0]
        if kind == "entry":
            if old is not None:
                self.incident.remove_entry(old.id)
                self.result.removed.append(old)
            if new is not None:
                self.incident.insert_entry(new)
                (self.result.edited if old is not None else self.result.added).append(new)
            return
        self.result.actions = True
        actions = self.incident.actions
        if old is not None and new is not None:
            actions[actions.index(old)] = new
        elif old is not None:
            del actions[actions.index(old)]
        elif new is not None:
            actions.insert(self._action_slot(new.id), new)

    def _hide(self, target: str, item: Any) -> None:
        self.ledger.hidden[target] = {
            k: norm(v) for k, v in item.model_dump().items() if v is not None
        }
        self.ledger.changed = True

    def _action_slot(self, ident: str) -> int:
        """Where an action goes, whatever came before: the file's in their id order
        (as pmtui numbers them), then the journal's in the order of their stamps."""

        def key(name: str) -> tuple[int, Any, int, str]:
            stamp = self.ledger.stamps.get(f"action/+/{name}")
            return (0, (), len(name), name) if stamp is None else (1, stamp, 0, "")

        mine = key(ident)
        for index, item in enumerate(self.incident.actions):
            if key(item.id) > mine:
                return index
        return len(self.incident.actions)

    # -- ops ------------------------------------------------------------------
    def apply(self, record: Record) -> None:
        op = record.op
        data = record.data
        if op == ops.ENTRY:
            self._create("entry", entry_of(record), record)
        elif op == ops.ACTION:
            self._create("action", _action_of(record), record)
        elif op in (ops.ENTRY_EDIT, ops.ACTION_EDIT):
            self._edit(record)
        elif op in (ops.ENTRY_DELETE, ops.ACTION_DELETE):
            self._delete(record)
        elif op in (ops.HEAD, ops.INCIDENT):
            self._head(data.get("set"), stamp_of(record))
        elif op == ops.STATUS:
            self._status(record)
        else:
            self.result.skipped += 1

    def _create(self, kind: str, made: Any, record: Record) -> None:
        if made is None:
            self.result.skipped += 1
            return
        target = f"{kind}/{made.id}"
        old = self._current(target)
        if old is not None:
            if _keyed(record):
                self._recreate(kind, target, old, made)
            return
        if kind == "action":  # journal actions keep the order of their stamps
            self.ledger.set_stamp(f"action/+/{made.id}", stamp_of(record))
        if target in self.ledger.deleted:  # deleted before it was seen here
            self._hide(target, made)
        else:
            self._put(target, None, made)
        for waiting in self.ledger.take(target):
            self._edit(waiting)

    def _recreate(self, kind: str, target: str, old: Any, made: Any) -> None:
        """The same --id twice (a replay, two senders): one entry, and the same one
        whichever came first with no stamp to keep: the one with the least content
        (the earliest `at` first). Fields edited since keep their edits."""
        edited = {
            name for name in made.model_dump() if f"{kind}/{name}/{made.id}" in self.ledger.stamps
        }
        base = old.model_dump() | {name: self.ledger.base(target, name) for name in edited}
        if _content(made.model_dump()) >= _content(base):
            return
        values = made.model_dump()
        for name in edited:
            self.ledger.rebase(target, name, values[name])
            values[name] = _value(old, name)
        new = type(made).model_validate(values)
        if new != old:
            self._put(target, old, new)

    def _edit(self, record: Record) -> None:
        kind = record.op.split(".")[0]
        ident, changes = record.data.get("target"), record.data.get("set")
        allowed = ops.ENTRY_FIELDS if kind == "entry" else ops.ACTION_FIELDS
        if not (isinstance(ident, str) and isinstance(changes, dict) and changes):
            self.result.skipped += 1
            return
        if set(changes) - set(allowed):
            self.result.skipped += 1
            return
        target = f"{kind}/{ident}"
        old = self._current(target)
        if old is None:
            self.ledger.wait(target, record)
            return
        try:
            tried = type(old).model_validate({**old.model_dump(), **changes})
        except ValueError:
            self.result.skipped += 1
            return
        stamp = stamp_of(record)
        won: dict[str, Any] = {}
        for name in changes:
            key = f"{kind}/{name}/{ident}"
            wins = self.ledger.wins(key, stamp)
            if wins is None:
                continue
            if wins:
                previous = self.ledger.stamps.get(key)
                self.ledger.remember(target, name, _value(old, name), previous)
                self.ledger.set_stamp(key, stamp)
                won[name] = _value(tried, name)
            else:
                self.ledger.remember(target, name, _value(tried, name), stamp)
        if won:
            new = type(old).model_validate({**old.model_dump(), **won})
            self._put(target, old, new)
        self._show_if_newer(target, stamp)

    def _delete(self, record: Record) -> None:
        kind = record.op.split(".")[0]
        ident = record.data.get("target")
        if not isinstance(ident, str):
            self.result.skipped += 1
            return
        target, stamp = f"{kind}/{ident}", stamp_of(record)
        if self.ledger.deleted.get(target, stamp) > stamp:
            return  # a newer delete is in already
        self.ledger.deleted[target] = stamp
        self.ledger.changed = True
        newest = self.ledger.newest_edit(target)
        current = self._current(target)
        if target in self.ledger.hidden or current is None:
            return
        if newest is None or newest < stamp:
            self._put(target, current, None)
            self._hide(target, current)

    def _show_if_newer(self, target: str, stamp: Stamp) -> None:
        """An edit newer than the delete brings a hidden target back."""
        if target in self.ledger.hidden and stamp > self.ledger.deleted[target]:
            kind = target.partition("/")[0]
            model = TimelineEntry if kind == "entry" else ActionItem
            item = model.model_validate(self.ledger.hidden.pop(target))
            self.ledger.changed = True
            self._put(target, None, item)

    def _head(self, changes: Any, stamp: Stamp) -> None:
        incident = self.incident
        if not isinstance(changes, dict) or not changes or not all(map(_head_name, changes)):
            self.result.skipped += 1
            return
        before = {name: getattr(incident, name, None) for name in changes}
        tried: dict[str, Any] = {}
        try:
            for name, value in changes.items():
                setattr(incident, name, value)
                tried[name] = getattr(incident, name)
        except ValueError:
            self.result.skipped += 1
            return
        finally:
            for name, value in before.items():
                _restore(incident, name, value)
        for name in changes:
            key = f"{HEAD}/{name}/"
            wins = self.ledger.wins(key, stamp)
            if wins is None:
                continue
            if wins:
                self.ledger.remember(HEAD, name, before[name], self.ledger.stamps.get(key))
                self.ledger.set_stamp(key, stamp)
                setattr(incident, name, tried[name])
                self.result.head = True
            else:
                self.ledger.remember(HEAD, name, tried[name], stamp)

    def _status(self, record: Record) -> None:
        data = record.data
        times = data.get("set")
        times = times if isinstance(times, dict) else {}
        status = data.get("status")
        if status not in ops.STATUS_TIMES or not set(times) <= set(ops.STATUS_TIMES.values()):
            self.result.skipped += 1
            return
        entry = {"at": data.get("at"), "kind": "status", "text": data.get("text", "")}
        if isinstance(data.get("author"), str):
            entry["author"] = data["author"]
        made = entry_of(Record(record.id, record.hlc, record.writer, ops.ENTRY, entry))
        if made is None:
            self.result.skipped += 1
            return
        self._head({"status": status, **times}, stamp_of(record))
        self._create("entry", made, record)


def _content(values: dict[str, Any]) -> str:
    return json.dumps({k: norm(v) for k, v in values.items() if v is not None}, sort_keys=True)


def _value(item: Any, name: str) -> Any:
    extra = item.model_extra or {}
    return extra[name] if name in extra else getattr(item, name, None)


def _head_name(name: str) -> bool:
    if name in ops.NOT_HEAD or name.startswith("_") or not name.isidentifier():
        return False
    return name in Incident.model_fields or not hasattr(Incident, name)


def _restore(incident: Incident, name: str, value: Any) -> None:
    if value is None and name not in Incident.model_fields:
        extra = incident.model_extra
        if extra is not None:
            extra.pop(name, None)
        return
    setattr(incident, name, value)
