"""Fold journal records into an incident: the same records in any order, with
repeats, split into any batches, give the same incident.

The ops are in pmtui.core.ops, how they settle in pmtui.core.settle. An entry
made by the journal takes its id from its record (`j:<record id>`), an action
`a:<record id>`, so nothing is added twice whatever crashed between the
journal and the TOML checkpoint. How far each journal file is folded is kept
in the TOML's `[journal]` table, so reopening reads only what is new.
"""

from __future__ import annotations

from pathlib import Path

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


def fold(incident: Incident, records: list[Record]) -> Folded:
    """Apply `records` to the incident; what it already holds changes nothing."""
    settler = Settler(incident)
    for record in sorted(records, key=Record.order):
        settler.apply(record)
    settler.ledger.save()
    return settler.result


def folded_offsets(incident: Incident) -> dict[str, int]:
    """How far each journal file is folded into the incident's TOML."""
    table = incident._file_extra.get(TABLE)
    folded = table.get("folded") if isinstance(table, dict) else None
    if not isinstance(folded, dict):
        return {}
    return {k: v for k, v in folded.items() if isinstance(k, str) and isinstance(v, int)}


def set_offsets(incident: Incident, offsets: dict[str, int]) -> None:
    """Record how far each journal file is folded; written with the next save."""
    Ledger.of(incident._file_extra).save(offsets)


def create(records: list[Record]) -> Incident | None:
    """An incident made from its journal alone (no TOML yet): its first `incident` op
    and every record after it; None when the journal holds no `incident` op."""
    first = [r for r in records if r.op == ops.INCIDENT and isinstance(r.data.get("set"), dict)]
    for record in sorted(first, key=Record.order):
        try:
            incident = Incident.model_validate(record.data["set"])
        except ValueError:
            continue
        fold(incident, records)
        return incident
    return None


def load_whole(path: Path) -> Incident:
    """The incident as the TOML holds it plus every journal line not yet folded in.

    What `pmtui export` and a fresh open show: whichever process runs, the
    incident is whole. With no TOML, an incident its journal creates.
    """
    from pmtui.core.reader import load

    if not path.exists():
        records, offsets = read(folder_of(path))
        made = create(records)
        if made is None:
            return load(path)  # the reader's own error for a missing file
        set_offsets(made, offsets)
        return made
    incident = load(path)
    records, offsets = read(folder_of(path), folded_offsets(incident))
    if records:
        fold(incident, records)
        set_offsets(incident, offsets)
    return incident
