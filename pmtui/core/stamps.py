"""The incident's four stamps: started, detected, mitigated, resolved.

They stay in order (started <= detected <= mitigated <= resolved, for those
set), each status stamp stays one with the status entry that records it
(moving either moves both), and an entry logged before them moves them.
Functions of an Incident, used by the session and the editors; no Textual.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from datetime import datetime

from pmtui.core.model import EntryKind, Incident, Status, TimelineEntry

STAMPS = ("started_at", "detected_at", "mitigated_at", "resolved_at")
LABELS = {
    "started_at": "the impact started",
    "detected_at": "detected",
    "mitigated_at": "mitigated",
    "resolved_at": "resolved",
}
# the text Incident.set_status (and `pmtui new`) gives the status entry of each stamp
_ENTRY_TEXT = {
    "detected_at": ("Incident declared", "Re-opened"),
    "mitigated_at": ("Mitigated", "Back to mitigated"),
    "resolved_at": ("Resolved",),
}


def stamp_entry(incident: Incident, name: str) -> TimelineEntry | None:
    """The entry that records a status stamp: the status entry logged with it,
    at the same instant (for detection, else a detection entry there)."""
    moment = getattr(incident, name)
    words = _ENTRY_TEXT.get(name)
    if moment is None or words is None:
        return None
    timeline = incident.timeline
    index = bisect.bisect_left(timeline, moment, key=lambda entry: entry.at)
    found: TimelineEntry | None = None
    while index < len(timeline) and timeline[index].at == moment:
        entry = timeline[index]
        status = entry.kind is EntryKind.STATUS and entry.text.startswith(words)
        detection = name == "detected_at" and entry.kind is EntryKind.DETECTION
        if status or (detection and found is None):
            found = entry
        index += 1
    return found


def stamps_held(incident: Incident, entry: TimelineEntry) -> list[str]:
    """The stamps whose status entry is `entry` (moving it moves them)."""
    return [name for name in STAMPS[1:] if stamp_entry(incident, name) is entry]


def order_problem(
    incident: Incident, times: dict[str, datetime | None] | None = None
) -> str | None:
    """What is out of order among the stamps (with `times` applied), in words; or None."""
    values = {name: getattr(incident, name) for name in STAMPS} | (times or {})
    present = [(name, values[name]) for name in STAMPS if values[name] is not None]
    day = incident.local(values["started_at"] or incident.started_at).date()

    def hms(moment: datetime) -> str:
        local = incident.local(moment)
        return f"{local:%H:%M:%S}" if local.date() == day else f"{local:%Y-%m-%d %H:%M:%S}"

    for (first, early), (second, late) in itertools.pairwise(present):
        if late < early:
            later = LABELS[second]
            later = later[0].upper() + later[1:]
            return f"{later} at {hms(late)} is before {LABELS[first]} at {hms(early)}"
    return None


def stamp_problem(incident: Incident, times: dict[str, datetime | None]) -> str | None:
    """Why these stamps cannot be set, or None: out of order, or a stamp the
    status does not have yet (or one it has, cleared)."""
    has = {
        "mitigated_at": incident.status in (Status.MITIGATED, Status.RESOLVED),
        "resolved_at": incident.status is Status.RESOLVED,
    }
    for name, present in has.items():
        if name not in times:
            continue
        word = name.removesuffix("_at")
        if times[name] is not None and not present:
            return f"Not {word} yet: /{word} marks it (its time can then be edited)"
        if times[name] is None and present:
            return f"The incident is {incident.status.value}: {word} needs a time"
    return order_problem(incident, times)


def move_stamps(
    incident: Incident, times: dict[str, datetime | None]
) -> tuple[list[str], list[TimelineEntry]]:
    """Set stamps, moving the status entry of each with it; (ids added, entries removed)."""
    held = {name: stamp_entry(incident, name) for name in times}
    for name, value in times.items():
        setattr(incident, name, value)
    added: list[str] = []
    removed: list[TimelineEntry] = []
    for name, entry in held.items():
        value = times[name]
        if entry is None or value is None or entry.at == value or entry in removed:
            continue
        old, new = incident.replace_entry(entry.id, at=value)
        added.append(new.id)
        removed.append(old)
    return added, removed


def follow(incident: Incident, entry: TimelineEntry, when: Callable[[datetime], str]) -> list[str]:
    """The stamps follow an entry logged before them; returns what moved, in words.

    An entry before the impact start moves the start to it; a detection
    before `detected_at` (or with none yet) moves the detection to it. A
    stamp left out of order is warned about.
    """
    notes = []
    if entry.at < incident.started_at:
        incident.started_at = entry.at
        notes.append(f"Impact start moved to {when(entry.at)} (ctrl+z undoes)")
    if entry.kind is EntryKind.DETECTION and (
        incident.detected_at is None or entry.at < incident.detected_at
    ):
        incident.detected_at = entry.at
        notes.append(f"Detection moved to {when(entry.at)} (ctrl+z undoes)")
    problem = order_problem(incident)
    if problem:
        notes.append(f"Warning: {problem} (ctrl+s fixes the times)")
    return notes
