"""Across incidents: every incident file in a folder, summarised as plain data.

`pmtui ls`, `pmtui actions` and `pmtui report` print what `scan` returns;
the home screen can show the same. No Textual and no pydantic: listing 1,000
incidents must take well under a second, and importing pydantic alone costs
a fifth of that.

Each file is read the cheap way when it is in the shape pmtui writes
(pmtui.core.quickread): the head (the [incident] table and the [[actions]])
with a regular expression (tomli for any other shape), the timeline only
checked and counted with another. Anything
else (a hand edit, an escape, a value of the wrong type, a broken file) is
handed to the real reader (pmtui.core.reader), so a file is listed exactly when
`pmtui FILE` would open it, and otherwise reported with the reader's own
one-line error. Nothing is skipped silently, and one bad file never stops
the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomli

from pmtui.core import quickread
from pmtui.core.copies import Copy, copy_of
from pmtui.core.files import read_regular
from pmtui.core.journal import SUFFIX, folder_of, read

SCHEMA = 1  # pmtui.core.model.SCHEMA (tests/test_catalog.py checks they agree)
STATUSES = ("detected", "mitigated", "resolved")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_ACTION_KINDS = ("corrective", "preventive")
_TEXTS = ("commander", "summary", "impact", "root_cause", "resolution")
_STAMPS = ("detected_at", "mitigated_at", "resolved_at")


class _Slow(Exception):
    """Not in pmtui's own shape: let the real reader decide."""


@dataclass(frozen=True)
class Action:
    """One action item, with the incident it belongs to."""

    id: str
    text: str
    kind: str  # corrective | preventive
    owner: str | None
    due: date | None
    status: str  # open | done
    overdue: bool  # open and due before today in the incident's timezone
    incident: str  # the incident file (Summary.name)
    title: str  # the incident's title
    ticket: str | None = None  # a URL or a key, as the file holds it

    @property
    def open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Summary:
    """What the list shows of one incident."""

    path: Path
    name: str  # the path as given: the folder scanned / the file, with / separators
    title: str
    severity: str | None
    status: str
    timezone: str
    commander: str | None
    started_at: datetime  # aware, in the incident's timezone
    detected_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    entries: int  # timeline entries, with journal lines not yet folded in
    actions: tuple[Action, ...]
    copies: tuple[str, ...] = ()  # conflict copies beside it (Copy.name), oldest first

    def _since_start(self, moment: datetime | None) -> int | None:
        return None if moment is None else int((moment - self.started_at).total_seconds())

    @property
    def seconds_to_detect(self) -> int | None:
        return self._since_start(self.detected_at)

    @property
    def seconds_to_mitigate(self) -> int | None:
        return self._since_start(self.mitigated_at)

    @property
    def seconds_to_resolve(self) -> int | None:
        return self._since_start(self.resolved_at)

    @property
    def open_actions(self) -> int:
        return sum(action.open for action in self.actions)

    @property
    def overdue_actions(self) -> int:
        return sum(action.overdue for action in self.actions)


@dataclass(frozen=True)
class Problem:
    """A file that could not be read, and the reader's one-line error."""

    path: Path
    name: str
    error: str


@dataclass
class Catalog:
    folder: Path
    incidents: list[Summary] = field(default_factory=list)  # newest first
    problems: list[Problem] = field(default_factory=list)  # by name
    skipped: list[str] = field(default_factory=list)  # .toml files that are not incidents
    copies: list[Copy] = field(default_factory=list)  # by name; not in `incidents`

    def actions(self) -> list[Action]:
        return [action for incident in self.incidents for action in incident.actions]


def incident_files(folder: Path, problems: list[Problem] | None = None) -> list[Path]:
    """Every *.toml under `folder`, skipping hidden folders and journals; sorted.

    A folder that cannot be listed is added to `problems`, never passed over.
    """

    def unlisted(error: OSError) -> None:
        if problems is not None:
            where = Path(error.filename or folder)
            message = f"{where}: cannot list the folder: {error.strerror or error}"
            problems.append(Problem(where, where.as_posix(), message))

    found: list[str] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.endswith(SUFFIX)]
        found += [os.path.join(root, n) for n in files if n.endswith(".toml") and n[0] != "."]
    return [Path(name) for name in sorted(found)]


def scan(
    folder: Path,
    now: datetime | None = None,
    read: Callable[[Path, str, datetime], Summary] | None = None,
) -> Catalog:
    """Read every incident under `folder` (or the one file `folder` names).

    `read` summarises one file (default `summarise`; the home screen's cache
    wraps it: pmtui.core.homefolder)."""
    now = now or datetime.now(UTC)
    read = read or summarise
    catalog = Catalog(folder)
    for path in [folder] if folder.is_file() else incident_files(folder, catalog.problems):
        name = path.as_posix()  # as reachable from here: DIR/sub/inc.toml
        found = None if path == folder else copy_of(path)
        if found is not None:
            catalog.copies.append(Copy(path, name, found[0].as_posix(), found[1]))
            continue
        result = read_one(path, name, now, read)
        if result is None:
            catalog.skipped.append(name)
        elif isinstance(result, Problem):
            catalog.problems.append(result)
        else:
            catalog.incidents.append(result)
    if catalog.copies:
        beside: dict[str, tuple[str, ...]] = {}
        for copy in catalog.copies:
            beside[copy.of] = (*beside.get(copy.of, ()), copy.name)
        catalog.incidents = [
            replace(s, copies=beside[s.name]) if s.name in beside else s for s in catalog.incidents
        ]
    order(catalog)
    return catalog


def order(catalog: Catalog) -> None:
    """Newest first, the problems by name."""
    catalog.incidents.sort(key=lambda s: (s.started_at, s.name), reverse=True)
    catalog.problems.sort(key=lambda p: p.name)


def read_one(
    path: Path, name: str, now: datetime, read: Callable[[Path, str, datetime], Summary]
) -> Summary | Problem | None:
    """One file's summary, or its one-line error; None when it is not an incident."""
    try:
        return read(path, name, now)
    except _NotIncident:
        return None
    except Exception as error:  # one file never stops the rest
        return Problem(path, name, _one_line(error, path))


def problem_of(path: Path, name: str, error: Exception) -> Problem | None:
    """What `scan` lists for a file whose reading raised `error` (None: not an incident)."""
    return None if isinstance(error, _NotIncident) else Problem(path, name, _one_line(error, path))


class _NotIncident(Exception):
    """A TOML file with neither `schema` nor an [incident] table (pyproject.toml)."""


class Known(Exception):
    """A file's one-line error, as read before (the home screen's cache)."""


def _one_line(error: Exception, path: Path) -> str:
    from pmtui.core.errors import PmtuiError

    if isinstance(error, Known):
        return str(error)
    if isinstance(error, PmtuiError):
        return str(error).splitlines()[0]
    if isinstance(error, OSError):
        return f"{path}: cannot read: {error.strerror or error}"
    return f"{path}: cannot read: {type(error).__name__}: {error}".splitlines()[0]


def summarise(
    path: Path, name: str, now: datetime, check: bool = True, journal: bool = True
) -> Summary:
    """One incident file's summary; LoadError (the reader's) when it cannot be read.

    `check=False` only counts the timeline's tables, without checking that
    each is in pmtui's shape and its id unique (60% of the time): the home
    screen's first paint reads so, and checks them right after
    (pmtui.core.homefolder). `journal=False`: the caller saw no journal folder."""
    text, data = "", None
    try:
        text = read_regular(path).decode("utf-8-sig")  # a FIFO or /dev/zero: the reader says
        top = text[: quickread.split(text) + 1]
        data = quickread.head(top)
        if data is None:
            data = tomli.loads(top)
    except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError, RecursionError):
        pass  # the reader says what is wrong (nesting past tomli's limits included)
    if data and "schema" not in data and "incident" not in data:  # an empty file is broken
        raise _NotIncident
    try:
        if data is None:
            raise _Slow
        summary = _fast(data, text, path, name, now, check)
    except (_Slow, OverflowError):  # a time out of range: the reader names the field
        summary, data = _slow(path, name, now)
    if not journal or not os.path.isdir(folder_of(path)):
        return summary
    return _with_journal(summary, text, data.get("journal"))


def _fast(
    data: dict[str, Any], text: str, path: Path, name: str, now: datetime, check: bool
) -> Summary:
    schema = data.get("schema", SCHEMA)
    table = data.get("incident")
    if type(schema) is not int or schema != SCHEMA or not isinstance(table, dict):
        raise _Slow
    if "timeline" in data or "actions" in table or "timeline" in table:
        raise _Slow
    zone_name = table.get("timezone")
    title = table.get("title")
    if not isinstance(zone_name, str) or not isinstance(title, str) or not title.strip():
        raise _Slow
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError) as error:
        raise _Slow from error
    severity = table.get("severity")
    status = table.get("status", "detected")
    if (severity is not None and severity not in SEVERITIES) or status not in STATUSES:
        raise _Slow
    if any(not isinstance(table.get(key, ""), str) for key in _TEXTS):
        raise _Slow
    started, detected, mitigated, resolved = (
        _moment(table.get(key), zone) for key in ("started_at", *_STAMPS)
    )
    if started is None:
        raise _Slow
    start = quickread.split(text)
    if check:
        entries = quickread.count_timeline(text, start)
        if entries is None:
            raise _Slow
    else:
        entries = text.count(quickread.HEADER, start)
    today = now.astimezone(zone).date()
    actions = tuple(_action(item, today, name, title.strip()) for item in _items(data))
    if len({action.id for action in actions}) < len(actions):
        raise _Slow
    commander = table.get("commander")
    return Summary(
        path=path, name=name, title=title.strip(), severity=severity, status=status,
        timezone=zone_name, commander=commander, started_at=started, detected_at=detected,
        mitigated_at=mitigated, resolved_at=resolved, entries=entries, actions=actions,
    )  # fmt: skip


def _moment(value: object, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.microsecond % 1000:
        raise _Slow
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone)


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    items = data.get("actions", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _Slow
    return items


def _action(item: dict[str, Any], today: date, name: str, title: str) -> Action:
    ident, text, owner, due = item.get("id"), item.get("text"), item.get("owner"), item.get("due")
    kind, status = item.get("kind", "corrective"), item.get("status", "open")
    if not (isinstance(ident, str) and isinstance(text, str)) or kind not in _ACTION_KINDS:
        raise _Slow
    if status not in ("open", "done") or not (owner is None or isinstance(owner, str)):
        raise _Slow
    if due is not None and type(due) is not date:
        raise _Slow
    ticket = item.get("ticket")
    if not (ticket is None or isinstance(ticket, str)):
        raise _Slow
    overdue = status == "open" and due is not None and due < today
    return Action(ident, text, kind, owner, due, status, overdue, name, title, ticket)


def _slow(path: Path, name: str, now: datetime) -> tuple[Summary, dict[str, Any]]:
    """Through the real reader (pydantic): its verdict and its error message."""
    from pmtui.core.reader import load_state

    incident, state = load_state(path)
    zone = incident.zone
    today = now.astimezone(zone).date()
    actions = tuple(
        Action(
            a.id, a.text, a.kind.value, a.owner, a.due, a.status.value,
            not a.done and a.due is not None and a.due < today, name, incident.title,
            a.ticket,
        )
        for a in incident.actions
    )  # fmt: skip
    detected, mitigated, resolved = (
        None if moment is None else moment.astimezone(zone)
        for moment in (incident.detected_at, incident.mitigated_at, incident.resolved_at)
    )
    summary = Summary(
        path=path, name=name, title=incident.title, severity=incident.severity,
        status=incident.status.value, timezone=incident.timezone, commander=incident.commander,
        started_at=incident.started_at.astimezone(zone), detected_at=detected,
        mitigated_at=mitigated, resolved_at=resolved, entries=len(incident.timeline),
        actions=actions,
    )  # fmt: skip
    return summary, state.extra


def _with_journal(summary: Summary, text: str, table: object) -> Summary:
    """Count the journal lines not yet folded into the TOML (`pmtui log` entries)."""
    folded = table.get("folded") if isinstance(table, dict) else None
    offsets = {k: v for k, v in (folded or {}).items() if isinstance(v, int)}
    records, _ = read(folder_of(summary.path), offsets)
    fresh = {r.id for r in records if r.op == "entry" and f'id = "j:{r.id}"' not in text}
    if not fresh:
        return summary
    return replace(summary, entries=summary.entries + len(fresh))


NO_OWNER = "(no owner)"


def owner_key(owner: str | None) -> str:
    """How owners are matched: case-insensitive, without a leading @ (`TODO ... @ana`)."""
    return (owner or "").strip().lstrip("@").casefold()


def action_order(action: Action) -> tuple[int, date, str, str]:
    """Overdue first (oldest due first), then open by due date (none last), then done."""
    rank = 0 if action.overdue else 1 if action.open else 2
    return (rank, action.due or date.max, action.incident, action.id)


def actions_by_owner(
    catalog: Catalog, owner: str | None = None, overdue: bool = False, open_only: bool = False
) -> list[tuple[str, list[Action]]]:
    """Action items grouped by owner (A to Z, no owner last), each group overdue first."""
    groups: dict[str, list[Action]] = {}
    for action in catalog.actions():
        if (overdue and not action.overdue) or (open_only and not action.open):
            continue
        if owner is not None and owner_key(action.owner) != owner_key(owner):
            continue
        groups.setdefault(owner_key(action.owner), []).append(action)
    result = []
    for key in sorted(groups, key=lambda key: (key == "", key)):
        items = sorted(groups[key], key=action_order)
        result.append(((items[0].owner or "").strip().lstrip("@") or NO_OWNER, items))
    return result
