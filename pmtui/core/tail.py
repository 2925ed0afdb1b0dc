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
from pmtui.core.journal import folder_of, read
from pmtui.core.model import Incident, TimelineEntry


class JournalTail:
    def __init__(self, incident_path: Path, extra: dict[str, Any]) -> None:
        """`extra`: the file's other tables (FileState.extra); the offsets folded to
        are read from its [journal] table and recorded there as the tail folds."""
        self.folder = folder_of(incident_path)
        self.extra = extra
        self.offsets = folded_offsets(extra)

    def grown(self) -> bool:
        """True when a journal file holds bytes past what was folded."""
        try:
            with os.scandir(self.folder) as found:
                for item in found:
                    if (
                        item.name.endswith(".jsonl")
                        and item.is_file()
                        and item.stat().st_size > self.offsets.get(item.name, 0)
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
        folded = fold(incident, records, self.extra)
        if offsets != self.offsets:
            self.offsets = offsets
            set_offsets(self.extra, offsets)
        return folded


def who(entry: TimelineEntry) -> str:
    """Who or what wrote an entry: its source (a tool), else its author."""
    extra = entry.model_extra or {}
    source = extra.get("source")
    return str(source) if source else entry.author or "someone"
