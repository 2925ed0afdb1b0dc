"""The incident model (schema 1): the single source of truth.

Timeline entries and action items are immutable: a change replaces the
object. That keeps undo simple and lets the store cache each entry's TOML
text by identity.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from pmtui.core.timeparse import local_zone, zone_name_of

SCHEMA = 1
_SURROGATES = re.compile("[\ud800-\udfff]")


class Status(StrEnum):
    DETECTED = "detected"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class EntryKind(StrEnum):
    NOTE = "note"
    DETECTION = "detection"
    ACTION = "action"
    DECISION = "decision"
    COMMS = "comms"
    STATUS = "status"


class ActionKind(StrEnum):
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class DetectedBy(StrEnum):
    """How the problem was first noticed."""

    ALERT = "alert"
    CUSTOMER = "customer"
    STAFF = "staff"
    OTHER = "other"


SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
# the postmortem's optional free-text sections beyond summary, impact, root
# cause and resolution; with `detected_by` and `links`, POSTMORTEM_FIELDS
POSTMORTEM_TEXTS = (
    "lead_in",
    "trigger",
    "detection",
    "contributing_factors",
    "went_well",
    "went_wrong",
    "got_lucky",
    "closing",
)
POSTMORTEM_FIELDS = (*POSTMORTEM_TEXTS, "detected_by", "links")


def clean_text(value: str) -> str:
    """Replace lone surrogates (bad terminal bytes), which UTF-8 cannot hold."""
    return _SURROGATES.sub("\ufffd", value)


def has_surrogates(value: str) -> bool:
    return _SURROGATES.search(value) is not None


def _to_ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def tz_not_understood() -> str | None:
    """One line when $TZ is set but names no zone pmtui knows (a POSIX rule such
    as `UTC+3`, whose sign runs the other way, or a typo), else None."""
    import os

    tz = os.environ.get("TZ", "").strip()
    if not tz:
        return None
    chosen = local_zone()
    if chosen in (tz.removeprefix(":"), zone_name_of(tz.removeprefix(":"))):
        return None
    return (
        f"TZ={tz} is not a zone name pmtui knows; using {chosen}. "
        "Give one with --timezone (e.g. Europe/London)"
    )


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _clean_optional(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


class TimelineEntry(_Record):
    id: str
    at: AwareDatetime
    kind: EntryKind = EntryKind.NOTE
    author: str | None = None
    text: str = ""

    # targeted validators: a "*" validator costs a Python call per field per
    # entry, which is most of the load time of a 100,000-entry incident
    _text = field_validator("text", "author")(_clean_optional)

    @field_validator("at")
    @classmethod
    def _at(cls, value: datetime) -> datetime:
        return _to_ms(value) if value.microsecond % 1000 else value

    def sort_key(self) -> tuple[datetime, int, str]:
        return (self.at, len(self.id), self.id)


class ActionItem(_Record):
    id: str
    text: str
    kind: ActionKind = ActionKind.CORRECTIVE
    owner: str | None = None
    due: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    ticket: str | None = None  # a URL (shown as a link) or a key such as OPS-123

    _text = field_validator("text", "owner", "ticket")(_clean_optional)

    @property
    def done(self) -> bool:
        return self.status is ActionStatus.DONE


def _next_number(ids: list[str], prefix: str) -> int:
    best = 0
    for ident in ids:
        if ident.startswith(prefix) and ident[len(prefix) :].isdigit():
            best = max(best, int(ident[len(prefix) :]))
    return best + 1


class Incident(BaseModel):
    """One incident: its facts, its timeline (kept sorted) and its actions."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    title: str
    severity: str | None = None
    status: Status = Status.DETECTED
    timezone: str = Field(default_factory=local_zone)
    commander: str | None = None
    started_at: AwareDatetime
    detected_at: AwareDatetime | None = None
    mitigated_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    summary: str = ""
    impact: str = ""
    root_cause: str = ""
    resolution: str = ""
    # the postmortem's other sections (POSTMORTEM_TEXTS), all optional
    lead_in: str = ""
    trigger: str = ""
    detected_by: DetectedBy | None = None
    detection: str = ""
    contributing_factors: str = ""
    went_well: str = ""
    went_wrong: str = ""
    got_lucky: str = ""
    links: list[str] = []  # one supporting link a line: a URL, or a title then its URL
    closing: str = ""
    # plain [] defaults (pydantic copies them per instance): default_factory=list
    # made pydantic read list's text signature, compiling tokenize's regexes
    # (~10 ms of every start, before first paint)
    actions: list[ActionItem] = []
    timeline: list[TimelineEntry] = []

    _next_entry: int = PrivateAttr(default=1)
    _next_action: int = PrivateAttr(default=1)
    # entry id -> entry: find_entry's membership index (checked on use, rebuilt when stale)
    _ids: dict[str, TimelineEntry] | None = PrivateAttr(default=None)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = clean_text(value).strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("summary", "impact", "root_cause", "resolution", "commander")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else clean_text(value)

    @field_validator(*POSTMORTEM_TEXTS)
    @classmethod
    def _section_text(cls, value: str) -> str:
        return clean_text(value)

    @field_validator("links", mode="before")
    @classmethod
    def _links(cls, value: Any) -> Any:
        """One link a line; `links = "https://..."` written by hand is a list of one."""
        if isinstance(value, str):
            value = value.splitlines()
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [line for line in (clean_text(item).strip() for item in value) if line]
        return value  # pydantic says what is wrong with it

    @field_validator("started_at", "detected_at", "mitigated_at", "resolved_at")
    @classmethod
    def _ms(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _to_ms(value)

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str | None) -> str | None:
        if value is None:
            return None
        norm = value.strip().upper()
        if norm.isdigit():
            norm = "SEV" + norm
        if norm not in SEVERITIES:
            raise ValueError("must be one of " + ", ".join(SEVERITIES))
        return norm

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown timezone {value!r} (use an IANA name such as Europe/London)"
            raise ValueError(message) from None
        return value

    @field_validator("timeline")
    @classmethod
    def _sorted_unique(cls, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        _check_unique(entry.id for entry in entries)
        return sorted(entries, key=TimelineEntry.sort_key)

    @field_validator("actions")
    @classmethod
    def _unique_actions(cls, actions: list[ActionItem]) -> list[ActionItem]:
        _check_unique(action.id for action in actions)
        return actions

    def model_post_init(self, context: Any, /) -> None:
        self._next_entry = _next_number([e.id for e in self.timeline], "t")
        self._next_action = _next_number([a.id for a in self.actions], "a")

    def adopt_timeline(self, whole: WholeTimeline) -> None:
        """Take the whole timeline after a tail-first load.

        Changed in place: the widgets read this list, and re-validating 100,000
        entries through pydantic would cost a second.
        """
        self.timeline[:] = whole.entries
        self._ids = whole.by_id
        self._next_entry = max(self._next_entry, whole.next_number)

    # -- time -------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    # -- timeline ---------------------------------------------------------
    def new_entry_id(self) -> str:
        ident = f"t{self._next_entry}"
        self._next_entry += 1
        return ident

    def add_entry(
        self,
        text: str,
        at: datetime,
        kind: EntryKind = EntryKind.NOTE,
        author: str | None = None,
    ) -> TimelineEntry:
        entry = TimelineEntry(id=self.new_entry_id(), at=at, kind=kind, author=author, text=text)
        self.insert_entry(entry)
        return entry

    def insert_entry(self, entry: TimelineEntry) -> int:
        """Insert keeping time order; returns the entry's index."""
        index = bisect.bisect_right(self.timeline, entry.sort_key(), key=TimelineEntry.sort_key)
        self.timeline.insert(index, entry)
        if self._ids is not None:
            self._ids[entry.id] = entry
        return index

    def index_of(self, entry_id: str) -> int:
        """Where the entry with this id is: a dict and a binary search.

        Walking 100,000 entries took ~20 ms, twice per edit. KeyError when no
        entry has this id.
        """
        entry = self.find_entry(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        index = self.locate(entry)
        if index is None:  # not in time order (never, short of a bug): walk it
            index = next(n for n, item in enumerate(self.timeline) if item is entry)
        return index

    def find_entry(self, entry_id: str) -> TimelineEntry | None:
        """The entry with this id, or None: a membership index, no walk.

        The index follows insert_entry and remove_entry; one of the same
        length as the timeline is taken as current (ids are unique), and a
        hit is checked by identity, so a list changed some other way only
        costs a rebuild.
        """
        ids = self._ids
        if ids is None or len(ids) != len(self.timeline):
            ids = self._ids = {item.id: item for item in self.timeline}
        entry = ids.get(entry_id)
        if entry is None:
            return None
        index = self.locate(entry)
        if index is not None and self.timeline[index] is entry:
            return entry
        self._ids = ids = {item.id: item for item in self.timeline}
        return ids.get(entry_id)

    def locate(self, entry: TimelineEntry) -> int | None:
        """Where `entry` (or an edit of it at the same time) is now; None if gone.

        A binary search on the sort order: at 100,000 entries `index_of`
        walks the list for ~20 ms.
        """
        timeline = self.timeline
        index = bisect.bisect_left(timeline, entry.sort_key(), key=TimelineEntry.sort_key)
        if index < len(timeline) and timeline[index].id == entry.id:
            return index
        return None

    def remove_entry(self, entry_id: str) -> TimelineEntry:
        entry = self.timeline.pop(self.index_of(entry_id))
        if self._ids is not None:
            self._ids.pop(entry_id, None)
        return entry

    def replace_entry(self, entry_id: str, **changes: Any) -> tuple[TimelineEntry, TimelineEntry]:
        """Apply changes to an entry; returns (old, new)."""
        old = self.remove_entry(entry_id)
        new = TimelineEntry.model_validate({**old.model_dump(), **changes})
        self.insert_entry(new)
        return old, new

    # -- actions ----------------------------------------------------------
    def add_action(
        self,
        text: str,
        kind: ActionKind = ActionKind.CORRECTIVE,
        owner: str | None = None,
        due: date | None = None,
        ticket: str | None = None,
    ) -> ActionItem:
        item = ActionItem(
            id=f"a{self._next_action}", text=text, kind=kind, owner=owner, due=due, ticket=ticket
        )
        self._next_action += 1
        self.actions.append(item)
        return item

    def action_index(self, action_id: str) -> int:
        for index, item in enumerate(self.actions):
            if item.id == action_id:
                return index
        raise KeyError(action_id)

    def replace_action(self, action_id: str, **changes: Any) -> tuple[ActionItem, ActionItem]:
        index = self.action_index(action_id)
        old = self.actions[index]
        new = ActionItem.model_validate({**old.model_dump(), **changes})
        self.actions[index] = new
        return old, new

    # -- status -----------------------------------------------------------
    def set_status(
        self, status: Status, at: datetime, author: str | None = None
    ) -> TimelineEntry | None:
        """Move the incident to a status, stamping its time and logging it.

        Moving back (resolved -> detected: a recurrence) clears the later
        stamps; the timeline keeps the history. Returns the `status` entry,
        or None when the incident already has that status.
        """
        status = Status(status)
        if status is self.status:
            return None
        previous = self.status
        if status is Status.DETECTED:
            self.mitigated_at = None
            self.resolved_at = None
            if self.detected_at is None:
                self.detected_at = at
        elif status is Status.MITIGATED:
            self.resolved_at = None
            if self.mitigated_at is None or previous is Status.DETECTED:
                self.mitigated_at = at
        else:
            if self.mitigated_at is None:
                self.mitigated_at = at
            self.resolved_at = at
        self.status = status
        if status is Status.DETECTED:
            text = "Re-opened: impact is back"
        elif status is Status.MITIGATED:
            text = "Mitigated" if previous is Status.DETECTED else "Back to mitigated"
        else:
            text = "Resolved"
        return self.add_entry(text, at, EntryKind.STATUS, author)

    # -- metrics ----------------------------------------------------------
    def _since_start(self, moment: datetime | None) -> timedelta | None:
        return None if moment is None else moment - self.started_at

    @property
    def time_to_detect(self) -> timedelta | None:
        return self._since_start(self.detected_at)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self._since_start(self.mitigated_at)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self._since_start(self.resolved_at)

    def duration(self, now: datetime | None = None) -> timedelta | None:
        """Impact so far: start to resolution, or to `now` while still open."""
        end = self.resolved_at or now
        return None if end is None else end - self.started_at


@dataclass(frozen=True)
class WholeTimeline:
    """A timeline checked as the validator checks one: unique ids, time order."""

    entries: list[TimelineEntry]
    next_number: int
    by_id: dict[str, TimelineEntry]  # seeds Incident.index_of, built on the loader's thread

    @classmethod
    def of(cls, entries: list[TimelineEntry]) -> WholeTimeline:
        """Check and sort `entries` (ValueError on a duplicate id); any thread."""
        by_id = {entry.id: entry for entry in entries}
        if len(by_id) != len(entries):
            _check_unique(entry.id for entry in entries)  # names the duplicate
        entries.sort(key=TimelineEntry.sort_key)
        return cls(entries, _next_number(list(by_id), "t"), by_id)


def _check_unique(ids: Any) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"duplicate id {ident!r}")
        seen.add(ident)


OUT_OF_ORDER = "out of order"


def format_duration(span: timedelta) -> str:
    """'42 minutes', '1 hour 11 minutes', '2 days 3 hours', '45 seconds'.

    Never a negative duration: a span that ends before it starts (stamps out
    of order, a hand-edited file) reads "out of order".
    """
    seconds = int(span.total_seconds())
    if seconds < 0:
        return OUT_OF_ORDER
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    if days:
        parts = [unit(days, "day")] + ([unit(hours, "hour")] if hours else [])
    elif hours:
        parts = [unit(hours, "hour")] + ([unit(minutes, "minute")] if minutes else [])
    elif minutes:
        parts = [unit(minutes, "minute")]
    else:
        parts = [unit(secs, "second")]
    return " ".join(parts)
