"""A fast path for reading the [[timeline]] tables of an incident file.

At 100,000 entries tomli takes over a second and pydantic as long again:
too slow to open an incident in the middle of an outage. Each table is read
the fastest way that reads it exactly as tomli + pydantic would:

1. pmtui's key order and spacing, with any datetime or quotes: one regular
   expression, about ten times faster than tomli. When the table is in
   pmtui's exact shape, its text is handed back too, as it is exactly what
   pmtui would write for it again (the writer's cache starts warm);
2. any other table of `key = value` lines whose values are strings (basic
   or literal) and datetimes (`T` or space, `Z`, an offset or none, seconds
   and fractions or not), with keys in any order, comments, blank lines,
   CRLF and spaces anywhere TOML allows them: a second expression finds the
   table, a third its pairs;
3. anything else (a number, an array, a multi-line string, a dotted key):
   that one table through tomli and pydantic.

Tables after the timeline ([[actions]], [extra]) are for the caller to read
with the head (`timeline_end`). Anything the parts cannot settle alone (a
missing id, numbered from the whole list; another table between the
[[timeline]] tables; a TOML error; an invalid entry) returns None, and the
caller reads the whole file with tomli as usual, which also names the
problem. The differential tests check that both paths give the same
incident, for every shape.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import tomli
from pydantic import ValidationError

from pmtui.core.model import EntryKind, TimelineEntry

_HEADER = "\n[[timeline]]\n"
# a TOML basic string pmtui writes: no raw control characters but tab
_STRING = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[btnfr"\\]|\\u[0-9a-fA-F]{4})*"'
# -- any other shape of a table of strings and datetimes (tomli's own rules) --
_WS = r"[ \t]*"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_END = r"(?=\r?\n|\Z)"
_HEAD = rf"{_WS}\[\[{_WS}timeline{_WS}\]\]{_WS}{_COMMENT}{_END}"
_BLANK = re.compile(rf"(?:{_WS}{_COMMENT}\r?\n)*{_WS}{_COMMENT}")  # blank lines, comments
_LITERAL = r"'[^'\x00-\x08\x0a-\x1f\x7f]*'"
_DATETIME = (
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt ]"
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?"
)
_PAIR = rf"{_WS}([A-Za-z0-9_-]+){_WS}={_WS}({_STRING}|{_LITERAL}|{_DATETIME})"
_LOOSE = re.compile(  # comment lines, the header, then pair, comment and blank lines
    rf"(?:\r?\n)?(?:{_WS}{_COMMENT}\r?\n)*{_HEAD}"
    rf"(?:\r?\n(?:{_PAIR}{_WS}{_COMMENT}{_END}|{_WS}{_COMMENT}{_END}))*"
)
_PAIRS = re.compile(rf"^{_PAIR}", re.MULTILINE)
_ANY_STRING = rf"{_STRING}|{_LITERAL}"
# pmtui's key order and spacing, any datetime and quotes: one match an entry
_BLOCK = re.compile(
    r"\n\[\[timeline\]\]\n"
    rf"id = ({_ANY_STRING})\n"
    rf"at = ({_DATETIME})\n"
    r"""kind = (?:"([a-z]+)"|'([a-z]+)')\n"""
    rf"(?:author = ({_ANY_STRING})\n)?"
    rf"text = ({_ANY_STRING})\n"
)
# ... and what pmtui writes: such a table is handed back to the writer's cache
_PMTUI_AT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.(?!000000)[0-9]{3}000)?"
    r"(?!-00:00)[+-][0-9]{2}:[0-9]{2}"
)
_NEXT = re.compile(rf"\r?\n{_HEAD}")  # where the next table begins
# a header of another table ([[actions]], [extra]); [timeline.x] belongs to an entry
_OTHER = re.compile(r"\r?\n[ \t]*\[(?![ \t]*\[?[ \t]*[\"']?timeline\b)")

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KINDS = {kind.value: kind for kind in EntryKind}
_FIELDS = ("id", "at", "kind", "author", "text")
_DEFAULTS: dict[str, Any] = {"kind": EntryKind.NOTE, "author": None, "text": ""}


def _entry(values: dict[str, Any], fields: set[str]) -> TimelineEntry:
    """Build an entry whose values are already what validation would give.

    Measured an entry: model_construct 4.9 us, model_validate 3.2 us, this
    1.6 us (20-30% of reading 100,000 entries). It sets pydantic's own four
    slots, as model_construct does: no public API does it this cheaply, so
    pyproject.toml pins pydantic exactly, and tests/test_fastload.py checks
    the result equals a validated entry in every respect pmtui uses.
    """
    entry = TimelineEntry.__new__(TimelineEntry)
    object.__setattr__(entry, "__dict__", values)
    object.__setattr__(entry, "__pydantic_fields_set__", fields)
    object.__setattr__(entry, "__pydantic_extra__", {})
    object.__setattr__(entry, "__pydantic_private__", None)
    return entry


def _string(raw: str) -> str:
    if raw[0] == "'" or "\\" not in raw:
        return raw[1:-1]
    if _SURROGATE_ESCAPE.search(raw):
        raise ValueError("a surrogate escape is not valid TOML")
    value: str = json.loads(raw, strict=False)
    return value


def _moment(raw: str, zone: ZoneInfo) -> datetime:
    at = datetime.fromisoformat(raw.upper())  # fractions past 6 digits cut, as tomli does
    if at.tzinfo is None:  # a local datetime is in the incident's zone
        at = at.replace(tzinfo=zone)
    return at


def _loose_entry(block: str, zone: ZoneInfo) -> TimelineEntry | None:
    """The entry of a table of strings and datetimes; None: read the whole file."""
    pairs = _PAIRS.findall(block)
    values: dict[str, Any] = {
        key: _moment(raw, zone) if raw[0] not in "\"'" else _string(raw) for key, raw in pairs
    }
    if len(values) < len(pairs):
        return None  # a key given twice: tomli names the line
    fields = set(values)
    at, kind = values.get("at"), values.get("kind", "note")
    if (
        fields.issubset(_FIELDS)
        and isinstance(values.get("id"), str)
        and isinstance(at, datetime)
        and isinstance(kind, str)
        and kind in _KINDS
        and not isinstance(values.get("author", ""), datetime)
        and not isinstance(values.get("text", ""), datetime)
    ):
        whole = _DEFAULTS | values
        whole["kind"] = _KINDS[kind]
        if at.microsecond % 1000:  # as TimelineEntry's validator keeps it
            whole["at"] = at.replace(microsecond=at.microsecond // 1000 * 1000)
        return _entry({name: whole[name] for name in _FIELDS}, fields)
    return _validated(values, zone)  # extra keys, a string `at`: pydantic decides


def _validated(table: dict[str, Any], zone: ZoneInfo) -> TimelineEntry | None:
    if "id" not in table:
        return None  # numbered from the whole list
    for key, value in table.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            table[key] = value.replace(tzinfo=zone)
    try:
        return TimelineEntry.model_validate(table)
    except ValidationError:
        return None


def _tomli_entry(chunk: str, zone: ZoneInfo) -> TimelineEntry | None:
    """One table in any other shape, through tomli and pydantic."""
    try:
        data = tomli.loads(chunk)
    except (tomli.TOMLDecodeError, RecursionError):
        return None
    tables = data.get("timeline")
    if len(data) != 1 or not isinstance(tables, list) or len(tables) != 1:
        return None  # another table in between: the whole file decides
    return _validated(tables[0], zone)


def _header_line(text: str, newline: int, start: int) -> int:
    """Where the line break at `newline` begins (its CR), when the line after it
    is a [[timeline]] header and that break is at or after `start`; else -1."""
    if newline > start and text[newline - 1] == "\r":
        newline -= 1
    return newline if newline >= start and _NEXT.match(text, newline) else -1


def split_timeline(text: str) -> tuple[str, int]:
    """(the text before the timeline tables, where they start); -1 when none.

    The start is where the line break before the first [[timeline]] header
    begins. Each line holding "[[" is looked at once (a line of 30,000 "["
    must not cost 30,000 searches of it).
    """
    at = text.find("[[")
    while at >= 0:
        start = _header_line(text, text.rfind("\n", 0, at), 0)
        if start >= 0:  # (a lone CR before the line break is left to tomli)
            return (text, -1) if text[start - 1] == "\r" else (text[:start] + "\n", start)
        line_end = text.find("\n", at)
        at = -1 if line_end < 0 else text.find("[[", line_end)
    return text, -1


def count_tables(text: str, start: int, end: int) -> int:
    # a header line as pmtui writes it, with or without a comment or CR after it;
    # when any "[[" is not one of those, the whole stretch is searched (slower)
    common = text.count("\n[[timeline]]", start, end)
    if text.count("[[", start, end) == common:
        return common
    return len(_NEXT.findall(text, start, end))


def timeline_end(text: str, start: int) -> int:
    """Where the tables after the last [[timeline]] table begin; the end when none.

    Tables are looked for from the start of the last one, so a text holding a
    header line can cut the timeline short: tomli then finds the error.
    """
    last = tail_start(text, start, 1)
    found = _OTHER.search(text, last + 2)
    return len(text) if found is None else found.start()


def tail_start(text: str, start: int, keep: int, end: int | None = None) -> int:
    """Where the last `keep` timeline tables (before `end`) begin; `start` when
    there are no more."""
    end = len(text) if end is None else end
    position = end
    for _ in range(keep):
        at = text.rfind("[[", start, position)
        while at > start:
            newline = text.rfind("\n", start, at)
            if newline < start:
                return start
            header = _header_line(text, newline, start)
            if header >= 0:
                break
            at = text.rfind("[[", start, newline)  # the next line up holding "[["
        if at <= start or header <= start:
            return start
        position = header
    return position


def read_timeline(
    text: str, start: int, zone: ZoneInfo, end: int | None = None
) -> tuple[list[TimelineEntry], list[tuple[TimelineEntry, str]]] | None:
    """Entries from `start` to `end` (or the end of `text`), and the canonical blocks.

    None when some part of that stretch needs the whole file read with tomli.
    """
    entries: list[TimelineEntry] = []
    canonical: list[tuple[TimelineEntry, str]] = []
    position, end = start, len(text) if end is None else end
    match, loose, following = _BLOCK.match, _LOOSE.match, _NEXT.match
    try:
        while position < end:
            found = match(text, position, end)
            if found is not None:
                raw_id, raw_at, kind, literal_kind, raw_author, raw_text = found.groups()
                at = _moment(raw_at, zone)
                exact = at.microsecond % 1000 == 0
                entry = _entry(
                    {
                        "id": _string(raw_id),
                        "at": at
                        if exact
                        else at.replace(microsecond=at.microsecond // 1000 * 1000),
                        "kind": _KINDS[kind or literal_kind],
                        "author": None if raw_author is None else _string(raw_author),
                        "text": _string(raw_text),
                    },
                    {"id", "at", "kind", "text"} if raw_author is None else set(_FIELDS),
                )
                block = found.group(0)
                if (
                    exact
                    and kind
                    and "\\" not in block
                    and "'" not in (raw_id[0], raw_text[0], (raw_author or '"')[0])
                    and _PMTUI_AT.fullmatch(raw_at)
                    and at.utcoffset() == zone.utcoffset(at)
                ):
                    canonical.append((entry, block))
                position = found.end()
            else:
                found = loose(text, position, end)
                after = -1 if found is None else found.end()
                if after == end or (after > 0 and following(text, after, end)):
                    item = _loose_entry(text[position:after], zone)
                else:  # a table in no shape above: up to the next header
                    next_table = _NEXT.search(text, position + 2, end)
                    after = end if next_table is None else next_table.start()
                    if next_table is None and _BLANK.fullmatch(text, position, end):
                        break  # blank lines and comments at the end
                    item = _tomli_entry(text[position:after], zone)
                if item is None:
                    return None
                entry = item
                position = after
            entries.append(entry)
    except (ValueError, KeyError):
        return None
    return entries, canonical
