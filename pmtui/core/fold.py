"""Fold journal records into an incident: the same records in any order, with
repeats, give the same incident.

An entry from the journal takes its id from its record (`j:<record id>`), so
an entry already in the incident (folded earlier, or a retry with the same
`--id`) is never added twice, whatever crashed between the journal and the
TOML checkpoint. How far each journal file is folded is kept in the TOML's
`[journal]` table, so reopening reads only what is new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.core.journal import Record, folder_of, read
from pmtui.core.model import EntryKind, Incident, TimelineEntry

if TYPE_CHECKING:
    from pmtui.core.reader import FileState

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


def folded_offsets(extra: Mapping[str, Any]) -> dict[str, int]:
    """How far each journal file is folded into the TOML (its other tables: FileState.extra)."""
    table = extra.get(TABLE)
    folded = table.get("folded") if isinstance(table, dict) else None
    if not isinstance(folded, dict):
        return {}
    return {k: v for k, v in folded.items() if isinstance(k, str) and isinstance(v, int)}


def set_offsets(extra: dict[str, Any], offsets: dict[str, int]) -> None:
    """Record in the file's tables how far each journal file is folded (next save)."""
    extra[TABLE] = {"folded": dict(sorted(offsets.items()))}


def load_whole(path: Path) -> Incident:
    """The incident as the TOML holds it plus every journal line not yet folded in.

    What `pmtui export` and a fresh open show: whichever process runs, the
    incident is whole.
    """
    return load_whole_state(path)[0]


def load_whole_state(path: Path) -> tuple[Incident, FileState]:
    """`load_whole`, and the file's other tables with the offsets folded to."""
    from pmtui.core.reader import load_state

    incident, state = load_state(path)
    records, offsets = read(folder_of(path), folded_offsets(state.extra))
    if records:
        fold(incident, records)
        set_offsets(state.extra, offsets)
    return incident, state
