"""Times the IC types: "19:39", "7:39 PM", "19:39:05", "-5m", "-1h30m",
"2026-11-21 19:39", "2026-11-21T19:39:00+03:00".

One grammar and one rule for the entry bar and every time field:

- an offset counts back from the reference moment (when typing started);
- a clock time is the most recent moment showing that time in the incident's
  zone that is not later than the reference moment plus `SKEW` (a clock a few
  minutes ahead of the IC's is clock skew, taken as today's), counted in real
  instants: on the night the clocks go back, `01:40` at 01:45 GMT is five
  minutes ago, not 01:40 BST;
- a full date and time is that moment (an offset, if given, is honoured).

What cannot be meant raises `TimeError` with one line saying why: a wall time
that did not exist (the clocks jumped over it), a moment later than
`SKEW` ahead, and a bare clock time that would land on an earlier day more
than `FAR` ago (`9:30` typed at 09:08 is a time ahead, not yesterday).
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SKEW = timedelta(minutes=15)  # a time this far ahead is clock skew: taken as now-ish
FAR = timedelta(hours=12)  # a bare clock time is not read as an earlier day further back

_CLOCK_PART = r"""(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"""
_CLOCK = re.compile(
    r"^\s*" + _CLOCK_PART + r"""(?:\s*(?P<ampm>[ap])\.?m\.?)?(?=$|[\s:,;\-–—])""",
    re.IGNORECASE | re.VERBOSE,
)
_FULL = re.compile(
    r"^\s*(?P<day>\d{4}-\d{2}-\d{2})[ T]"
    + _CLOCK_PART
    + r"""(?:\.\d+)?(?:\s*(?P<ampm>[ap])\.?m\.?)?
        (?P<tz>Z|[+-]\d{2}:?\d{2})?(?=$|[\s:,;\-–—])""",
    re.IGNORECASE | re.VERBOSE,
)
_OFFSET = re.compile(
    r"^\s*-(?=\d)(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?(?=$|[\s:,;])",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[\s:,;\-–—]*")


def local_zone() -> str:
    """The zone for a new incident: $TZ when it names a zone, else the machine's own.

    TZ may be an IANA name (`Europe/London`), the same with a leading ':'
    (`:Europe/London`), or a path under a zoneinfo folder
    (`/usr/share/zoneinfo/Europe/London`). Anything else (unset, empty, a
    POSIX rule such as `GMT0BST`) falls back to /etc/localtime, then UTC.
    Here, not in the model: `pmtui log` needs it without pydantic.
    """
    candidates = []
    tz = os.environ.get("TZ", "").strip().removeprefix(":")
    if tz:
        candidates.append(zone_name_of(tz) if tz.startswith("/") else tz)
    with contextlib.suppress(OSError):
        candidates.append(zone_name_of(os.path.realpath("/etc/localtime")))
    for name in candidates:
        try:
            if name:
                ZoneInfo(name)
                return name
        except (OSError, ValueError, ZoneInfoNotFoundError):
            continue
    return "UTC"


def zone_name_of(path: str) -> str | None:
    """'Europe/London' for '/usr/share/zoneinfo/Europe/London', else None."""
    parts = path.split(os.sep)
    if "zoneinfo" in parts:
        return "/".join(parts[parts.index("zoneinfo") + 1 :]) or None
    return None


class TimeError(ValueError):
    """The text starts with a time that cannot be meant; the message says why,
    `short` in two or three words (the entry bar's label)."""

    def __init__(self, message: str, short: str = "no such time") -> None:
        super().__init__(message)
        self.short = short


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


def wall_instants(day: date, clock: time, zone: ZoneInfo) -> list[datetime]:
    """The real instants that show `clock` on `day` in `zone`, earliest first.

    None in a gap (the clocks jumped over it), two in a fold (the clocks went
    back), one otherwise. Compared in UTC: two aware datetimes that share a
    tzinfo compare their wall times and ignore fold.
    """
    found: list[datetime] = []
    for fold in (0, 1):
        naive = datetime.combine(day, clock).replace(fold=fold)
        real = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        if real.replace(tzinfo=None, fold=0) != naive.replace(fold=0):
            continue  # in a gap: the wall time does not exist
        if not any(real.astimezone(UTC) == seen.astimezone(UTC) for seen in found):
            found.append(real)
    return sorted(found, key=lambda moment: moment.astimezone(UTC))


def when_text(moment: datetime, now: datetime) -> str:
    """'19:39:00' today (in the moment's own zone), else 'Fri 20 Nov 19:39:00', with
    the year when it is not this year's ('Thu 1 Jan 2099 00:00:00')."""
    today = now.astimezone(moment.tzinfo).date()
    if moment.date() == today:
        return f"{moment:%H:%M:%S}"
    year = f" {moment.year}" if moment.year != today.year else ""
    return f"{moment:%a} {moment.day} {moment:%b}{year} {moment:%H:%M:%S}"


def _ahead(moment: datetime, now: datetime) -> str:
    minutes = max(1, round((moment - now).total_seconds() / 60))
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def latest_at(clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    """The most recent moment at `clock` in `zone` not later than `now` + SKEW.

    Raises TimeError when that wall time did not exist where it would fall,
    or when it would land on an earlier day more than FAR ago.
    """
    limit = (now + SKEW).astimezone(UTC)
    local_now = now.astimezone(zone)
    today = local_now.date()
    shown = f"{clock:%H:%M}" + (f":{clock.second:02d}" if clock.second else "")
    for back in range(-1, 3):
        day = today - timedelta(days=back)
        instants = wall_instants(day, clock, zone)
        if not instants:
            # a gap: where the IC's clock would have shown it, it never did
            jumped = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
            if jumped <= limit or day == today:
                raise TimeError(
                    f"{shown} did not exist on {day:%a} {day.day} {day:%b} in {zone.key} "
                    "(the clocks jumped over it): type the time again, or -5m style"
                )
            continue
        past = [moment for moment in instants if moment.astimezone(UTC) <= limit]
        if not past:
            continue
        moment = past[-1]
        if day < today and now - moment > FAR:
            ahead = wall_instants(today, clock, zone)
            soon = f"{_ahead(ahead[0], now)} from now" if ahead else "ahead"
            raise TimeError(
                f"{shown} is {soon}, and yesterday's is {_ahead(now, moment)} ago: "
                f"type {moment:%Y-%m-%d %H:%M} if you mean yesterday",
                "ahead of now",
            )
        return moment
    raise TimeError(f"{shown} cannot be placed in {zone.key}")  # pragma: no cover


def _full(match: re.Match[str], now: datetime, zone: ZoneInfo) -> datetime | None:
    """A full date and time; None when it is not one (2026-02-30, 25:00)."""
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    clock = _clock_time(match)
    if clock is None:
        return None
    if match["tz"]:
        raw = match["tz"].upper().replace(":", "")
        if raw == "Z":
            offset = UTC
        else:
            sign = -1 if raw[0] == "-" else 1
            hours, minutes = int(raw[1:3]), int(raw[3:5])
            if hours > 23 or minutes > 59:
                return None
            offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
        moment = datetime.combine(day, clock, tzinfo=offset).astimezone(zone)
    else:
        instants = wall_instants(day, clock, zone)
        if not instants:
            raise TimeError(
                f"{match[0].strip()} did not exist in {zone.key} (the clocks jumped over it)"
            )
        limit = (now + SKEW).astimezone(UTC)
        past = [moment for moment in instants if moment.astimezone(UTC) <= limit]
        moment = (past or instants)[-1]
    if moment.astimezone(UTC) > (now + SKEW).astimezone(UTC):
        raise TimeError(
            f"{when_text(moment, now)} is {_ahead(moment, now)} in the future", "in the future"
        )
    return moment


def parse_leading_time(text: str, now: datetime, zone: ZoneInfo) -> tuple[datetime | None, str]:
    """Split a leading time off `text`.

    Returns (moment, rest). When `text` does not start with a valid time or
    offset, returns (None, text) unchanged. Raises TimeError for a time that
    cannot be meant (see the module's docstring).
    """
    match = _OFFSET.match(text)
    if match and any(match.group(g) for g in ("h", "m", "s")):
        span = timedelta(
            hours=int(match["h"] or 0), minutes=int(match["m"] or 0), seconds=int(match["s"] or 0)
        )
        return (now - span).astimezone(zone), _rest(text, match.end())
    match = _FULL.match(text)
    if match:
        moment = _full(match, now, zone)
        if moment is not None:
            return moment, _rest(text, match.end())
    match = _CLOCK.match(text)
    if match:
        clock = _clock_time(match)
        if clock is not None:
            return latest_at(clock, now, zone), _rest(text, match.end())
    return None, text


def parse_time_field(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A time field in a dialog: the entry bar's grammar and rule, the whole field.

    Raises TimeError with one line for the dialog when it is not a time.
    """
    moment, rest = parse_leading_time(text, now, zone)
    if moment is None or rest.strip():
        raise TimeError(
            f"Not a time: {text.strip()!r} (try 19:39, 7:39 PM, -5m or 2026-11-21 19:39)"
        )
    return moment
