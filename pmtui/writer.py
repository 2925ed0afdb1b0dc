"""Write incident files (schema 1): TOML text, rendered fast and cached.

Each entry's TOML block is cached (entries are immutable, so identity says
it is current) and a save after a stamp renders one new block: the saver
runs on its own thread, and a walk over every entry held the interpreter
lock long enough to make the UI miss a frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

from pmtui.model import SCHEMA, ActionItem, Incident, TimelineEntry
from pmtui.reader import LISTS, by_id

_SKIP_IF_EMPTY = {"summary", "impact", "root_cause", "resolution"}
MAX_CHUNKS = 64  # pieces of timeline text kept apart before they are joined


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


def entry_block(entry: TimelineEntry, zone: ZoneInfo) -> str:
    """One [[timeline]] table, as tomli-w would write it, about ten times faster."""
    if entry.model_extra:
        return "\n[[timeline]]\n" + tomli_w.dumps(_table(entry.model_dump(), zone))
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


def snapshot(incident: Incident) -> Snapshot:
    if incident.loading:
        # a save now would drop every entry not read yet
        raise RuntimeError("snapshot of an incident still loading")
    head = incident.model_dump(exclude=set(LISTS))
    return Snapshot(
        incident.timezone,
        head,
        dict(incident._file_extra),
        tuple(incident.actions),
        tuple(incident.timeline),
    )


@dataclass
class TomlWriter:
    """Renders snapshots to TOML, caching each entry's block by identity.

    It also keeps the last timeline it rendered and that text: a save after
    a stamp (the timeline grew at its end) costs one new block and a copy,
    not a walk over every entry. The saver renders on its own thread, and a
    walk over 10,000 entries held the interpreter lock long enough to make
    the UI miss a frame.
    """

    _zone_name: str = ""
    _blocks: dict[str, tuple[TimelineEntry, str]] = field(default_factory=dict)
    _actions: dict[str, tuple[ActionItem, str]] = field(default_factory=dict)
    _head: tuple[dict[str, Any], dict[str, Any], str] | None = None
    # the timeline last rendered, and its text as chunks: a save writes the
    # chunks as they are, so a stamp copies no megabytes (at 100,000 entries
    # two 10 MB copies per save held the interpreter lock during the frame)
    _body: tuple[tuple[TimelineEntry, ...], list[bytes]] = ((), [])

    def seed(self, incident: Incident) -> None:
        """Start warm: take the blocks the fast loader found canonical."""
        self._zone_name = incident.timezone
        self.warm(by_id(incident._canonical_blocks))
        incident._canonical_blocks = []

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
            self._head, self._body = None, ((), [])
            self._zone_name = snap.timezone
        parts = [self._render_head(snap, zone)]
        actions = self._actions
        for item in snap.actions:
            done = actions.get(item.id)
            if done is None or done[0] is not item:
                text = "\n[[actions]]\n" + tomli_w.dumps(_table(item.model_dump(), zone))
                done = actions[item.id] = (item, text)
            parts.append(done[1])
        return ["".join(parts).encode("utf-8"), *self._render_timeline(snap.timeline, zone)]

    def _render_head(self, snap: Snapshot, zone: ZoneInfo) -> str:
        if self._head is not None and self._head[:2] == (snap.head, snap.extra):
            return self._head[2]
        table = _table(snap.head, zone)
        # multi-line free text reads best as """...""", but TOML may turn a
        # raw CR LF inside one into LF: keep such text on one escaped line
        readable = not any(isinstance(v, str) and "\r" in v for v in table.values())
        text = tomli_w.dumps({"schema": SCHEMA, "incident": table}, multiline_strings=readable)
        if snap.extra:
            text += "\n" + tomli_w.dumps(snap.extra)
        self._head = (snap.head, snap.extra, text)
        return text

    def _render_timeline(self, timeline: tuple[TimelineEntry, ...], zone: ZoneInfo) -> list[bytes]:
        done, body = self._body
        # the tuples compare item by item, identity first: C speed, no Python loop
        if len(timeline) >= len(done) and timeline[: len(done)] == done:
            start = len(done)
        else:
            start, body = 0, []
        blocks = self._blocks
        parts = []
        for entry in timeline[start:]:
            hit = blocks.get(entry.id)
            if hit is None or hit[0] is not entry:
                hit = blocks[entry.id] = (entry, entry_block(entry, zone))
            parts.append(hit[1])
        body = [*body, "".join(parts).encode("utf-8")] if parts else body
        if len(body) > MAX_CHUNKS:
            body = [b"".join(body)]  # one copy every MAX_CHUNKS saves
        self._body = (timeline, body)
        if len(blocks) > 2 * len(timeline) + 64:
            live = {entry.id for entry in timeline}
            self._blocks = {k: v for k, v in blocks.items() if k in live}
        return body


def dumps(incident: Incident) -> str:
    return TomlWriter().render(snapshot(incident))
