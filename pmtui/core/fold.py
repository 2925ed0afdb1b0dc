"""Fold journal records into an incident: the same records in any order, with
repeats, give the same incident.

An entry from the journal takes its id from its record (`j:<record id>`), so
an entry already in the incident (folded earlier, or a retry with the same
`--id`) is never added twice, whatever crashed between the journal and the
TOML checkpoint. How far each journal file is folded is kept in the TOML's
`[journal]` table, so reopening reads only what is new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pmtui.core.journal import Record, folder_of, read
from pmtui.core.model import EntryKind, Incident, TimelineEntry

PREFIX = "j:"
TABLE = "journal"  # the TOML table: folded = { "<writer>.jsonl" = <bytes folded> }


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


@dataclass
class Folded:
    added: list[TimelineEntry] = field(default_factory=list)
    skipped: int = 0  # records this pmtui cannot apply (a newer op, a bad line)


def fold(incident: Incident, records: list[Record]) -> Folded:
    """Apply `records` (in their stamp order) that the incident does not hold yet."""
    result = Folded()
    present = {entry.id for entry in incident.timeline if entry.id.startswith(PREFIX)}
    for record in sorted(records, key=Record.order):
        if record.op != "entry":
            result.skipped += 1
            continue
        entry = entry_of(record)
        if entry is None:
            result.skipped += 1
        elif entry.id not in present:
            present.add(entry.id)
            incident.insert_entry(entry)
            result.added.append(entry)
    return result


def folded_offsets(incident: Incident) -> dict[str, int]:
    """How far each journal file is folded into the incident's TOML."""
    table = incident._file_extra.get(TABLE)
    folded = table.get("folded") if isinstance(table, dict) else None
    if not isinstance(folded, dict):
        return {}
    return {k: v for k, v in folded.items() if isinstance(k, str) and isinstance(v, int)}


def set_offsets(incident: Incident, offsets: dict[str, int]) -> None:
    """Record how far each journal file is folded; written with the next save."""
    incident._file_extra[TABLE] = {"folded": dict(sorted(offsets.items()))}


def load_whole(path: Path) -> Incident:
    """The incident as the TOML holds it plus every journal line not yet folded in.

    What `pmtui export` and a fresh open show: whichever process runs, the
    incident is whole.
    """
    from pmtui.core.reader import load

    incident = load(path)
    records, offsets = read(folder_of(path), folded_offsets(incident))
    if records:
        fold(incident, records)
        set_offsets(incident, offsets)
    return incident
