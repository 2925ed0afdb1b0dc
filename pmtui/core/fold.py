"""Fold journal records into an incident: the same records in any order, with
repeats, split into any batches, give the same incident.

The ops are in pmtui.core.ops, how they settle in pmtui.core.settle. An entry
made by the journal takes its id from its record (`j:<record id>`), an action
`a:<record id>`, so nothing is added twice whatever crashed between the
journal and the TOML checkpoint. How far each journal file is folded is kept
in the TOML's `[journal]` table, so reopening reads only what is new.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.core import ops
from pmtui.core.journal import Record, folder_of, read
from pmtui.core.ledger import TABLE, Ledger
from pmtui.core.model import Incident
from pmtui.core.settle import PREFIX, Folded, Settler, entry_id, entry_of

__all__ = [
    "PREFIX",
    "Folded",
    "create",
    "entry_id",
    "entry_of",
    "fold",
    "folded_offsets",
    "load_whole",
    "set_offsets",
]

if TYPE_CHECKING:
    from pmtui.core.reader import FileState


def fold(incident: Incident, records: list[Record], extra: dict[str, Any] | None = None) -> Folded:
    """Apply `records` to the incident; what it already holds changes nothing.

    `extra`: the file's other tables (FileState.extra), where what folding must
    remember across checkpoints is kept (pmtui.core.ledger); None for none yet.
    """
    settler = Settler(incident, {} if extra is None else extra)
    for record in sorted(records, key=Record.order):
        settler.apply(record)
    settler.ledger.save()
    return settler.result


def folded_offsets(extra: Mapping[str, Any]) -> dict[str, int]:
    """How far each journal file is folded into the TOML (its other tables: FileState.extra)."""
    table = extra.get(TABLE)
    folded = table.get("folded") if isinstance(table, dict) else None
    if not isinstance(folded, dict):
        return {}
    return {k: v for k, v in folded.items() if isinstance(k, str) and isinstance(v, int)}


def set_offsets(extra: dict[str, Any], offsets: dict[str, int]) -> None:
    """Record in the file's tables how far each journal file is folded (next save)."""
    Ledger.of(extra).save(offsets)


def create(records: list[Record]) -> tuple[Incident, dict[str, Any]] | None:
    """An incident made from its journal alone (no TOML yet): its first `incident` op
    and every record after it, with the tables folding keeps; None when the journal
    holds no `incident` op."""
    first = [r for r in records if r.op == ops.INCIDENT and isinstance(r.data.get("set"), dict)]
    for record in sorted(first, key=Record.order):
        try:
            incident = Incident.model_validate(record.data["set"])
        except ValueError:
            continue
        extra: dict[str, Any] = {}
        fold(incident, records, extra)
        return incident, extra
    return None


def load_whole(path: Path) -> Incident:
    """The incident as the TOML holds it plus every journal line not yet folded in.

    What `pmtui export` and a fresh open show: whichever process runs, the
    incident is whole. With no TOML, an incident its journal creates.
    """
    return load_whole_state(path)[0]


def load_whole_state(path: Path) -> tuple[Incident, FileState]:
    """`load_whole`, and the file's other tables with the offsets folded to."""
    from pmtui.core.reader import FileState, load_state

    if not path.exists():
        records, offsets = read(folder_of(path))
        made = create(records)
        if made is None:
            return load_state(path)  # the reader's own error for a missing file
        incident, extra = made
        set_offsets(extra, offsets)
        return incident, FileState(extra=extra)
    incident, state = load_state(path)
    records, offsets = read(folder_of(path), folded_offsets(state.extra))
    if records:
        fold(incident, records, state.extra)
        set_offsets(state.extra, offsets)
    return incident, state
