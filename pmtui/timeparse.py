"""Leading times in logged text: "19:39", "7:39 PM", "19:39:05", "-5m", "-1h30m".

A leading time backdates an entry to the most recent such moment that is not
in the future; an offset counts back from the reference moment.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_CLOCK = re.compile(
    r"""^\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?
        (?:\s*(?P<ampm>[ap])\.?m\.?)?
        (?=$|[\s:,;\-–—])""",
    re.IGNORECASE | re.VERBOSE,
)
_OFFSET = re.compile(
    r"^\s*-(?=\d)(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?(?=$|[\s:,;])",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[\s:,;\-–—]*")


def _rest(text: str, end: int) -> str:
    tail = text[end:]
    return tail[_SEPARATOR.match(tail).end() :]  # type: ignore[union-attr]


def _clock_time(match: re.Match[str]) -> time | None:
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"]) if match["s"] else 0
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def latest_at(clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    """The most recent moment at `clock` (in `zone`) that is not after `now`."""
    today = now.astimezone(zone).date()
    candidate = datetime.combine(today, clock, tzinfo=zone)
    if candidate > now:
        candidate = datetime.combine(today - timedelta(days=1), clock, tzinfo=zone)
    return candidate


def parse_leading_time(text: str, now: datetime, zone: ZoneInfo) -> tuple[datetime | None, str]:
    """Split a leading time off `text`.

    Returns (moment, rest). When `text` does not start with a valid time or
    offset, returns (None, text) unchanged.
    """
    match = _OFFSET.match(text)
    if match and any(match.group(g) for g in ("h", "m", "s")):
        span = timedelta(
            hours=int(match["h"] or 0), minutes=int(match["m"] or 0), seconds=int(match["s"] or 0)
        )
        return (now - span).astimezone(zone), _rest(text, match.end())
    match = _CLOCK.match(text)
    if match:
        clock = _clock_time(match)
        if clock is not None:
            return latest_at(clock, now, zone), _rest(text, match.end())
    return None, text


_FULL = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*$")


def parse_time_field(text: str, day: date, zone: ZoneInfo) -> datetime | None:
    """An edited time: '19:39', '7:39:05 pm' on `day`, or '2026-11-21 19:39'."""
    full = _FULL.match(text)
    if full:
        try:
            day = date.fromisoformat(full[1])
        except ValueError:
            return None
        text = full[2]
    match = _CLOCK.match(text)
    if not match or text[match.end() :].strip():
        return None
    clock = _clock_time(match)
    return None if clock is None else datetime.combine(day, clock, tzinfo=zone)
