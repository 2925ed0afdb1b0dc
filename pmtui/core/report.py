"""The numbers across incidents: counts, time to detect, mitigate and resolve
(median and 90th percentile), and how many action items are done.

Plain data from a `pmtui.core.catalog.Catalog`; `pmtui report` prints it and the
home screen can chart it. Times are counted from `started_at` (when the
impact began); an incident without a stamp (not yet mitigated) is left out of
that figure only, and each figure says how many incidents it counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from pmtui.core.catalog import SEVERITIES, Catalog, Summary

GROUPINGS = ("severity", "month")
NO_SEVERITY = "none"


@dataclass(frozen=True)
class Figure:
    """Seconds from the start of impact to a stamp, over the incidents that have it."""

    count: int
    median: float | None
    p90: int | None

    @classmethod
    def of(cls, values: list[int]) -> Figure:
        return cls(len(values), median(values), nearest_rank(values, 0.9))


@dataclass(frozen=True)
class Group:
    name: str  # "all", a severity ("SEV1", "none") or a month ("2026-11")
    incidents: int
    resolved: int
    detect: Figure
    mitigate: Figure
    resolve: Figure
    actions: int
    actions_done: int
    actions_overdue: int

    @property
    def completion(self) -> float | None:
        """Share of action items done, 0..1; None without action items."""
        return self.actions_done / self.actions if self.actions else None


@dataclass(frozen=True)
class Report:
    since: date | None
    by: str | None
    groups: list[Group]  # one per severity or month, in order; empty without `by`
    total: Group


def duration(seconds: float | None) -> str:
    """42m, 1h05m, 2d03h; `-` when there is no such time."""
    if seconds is None:
        return "-"
    value = round(seconds)
    sign, value = ("-", -value) if value < 0 else ("", value)
    if value < 60:
        text = f"{value}s"
    elif value < 3600:
        text = f"{value // 60}m"
    elif value < 86400:
        text = f"{value // 3600}h{value % 3600 // 60:02d}m"
    else:
        text = f"{value // 86400}d{value % 86400 // 3600:02d}h"
    return sign + text


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered, middle = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: list[int], share: float) -> int | None:
    """The smallest value that `share` of the values are at or below (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * round(share * 100) // 100))
    return ordered[rank - 1]


def _figure(incidents: list[Summary], seconds: Callable[[Summary], int | None]) -> Figure:
    return Figure.of([s for s in map(seconds, incidents) if s is not None])


def group(name: str, incidents: list[Summary]) -> Group:
    actions = [action for incident in incidents for action in incident.actions]
    return Group(
        name=name,
        incidents=len(incidents),
        resolved=sum(incident.status == "resolved" for incident in incidents),
        detect=_figure(incidents, lambda s: s.seconds_to_detect),
        mitigate=_figure(incidents, lambda s: s.seconds_to_mitigate),
        resolve=_figure(incidents, lambda s: s.seconds_to_resolve),
        actions=len(actions),
        actions_done=sum(action.status == "done" for action in actions),
        actions_overdue=sum(action.overdue for action in actions),
    )


def _key(incident: Summary, by: str) -> str:
    if by == "severity":
        return incident.severity or NO_SEVERITY
    return f"{incident.started_at:%Y-%m}"  # started_at is in the incident's timezone


def _order(names: Iterable[str], by: str) -> list[str]:
    if by == "severity":
        return sorted(names, key=lambda n: SEVERITIES.index(n) if n in SEVERITIES else 99)
    return sorted(names)


def report(catalog: Catalog, since: date | None = None, by: str | None = None) -> Report:
    """The numbers over the incidents that started on or after `since` (their own date)."""
    chosen = [s for s in catalog.incidents if since is None or s.started_at.date() >= since]
    groups: list[Group] = []
    if by is not None:
        buckets: dict[str, list[Summary]] = {}
        for incident in chosen:
            buckets.setdefault(_key(incident, by), []).append(incident)
        groups = [group(name, buckets[name]) for name in _order(buckets, by)]
    return Report(since, by, groups, group("all", chosen))
