"""Follow an incident's journal: what other writers added since we last looked.

The open pmtui (and `pmtui view`) polls a few times a second. A poll with
nothing new costs one `scandir` of the journal folder; only files that grew
are read, from where the last read stopped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pmtui.core.fold import Folded, fold, folded_offsets, set_offsets
from pmtui.core.journal import Record, folder_of, last_hlc, read
from pmtui.core.model import Incident, TimelineEntry


class JournalTail:
    def __init__(self, incident_path: Path, extra: dict[str, Any]) -> None:
        """`extra`: the file's other tables (FileState.extra); the offsets folded to
        are read from its [journal] table and recorded there as the tail folds."""
        self.folder = folder_of(incident_path)
        self.extra = extra
        self.offsets = folded_offsets(extra)
        self.seen = self._newest()  # the newest stamp read: this writer's next goes past it

    def _newest(self) -> int:
        """The newest stamp in the journal files (each one's last line)."""
        try:
            with os.scandir(self.folder) as found:
                names = [item.path for item in found if item.name.endswith(".jsonl")]
        except (FileNotFoundError, NotADirectoryError):
            return 0
        return max(map(last_hlc, names), default=0)

    def grown(self) -> bool:
        """True when a journal file holds bytes past what was folded, or fewer (it
        was removed and begun again: journal.read reads it anew)."""
        try:
            with os.scandir(self.folder) as found:
                for item in found:
                    if (
                        item.name.endswith(".jsonl")
                        and item.is_file()
                        and item.stat().st_size != self.offsets.get(item.name, 0)
                    ):
                        return True
        except (FileNotFoundError, NotADirectoryError):
            return False
        return False

    def poll(self, incident: Incident) -> Folded:
        """Fold what is new into `incident`; its offsets go with the next save."""
        if not self.grown():
            return Folded()
        records, offsets = read(self.folder, self.offsets)
        self.seen = max([self.seen, *(record.hlc for record in records)])
        folded = fold(incident, records, self.extra)
        if offsets != self.offsets:
            self.offsets = offsets
            set_offsets(self.extra, offsets)
        return folded

    def own(self, incident: Incident, records: list[Record], span: tuple[str, int, int]) -> Folded:
        """Fold this pmtui's own records, just appended at `span` (file name, start,
        end): the file's offset moves past them unless another writer's lines came
        first (those are folded by the next poll, and ours again: folding is
        idempotent)."""
        folded = fold(incident, records, self.extra)
        self.seen = max([self.seen, *(record.hlc for record in records)])
        name, start, end = span
        if self.offsets.get(name, 0) == start:
            self.offsets[name] = end
            set_offsets(self.extra, self.offsets)
        return folded


def who(entry: TimelineEntry) -> str:
    """Who or what wrote an entry: its source (a tool), else its author."""
    extra = entry.model_extra or {}
    source = extra.get("source")
    return str(source) if source else entry.author or "someone"
