"""Searching the timeline (ctrl+f), and the noise the export may leave out.

A filter is words, all of which must match (case-insensitive):

    db timeout          entries whose text holds both words
    kind:decision       entries of that kind (kind:comms,decision: either)
    -kind:status        entries not of that kind
    @ana  by:ana        entries Ana wrote (the author or the tool that logged it)
    -markers            no bare markers
    -noise              no status changes and no markers
"""

from __future__ import annotations

from dataclasses import dataclass

from pmtui.core.model import NOISE, EntryKind, Incident, TimelineEntry

__all__ = ["NOISE", "Filter", "FilterError", "exported_timeline", "parse_filter"]

_KINDS = {kind.value for kind in EntryKind}


class FilterError(ValueError):
    """The filter cannot be understood; str() is one line."""


def _who(entry: TimelineEntry) -> str:
    extra = entry.model_extra or {}
    return str(extra.get("source") or entry.author or "")


@dataclass(frozen=True)
class Filter:
    text: str = ""
    words: tuple[str, ...] = ()
    kinds: frozenset[str] = frozenset()  # empty: any kind
    not_kinds: frozenset[str] = frozenset()
    authors: tuple[str, ...] = ()
    no_markers: bool = False

    @property
    def active(self) -> bool:
        return bool(self.words or self.kinds or self.not_kinds or self.authors or self.no_markers)

    def matches(self, entry: TimelineEntry) -> bool:
        kind = entry.kind.value
        if (self.kinds and kind not in self.kinds) or kind in self.not_kinds:
            return False
        if self.no_markers and not entry.text:
            return False
        if self.authors:
            who = _who(entry).casefold()
            if not any(who.startswith(name) for name in self.authors):
                return False
        if self.words:
            text = entry.text.casefold()
            return all(word in text for word in self.words)
        return True


def _kinds(value: str, typed: str) -> frozenset[str]:
    kinds = frozenset(part for part in value.lower().split(",") if part)
    unknown = sorted(kinds - _KINDS)
    if unknown or not kinds:
        raise FilterError(f"{typed}: not a kind; kinds are {', '.join(sorted(_KINDS))}")
    return kinds


def parse_filter(text: str) -> Filter:
    """The filter the IC typed; FilterError (one line) if a part cannot be meant."""
    words: list[str] = []
    kinds: set[str] = set()
    not_kinds: set[str] = set()
    authors: list[str] = []
    no_markers = False
    for part in text.split():
        low = part.lower()
        if low.startswith("kind:"):
            kinds |= _kinds(low[5:], part)
        elif low.startswith("-kind:"):
            not_kinds |= _kinds(low[6:], part)
        elif low in ("-markers", "-marker"):
            no_markers = True
        elif low == "-noise":
            no_markers = True
            not_kinds.add("status")
        elif low.startswith("@") and len(low) > 1:
            authors.append(part[1:].casefold())
        elif low.startswith("by:") and len(low) > 3:
            authors.append(part[3:].casefold())
        else:
            words.append(part.casefold())
    return Filter(
        text.strip(),
        tuple(words),
        frozenset(kinds),
        frozenset(not_kinds),
        tuple(authors),
        no_markers,
    )


def exported_timeline(incident: Incident) -> list[TimelineEntry]:
    """The entries the postmortem lists: all, less what [export] hide names."""
    hide = set(incident.export.hide)
    if not hide:
        return incident.timeline
    return [
        entry
        for entry in incident.timeline
        if not ("status" in hide and entry.kind is EntryKind.STATUS)
        and not ("markers" in hide and not entry.text)
    ]
