"""Read incident files (schema 1): tomli (a UTF-8 BOM is accepted), then pydantic.

Every failure is one line naming the file and the line/column or the field.
A big file can be opened tail-first: the head, the actions
and the last entries now (`parse(..., tail=N)`), the rest later (`Rest.read`).
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli
from pydantic import ValidationError

from pmtui.core.errors import LoadError
from pmtui.core.fastload import (
    count_tables,
    read_timeline,
    split_timeline,
    tail_start,
    timeline_end,
)
from pmtui.core.files import read_regular, why_unreadable
from pmtui.core.model import SCHEMA, Incident, TimelineEntry, WholeTimeline
from pmtui.core.timeparse import local_zone

LISTS = ("actions", "timeline")


def read_text(path: Path) -> str:
    try:
        raw = read_regular(path)
    except OSError as error:
        raise LoadError(f"{path}: {why_unreadable(error)}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LoadError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x})") from None


def _field_name(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    if loc and loc[0] in LISTS:
        name = str(loc[0])
        if len(loc) > 1 and isinstance(loc[1], int):
            items = data.get(name) or []
            item = items[loc[1]] if loc[1] < len(items) else None
            ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
            name += f"[{loc[1]}]" + (f" (id {ident})" if isinstance(ident, str) else "")
            rest = loc[2:]
        else:
            rest = loc[1:]
        return ".".join([name, *map(str, rest)])
    return ".".join(["incident", *map(str, loc)])


def problem_text(error: Any) -> str:
    kind = error["type"]
    if kind == "enum":
        return "must be one of " + ", ".join(re.findall(r"'([^']*)'", error["ctx"]["expected"]))
    if kind == "missing":
        return "is required"
    if kind == "timezone_aware":
        return "needs a time with a UTC offset"
    message = str(error["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _attach_zone(table: dict[str, Any], zone: ZoneInfo) -> None:
    for key, value in table.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            table[key] = value.replace(tzinfo=zone)


def _toml(text: str, name: str | Path) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        message = error.msg[:1].lower() + error.msg[1:]
        raise LoadError(f"{name}:{error.lineno}:{error.colno}: {message}") from None
    except RecursionError as error:  # tomli's own limits on nesting and dotted keys
        message = str(error).removeprefix("TOML ") or "nested too deeply"
        raise LoadError(f"{name}: not an incident file: {message}") from None


def _zone_of(table: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(str(table.get("timezone") or local_zone()))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # the model reports the bad name itself


def by_id(blocks: list[tuple[TimelineEntry, str]]) -> dict[str, tuple[TimelineEntry, str]]:
    """Canonical (entry, TOML block) pairs keyed as the writer's cache keys them."""
    return {entry.id: (entry, block) for entry, block in blocks}


@dataclass(frozen=True)
class Rest:
    """The earlier timeline tables of a file opened tail-first, still to read."""

    text: str
    name: str | Path
    start: int  # where the first [[timeline]] table begins
    end: int  # where the tables already read begin

    def read(
        self, zone: ZoneInfo, tail: list[TimelineEntry]
    ) -> tuple[WholeTimeline, dict[str, tuple[TimelineEntry, str]]]:
        """The whole timeline (earlier entries + `tail`) and the canonical blocks by id.

        Safe on another thread: it reads text and makes new objects. When the
        earlier tables need tomli throughout, the whole file is read the
        slow way, which also finds any error in it (LoadError).
        """
        found = read_timeline(self.text, self.start, zone, self.end)
        if found is None:
            entries, blocks = parse(self.text, self.name).timeline, []
        else:
            entries, blocks = found[0] + tail, found[1]
        check_times(entries, zone, self.name, self.text)
        try:
            return WholeTimeline.of(entries), by_id(blocks)
        except ValueError as error:
            raise LoadError(f"{self.name}: timeline: {error}") from None


@dataclass
class FileState:
    """What reading a file found besides the incident: the file's, not the model's.

    The store keeps it for the file it holds: the writer takes `blocks` to
    start warm, a save writes `extra` back, and a tail-first load finishes
    with `rest`.
    """

    # top-level tables pmtui does not know (and [journal], how far the journal
    # is folded: pmtui.core.fold), written back as read
    extra: dict[str, Any] = field(default_factory=dict)
    # (entry, its TOML text) as read from the file, to start the writer warm
    blocks: list[tuple[TimelineEntry, str]] = field(default_factory=list)
    # a big file opened tail-first: the earlier tables still to read, and the
    # whole timeline's length while only its last entries are in hand (else 0)
    rest: Rest | None = None
    loading: int = 0


def _read_fast(
    text: str, name: str | Path, tail: int = 0
) -> tuple[dict[str, Any], list[TimelineEntry], list[Any], Rest | None] | None:
    """The fast path (pmtui.core.fastload): None when the file needs tomli throughout.

    With `tail`, only the last `tail` timeline tables are read; the Rest says
    where the others are.
    """
    head, start = split_timeline(text)
    if start < 0:
        return None
    end = timeline_end(text, start)  # tables after the timeline are read with the head
    try:
        data = tomli.loads(head + text[end:] if end < len(text) else head)
    except (tomli.TOMLDecodeError, RecursionError):
        return None
    table = data.get("incident")
    if "timeline" in data or not isinstance(table, dict):
        return None
    begin = tail_start(text, start, tail, end) if tail else start
    found = read_timeline(text, begin, _zone_of(table), end)
    if found is None:
        return None
    return data, *found, Rest(text, name, start, begin) if begin > start else None


def parse(text: str, name: str | Path, tail: int = 0) -> Incident:
    """Parse and validate an incident file's text; LoadError on any problem."""
    return parse_state(text, name, tail)[0]


def parse_state(text: str, name: str | Path, tail: int = 0) -> tuple[Incident, FileState]:
    """The incident an incident file's text holds, and what else was read.

    With `tail` (a big file the fast path reads), only the last `tail`
    entries are read: the state is `loading` until the rest is read.
    """
    fast = _read_fast(text, name, tail)
    data = fast[0] if fast else _toml(text, name)
    schema = data.pop("schema", SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise LoadError(f"{name}: schema: must be {SCHEMA}")
    if schema > SCHEMA:
        raise LoadError(
            f"{name}: schema {schema} is newer than this pmtui understands ({SCHEMA}); "
            "upgrade pmtui to open it"
        )
    table = data.pop("incident", None)
    if not isinstance(table, dict):
        raise LoadError(f"{name}: no [incident] table")
    for key in LISTS:
        items = data.pop(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise LoadError(f"{name}: {key}: must be a list of [[{key}]] tables")
        table[key] = items
    zone = _zone_of(table)
    _attach_zone(table, zone)
    if fast:
        table["timeline"] = fast[1]
    else:
        for entry in table["timeline"]:
            _attach_zone(entry, zone)
        _fill_missing_ids(table["timeline"], "t")
    _fill_missing_ids(table["actions"], "a")
    try:
        incident = Incident.model_validate(table)
    except ValidationError as error:
        first = error.errors()[0]
        raise LoadError(
            f"{name}: {_field_name(first['loc'], table)}: {problem_text(first)}"
        ) from None
    # tail-first, only the head and the last entries are in hand: looking at
    # them costs less than searching the whole text, on the way to first paint
    check_times(incident, incident.zone, name, None if fast and fast[3] else text)
    state = FileState(data, fast[2] if fast else [])
    if fast is not None and fast[3] is not None:
        rest = state.rest = fast[3]
        state.loading = count_tables(text, rest.start, rest.end) + len(fast[1])
    return incident, state


def check_times(
    where: Incident | list[TimelineEntry], zone: ZoneInfo, name: str | Path, text: str | None
) -> None:
    """LoadError for a time in year 1 or 9999 that cannot be shown in UTC or `zone`
    (0001-01-01T00:00:00+14:00 is in year 0 in UTC): shown or exported, it would
    crash pmtui. Only those two years can, and a file (`text`) without either
    written in it is not looked at further (at 100,000 entries, two searches
    of the text take 5-14 ms, a look at each entry 27)."""
    if text is not None and "0001-" not in text and "9999-" not in text:
        return
    if isinstance(where, Incident):
        named = [(f"incident.{what}", getattr(where, what)) for what in _TIMES]
        entries = where.timeline
    else:
        named, entries = [], where
    named += [
        (f"timeline[{n}] (id {e.id}).at", e.at)
        for n, e in enumerate(entries)
        if e.at.year in (1, 9999)
    ]
    for what, moment in named:
        if moment is not None and moment.year in (1, 9999):
            try:
                moment.astimezone(UTC)
                moment.astimezone(zone)
            except OverflowError:
                raise LoadError(
                    f"{name}: {what}: {moment.isoformat()} is out of the range pmtui can "
                    f"show in {zone.key or zone}"
                ) from None


_TIMES = ("started_at", "detected_at", "mitigated_at", "resolved_at")


def _fill_missing_ids(items: list[dict[str, Any]], prefix: str) -> None:
    used = {str(item["id"]) for item in items if "id" in item}
    number = 1
    for item in items:
        if "id" not in item:
            while f"{prefix}{number}" in used:
                number += 1
            item["id"] = f"{prefix}{number}"
            used.add(item["id"])


def load(path: Path) -> Incident:
    """Read an incident without locking it (export, preview)."""
    return load_state(path)[0]


def load_state(path: Path, tail: int = 0) -> tuple[Incident, FileState]:
    """Read an incident file without locking it: the incident and what else it held."""
    text = read_text(path)
    # a load allocates an object graph that lives as long as the incident;
    # the cyclic collector walking it over and over cost a third of the time
    enabled = gc.isenabled()
    gc.disable()
    try:
        return parse_state(text, path, tail)
    finally:
        if enabled:
            gc.enable()
