"""Due dates as an IC types them: fri, tomorrow, today, +3d, +2w, 2026-12-01, dec 1.

Relative words resolve in the incident's timezone against now. A weekday
name means the next such day (today's name means today), and a day of the
year without a year means the next one that is not past.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

HINT = "fri, tomorrow, today, +3d, +2w, 2026-12-01 or dec 1"

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FULL_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip
_SPAN = re.compile(r"^\+(\d{1,3})\s*(d|day|days|w|wk|wks|week|weeks)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s*([a-z]+)\.?$")


def _index(word: str, short: tuple[str, ...], full: tuple[str, ...]) -> int | None:
    """'fri', 'frid', 'friday' -> 4; None when `word` names nothing."""
    if len(word) < 3:
        return None
    for index, name in enumerate(full):
        if name.startswith(word) or word == short[index]:
            return index
    if word in ("tues", "thur", "thurs", "sept"):
        return {"tues": 1, "thur": 3, "thurs": 3, "sept": 8}[word]
    return None


def _month_day(month: int, day: int, today: date) -> date | None:
    for year in range(today.year, today.year + 5):
        try:
            candidate = date(year, month + 1, day)
        except ValueError:
            continue  # 29 feb in a year without one: try the next
        if candidate >= today:
            return candidate
    return None


def parse_due(text: str, now: datetime, zone: ZoneInfo) -> date | None:
    """The date `text` names, seen from `now` in `zone`; None if it names none."""
    word = " ".join(text.strip().lower().split())
    today = now.astimezone(zone).date()
    if word in ("today", "tod", "eod"):
        return today
    if word in ("tomorrow", "tmrw", "tmr", "tom"):
        return today + timedelta(days=1)
    if _ISO.match(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            return None
    span = _SPAN.match(word)
    if span:
        count = int(span[1])
        return today + timedelta(days=count * (7 if span[2].startswith("w") else 1))
    weekday = _index(word, _WEEKDAYS, _FULL_WEEKDAYS)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        match = pattern.match(word)
        if match:
            month = _index(match[month_group], _MONTHS, _FULL_MONTHS)
            if month is not None:
                return _month_day(month, int(match[day_group]), today)
    return None


def describe(day: date, today: date) -> str:
    """'Fri 4 Dec 2026 (in 4 days)', to confirm what a word resolved to."""
    days = (day - today).days
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    elif days > 0:
        when = f"in {days} days"
    else:
        when = f"{-days} days ago"
    return f"{day:%a} {day.day} {day:%b %Y} ({when})"
