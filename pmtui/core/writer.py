"""Write incident files (schema 1): TOML text, rendered fast and cached.

Each entry's TOML block is cached (entries are immutable, so identity says
it is current) and a save after a stamp renders one new block: the saver
runs on its own thread, and a walk over every entry held the interpreter
lock long enough to make the UI miss a frame.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

from pmtui.core.model import POSTMORTEM_TEXTS, SCHEMA, ActionItem, Incident, TimelineEntry
from pmtui.core.reader import LISTS, by_id

_SKIP_IF_EMPTY = {"summary", "impact", "root_cause", "resolution"}
# the [incident] table's later optional sections, left out while empty: a file
# that has none of them is written as before
_HEAD_SKIP_IF_EMPTY = (*POSTMORTEM_TEXTS, "links")
PAGE = 512  # timeline entries per page of rendered text


def _plain(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(zone)
    return value


def _table(record: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    return {
        key: _plain(value, zone)
        for key, value in record.items()
        if value is not None and not (key in _SKIP_IF_EMPTY and value == "")
    }


_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*\Z')


def toml_string(value: str) -> str:
    """A TOML basic string; the common case skips tomli-w's escaping loop."""
    if _PLAIN.match(value):
        return f'"{value}"'
    return tomli_w.dumps({"x": value})[4:-1]


_SUBTABLE = re.compile(r"^(\[\[?)", re.MULTILINE)


def _record_block(name: str, record: dict[str, Any], zone: ZoneInfo) -> str:
    """A [[name]] table of any keys: an extra table is [name.x], not a top-level [x]
    (tomli-w writes no raw line break in a string, so a line opening "[" is a header)."""
    return f"\n[[{name}]]\n" + _SUBTABLE.sub(rf"\1{name}.", tomli_w.dumps(_table(record, zone)))


def entry_block(entry: TimelineEntry, zone: ZoneInfo) -> str:
    """One [[timeline]] table, as tomli-w would write it, about ten times faster."""
    if entry.model_extra:
        return _record_block("timeline", entry.model_dump(), zone)
    at = entry.at.astimezone(zone).isoformat(sep=" ")
    author = f"author = {toml_string(entry.author)}\n" if entry.author is not None else ""
    return (
        f"\n[[timeline]]\nid = {toml_string(entry.id)}\nat = {at}\n"
        f'kind = "{entry.kind.value}"\n{author}text = {toml_string(entry.text)}\n'
    )


@dataclass(frozen=True)
class Snapshot:
    """What a save writes: cheap to take on the UI thread, rendered elsewhere."""

    timezone: str
    head: dict[str, Any]
    extra: dict[str, Any]
    actions: tuple[ActionItem, ...]
    timeline: tuple[TimelineEntry, ...]


def _is_table(value: object) -> bool:
    """A table or an array of tables: TOML writes these after the plain keys."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def snapshot(incident: Incident, extra: Mapping[str, Any] | None = None) -> Snapshot:
    """What a save of `incident` writes; `extra`: the file's other tables (FileState)."""
    head = incident.model_dump(exclude=set(LISTS))
    return Snapshot(
        incident.timezone,
        head,
        dict(extra or {}),
        tuple(incident.actions),
        tuple(incident.timeline),
    )


@dataclass
class TomlWriter:
    """Renders snapshots to TOML, caching each entry's block by identity.

    It also keeps the timeline it last rendered as pages (runs of PAGE
    entries and their text). A save renders only the pages that changed: a
    stamp re-renders the last page, an edit the page it falls in. The saver
    runs on its own thread, and a walk over every entry (a re-render of
    100,000 after an edit: ~80 ms) holds the interpreter lock the UI needs
    for its frame.
    """

    _zone_name: str = ""
    _blocks: dict[str, tuple[TimelineEntry, str]] = field(default_factory=dict)
    _actions: dict[str, tuple[ActionItem, str]] = field(default_factory=dict)
    _head: tuple[dict[str, Any], dict[str, Any], str] | None = None
    # the timeline last rendered, as pages of (entries, their text): a save
    # writes the pages as they are, so it copies no megabytes (at 100,000
    # entries two 10 MB copies per save held the interpreter lock)
    _pages: list[tuple[tuple[TimelineEntry, ...], bytes]] = field(default_factory=list)
    page: int = PAGE
    _last: tuple[TimelineEntry, ...] = ()  # the timeline the pages were made for

    def seed(self, timezone: str, blocks: list[tuple[TimelineEntry, str]]) -> None:
        """Start warm: take the blocks the fast loader found canonical (FileState)."""
        self._zone_name = timezone
        self.warm(by_id(blocks))

    def warm(self, blocks: dict[str, tuple[TimelineEntry, str]]) -> None:
        """Take more canonical blocks, by entry id (a tail-first load's rest).

        The blocks already here win (they are current); the bigger dict is
        kept rather than copied: at 100,000 entries, 11 ms on the UI thread.
        """
        if len(blocks) > len(self._blocks):
            blocks.update(self._blocks)
            self._blocks = blocks
        else:
            self._blocks.update(blocks)

    def prepare(
        self,
        timeline: tuple[TimelineEntry, ...],
        blocks: dict[str, tuple[TimelineEntry, str]],
        timezone: str,
    ) -> None:
        """Take a tail-first load's blocks and render its whole timeline's pages."""
        self.warm(blocks)
        if timezone == self._zone_name:
            self._render_timeline(timeline, ZoneInfo(timezone))

    def render(self, snap: Snapshot) -> str:
        return self.render_bytes(snap).decode("utf-8")

    def render_bytes(self, snap: Snapshot) -> bytes:
        """The file's UTF-8 bytes."""
        return b"".join(self.render_chunks(snap))

    def render_chunks(self, snap: Snapshot) -> list[bytes]:
        """The file's UTF-8 bytes in pieces, in order: what a save writes."""
        zone = ZoneInfo(snap.timezone)
        if snap.timezone != self._zone_name:
            self._blocks.clear()
            self._actions.clear()
            self._head, self._pages, self._last = None, [], ()
            self._zone_name = snap.timezone
        parts = [self._render_head(snap, zone)]
        actions = self._actions
        for item in snap.actions:
            done = actions.get(item.id)
            if done is None or done[0] is not item:
                text = _record_block("actions", item.model_dump(), zone)
                done = actions[item.id] = (item, text)
            parts.append(done[1])
        return ["".join(parts).encode("utf-8"), *self._render_timeline(snap.timeline, zone)]

    def _render_head(self, snap: Snapshot, zone: ZoneInfo) -> str:
        if self._head is not None and self._head[:2] == (snap.head, snap.extra):
            return self._head[2]
        table = _table(snap.head, zone)
        for key in _HEAD_SKIP_IF_EMPTY:
            if not table.get(key, True):
                del table[key]
        # multi-line free text reads best as """...""", but TOML may turn a
        # raw CR LF inside one into LF: keep such text on one escaped line
        readable = not any(isinstance(v, str) and "\r" in v for v in table.values())
        # another tool's top-level keys go above the first table: written after one,
        # TOML would read them back inside it
        values = {key: value for key, value in snap.extra.items() if not _is_table(value)}
        tables = {key: value for key, value in snap.extra.items() if key not in values}
        top = {"schema": SCHEMA, **values, "incident": table}
        text = tomli_w.dumps(top, multiline_strings=readable)
        if tables:
            text += "\n" + tomli_w.dumps(tables)
        self._head = (snap.head, snap.extra, text)
        return text

    def _render_timeline(self, timeline: tuple[TimelineEntry, ...], zone: ZoneInfo) -> list[bytes]:
        pages, last = self._pages, self._last
        self._last = timeline
        end, back = len(timeline), len(pages)
        if pages and timeline[: len(last)] == last:  # grew at its end: all pages hold
            start, front = len(last), len(pages)
        else:
            # keep the pages still there at the start, then at the end; a page
            # compares as a tuple slice, identity first: C speed, no Python loop
            start, front = 0, 0
            while front < len(pages) and _same(timeline, start, pages[front][0]):
                start += len(pages[front][0])
                front += 1
        while back > front and _same(timeline, end - len(pages[back - 1][0]), pages[back - 1][0]):
            end -= len(pages[back - 1][0])
            back -= 1
            if end < start:  # overlapping the start's pages: not with unique ids; a guard
                end += len(pages[back][0])
                back += 1
                break
        # a short page next to the change is rendered again with it, so that
        # stamps make one growing last page, not a page per stamp
        if front and len(pages[front - 1][0]) < self.page:
            front -= 1
            start -= len(pages[front][0])
        if back < len(pages) and len(pages[back][0]) < self.page:
            end += len(pages[back][0])
            back += 1
        changed = [
            self._page(timeline[at : min(at + self.page, end)], zone)
            for at in range(start, end, self.page)
        ]
        self._pages = pages = [*pages[:front], *changed, *pages[back:]]
        blocks = self._blocks
        if len(blocks) > 2 * len(timeline) + 64:
            live = {entry.id for entry in timeline}
            self._blocks = {k: v for k, v in blocks.items() if k in live}
        return [text for _entries, text in pages]

    def _page(
        self, entries: tuple[TimelineEntry, ...], zone: ZoneInfo
    ) -> tuple[tuple[TimelineEntry, ...], bytes]:
        blocks = self._blocks
        parts = []
        for entry in entries:
            hit = blocks.get(entry.id)
            if hit is None or hit[0] is not entry:
                hit = blocks[entry.id] = (entry, entry_block(entry, zone))
            parts.append(hit[1])
        return entries, "".join(parts).encode("utf-8")


def _same(timeline: tuple[TimelineEntry, ...], at: int, entries: tuple[TimelineEntry, ...]) -> bool:
    return at >= 0 and timeline[at : at + len(entries)] == entries


def dumps(incident: Incident, extra: Mapping[str, Any] | None = None) -> str:
    return TomlWriter().render(snapshot(incident, extra))
