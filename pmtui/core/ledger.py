"""What folding the journal must remember across checkpoints, kept in the TOML.

The TOML's `[journal]` table holds, beside `folded` (bytes folded per file):

- `stamps`: the winning (hlc, writer, record id) of every field a journal op
  set, keyed `"<kind>/<field>/<id>"` (kind: entry, action, incident), so a
  later line with an older stamp loses after a checkpoint too. Only fields
  set by an edit, a status or a head op have one (and actions the journal
  made, to keep their order): a `pmtui log` entry costs nothing here.
- `deleted`: the newest delete of each deleted target, `"<kind>/<id>"`.
- `hidden`: the last state of a deleted target, until an edit newer than its
  delete brings it back.
- `pending`: edits whose target has not been seen yet (JSON lines).

A stamp is written `"<hlc> <writer> <record id>"`.

The `[history]` table's `edits` list is the edit history the user reads:
each value that was overwritten or lost to a newer one, with who set it
(`by`), when (`hlc`) and by which op; the value before the first edit has
no stamp. A table, not a top-level array: the writer puts extra top-level
keys after `[incident]`, where a bare array would land inside it.
"""

from __future__ import annotations

import bisect
import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from pmtui.core.journal import Record

TABLE = "journal"
HISTORY = "history"  # [history] edits = [...]
Stamp = tuple[int, str, str]


def stamp_of(record: Record) -> Stamp:
    return (record.hlc, "_".join(record.writer.split()) or "_", record.id)


def _text(stamp: Stamp) -> str:
    return f"{stamp[0]} {stamp[1]} {stamp[2]}"


def norm(value: Any) -> Any:
    """A value as the history keeps it: one spelling whatever the order."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [norm(item) for item in value]
    if isinstance(value, dict):
        return {str(key): norm(item) for key, item in value.items()}
    dump = getattr(value, "model_dump", None)  # responders, [updates]: their JSON
    if callable(dump):
        return norm(dump(mode="json", exclude_none=True))
    return value


def _stamp(raw: Any) -> Stamp | None:
    parts = raw.split(" ", 2) if isinstance(raw, str) else []
    if len(parts) == 3 and parts[0].isdigit():
        return (int(parts[0]), parts[1], parts[2])
    return None


def _record(line: Any) -> Record | None:
    try:
        raw = json.loads(line)
        return Record(raw["id"], raw["hlc"], raw["w"], raw["op"], raw.get("data", {}))
    except (TypeError, ValueError, KeyError):
        return None


class Ledger:
    """The LWW state of one incident, read from and written back to its tables.

    `Ledger.of` keeps the last one parsed: the open pmtui folds a few times a
    second, and parsing thousands of stamps each time cost tens of ms.
    """

    _last: Ledger | None = None

    @classmethod
    def of(cls, extra: dict[str, Any]) -> Ledger:
        """The ledger of these tables: the one already parsed while they are unchanged."""
        last = cls._last
        if (
            last is not None
            and last.extra is extra
            and extra.get(TABLE) is last._seen[0]
            and extra.get(HISTORY) is last._seen[1]
        ):
            return last
        cls._last = ledger = cls(extra)
        return ledger

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra
        self._seen = (extra.get(TABLE), extra.get(HISTORY))  # the tables parsed
        table = extra.get(TABLE)
        table = table if isinstance(table, dict) else {}
        self.table = table

        def mapping(name: str) -> dict[str, Any]:
            found = table.get(name)
            return dict(found) if isinstance(found, dict) else {}

        self.stamps: dict[str, Stamp] = {}
        self.texts: dict[str, str] = {}  # the stamps as the TOML writes them
        for key, raw in mapping("stamps").items():
            stamp = _stamp(raw)
            if stamp is not None:
                self.stamps[key] = stamp
                self.texts[key] = raw
        self.deleted = {k: s for k, v in mapping("deleted").items() if (s := _stamp(v))}
        self.hidden: dict[str, dict[str, Any]] = {
            k: v for k, v in mapping("hidden").items() if isinstance(v, dict)
        }
        self.pending: dict[str, list[Record]] = {}
        self._lines: dict[tuple[int, str, str], str] = {}  # pending, as the TOML has them
        lines = table.get("pending")
        for line in lines if isinstance(lines, list) else []:
            record = _record(line)
            target = record.data.get("target") if record else None
            if record is not None and isinstance(target, str):
                self.pending.setdefault(_target_of(record.op, target), []).append(record)
                self._lines[record.order()] = line
        history = extra.get(HISTORY)
        history = history.get("edits") if isinstance(history, dict) else None
        self.history: list[dict[str, Any]] = sorted(
            (row for row in history if isinstance(row, dict)) if isinstance(history, list) else (),
            key=_row_order,
        )  # kept in order as rows come: sorting thousands per fold cost ms
        self._rows = {_row_key(row) for row in self.history}
        self.changed = False

    # -- stamps ---------------------------------------------------------------
    def wins(self, key: str, stamp: Stamp) -> bool | None:
        """True if `stamp` beats the field's, False if it loses, None if it is the same op."""
        current = self.stamps.get(key)
        if current == stamp:
            return None
        return current is None or stamp > current

    def newest_edit(self, target: str) -> Stamp | None:
        """The newest stamp of any field of `target` (a delete is rare: a scan is fine)."""
        kind, _, ident = target.partition("/")
        found = [
            stamp
            for key, stamp in self.stamps.items()
            if key.startswith(kind + "/")
            and key.split("/", 2)[2] == ident
            and key.split("/", 2)[1] != "+"
        ]
        return max(found, default=None)

    def set_stamp(self, key: str, stamp: Stamp) -> None:
        self.stamps[key] = stamp
        self.texts[key] = _text(stamp)
        self.changed = True

    # -- history --------------------------------------------------------------
    def remember(self, target: str, name: str, value: Any, stamp: Stamp | None) -> None:
        """Keep a value that was overwritten or lost (`stamp` None: the value before edits)."""
        row: dict[str, Any] = {"of": target, "field": name}
        if value is not None:
            row["value"] = norm(value)
        if stamp is not None:
            row.update(hlc=stamp[0], by=stamp[1], op=stamp[2])
        key = _row_key(row)
        if key in self._rows:
            return
        self._rows.add(key)
        bisect.insort(self.history, row, key=_row_order)
        self.changed = True

    def base(self, target: str, name: str) -> Any:
        """The value a field had before its first edit."""
        for row in self.history:
            if row["of"] == target and row.get("field") == name and "hlc" not in row:
                return row.get("value")
        return None

    def rebase(self, target: str, name: str, value: Any) -> None:
        """The value before edits was another (a contested create settled)."""
        for index, row in enumerate(self.history):
            if row["of"] == target and row.get("field") == name and "hlc" not in row:
                row = {k: v for k, v in row.items() if k != "value"}  # a new row: the
                if value is not None:  # writer compares the old tables by value
                    row["value"] = norm(value)
                self.history[index] = row
                self.changed = True

    # -- pending --------------------------------------------------------------
    def wait(self, target: str, record: Record) -> None:
        waiting = self.pending.setdefault(target, [])
        if record not in waiting:
            waiting.append(record)
            self._lines[record.order()] = _line(record)
            self.changed = True

    def take(self, target: str) -> list[Record]:
        waiting = self.pending.pop(target, [])
        for record in waiting:
            self._lines.pop(record.order(), None)
            self.changed = True
        return sorted(waiting, key=Record.order)

    # -- back into the TOML ---------------------------------------------------
    def save(self, offsets: dict[str, int] | None = None) -> None:
        """Write the state back as new tables (the writer caches the old ones by value)."""
        if not self.changed and offsets is None:
            return
        table: dict[str, Any] = {}
        folded = offsets if offsets is not None else self.table.get("folded")
        if isinstance(folded, dict) and folded:
            table["folded"] = dict(sorted(folded.items()))
        if self.stamps:
            table["stamps"] = dict(sorted(self.texts.items()))
        if self.deleted:
            table["deleted"] = {k: _text(v) for k, v in sorted(self.deleted.items())}
        if self.hidden:
            table["hidden"] = dict(sorted(self.hidden.items()))
        if self._lines:
            table["pending"] = [line for _, line in sorted(self._lines.items())]
        for name, value in self.table.items():  # what a newer pmtui keeps here
            if name not in ("folded", "stamps", "deleted", "hidden", "pending"):
                table[name] = value
        self.table = table
        if table:
            self.extra[TABLE] = table
        else:
            self.extra.pop(TABLE, None)
        if self.history:
            self.extra[HISTORY] = {"edits": list(self.history)}
        self._seen = (self.extra.get(TABLE), self.extra.get(HISTORY))
        self.changed = False


def _target_of(op: str, target: str) -> str:
    return f"{op.split('.')[0]}/{target}"


def _line(record: Record) -> str:
    raw = {"id": record.id, "hlc": record.hlc, "w": record.writer, "op": record.op}
    return json.dumps({**raw, "data": record.data}, ensure_ascii=False, sort_keys=True)


def _row_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row.get("of"), row.get("field"), row.get("hlc"), row.get("by"), row.get("op"))


def _row_order(row: dict[str, Any]) -> tuple[Any, ...]:
    hlc = row.get("hlc")
    return (
        hlc if isinstance(hlc, int) else -1,
        str(row.get("by", "")),
        str(row.get("op", "")),
        str(row.get("of", "")),
        str(row.get("field", "")),
    )
