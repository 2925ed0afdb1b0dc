"""What the home screen's three views show, as rows and text, from a Catalog.

Plain data in, rows and a chart out: the filter, the incidents, the action
items by owner, the report. The screen (screens/home.py) only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.text import Text

from pmtui.core.catalog import Action, Catalog, Summary, actions_by_owner
from pmtui.core.report import Figure, Group, duration, report
from pmtui.widgets.bar_chart import chart
from pmtui.widgets.row_list import Column, Row

INCIDENT_COLUMNS = (
    Column("STARTED", 20),
    Column("SEV", 4),
    Column("STATUS", 10),
    Column("TO MITIGATE", 11, right=True),
    Column("TO RESOLVE", 10, right=True),
    Column("OPEN", 4, right=True),
    Column("OVERDUE", 7, right=True),
    Column("TITLE"),
)
ACTION_COLUMNS = (
    Column("", 7),
    Column("DUE", 10),
    Column("ACTION"),
    Column("INCIDENT", 36),
)


@dataclass(frozen=True)
class Opened:
    """An incident row's key: the file to open."""

    path: Path
    name: str


@dataclass(frozen=True)
class Unreadable:
    """An unreadable file's row key: its one-line error."""

    path: Path
    error: str


@dataclass(frozen=True)
class Item:
    """An action item row's key: its incident file and id."""

    path: Path
    name: str
    action_id: str
    done: bool = field(compare=False)  # the same item, done or not: the cursor stays on it


def matches(words: list[str], *fields: str | None) -> bool:
    """Every word of the filter is in one of the fields (any case)."""
    text = " ".join(field for field in fields if field).casefold()
    return all(word in text for word in words)


def _words(query: str) -> list[str]:
    return query.casefold().split()


def incident_fields(s: Summary) -> tuple[str | None, ...]:
    owners = " ".join(a.owner or "" for a in s.actions)
    return (s.title, s.severity, s.status, s.name, s.commander, f"{s.started_at:%Y-%m-%d}", owners)


def filtered(catalog: Catalog, query: str) -> Catalog:
    """The incidents (and unreadable files) the filter leaves."""
    words = _words(query)
    if not words:
        return catalog
    return replace(
        catalog,
        incidents=[s for s in catalog.incidents if matches(words, *incident_fields(s))],
        problems=[p for p in catalog.problems if matches(words, p.name, p.error, "unreadable")],
    )


def incident_rows(catalog: Catalog) -> list[Row]:
    labels = {copy.name: copy.label for copy in catalog.copies}
    rows: list[Row] = []
    for s in catalog.incidents:
        cells = (
            f"{s.started_at:%Y-%m-%d %H:%M %Z}",
            s.severity or "-",
            s.status,
            duration(s.seconds_to_mitigate),
            duration(s.seconds_to_resolve),
            str(s.open_actions),
            str(s.overdue_actions) if s.overdue_actions else "",
            " ".join(s.title.split()),
        )
        style = "warn" if s.overdue_actions else "plain" if s.status != "resolved" else "done"
        rows.append(Row(cells, Opened(s.path, s.name), style))
        for name in s.copies:  # a conflict copy, under its incident: not one to open
            rows.append(
                Row(
                    (f"{' ' * 20}  └ its copy ({labels.get(name, 'copy')}): {name}",), None, "muted"
                )
            )
    for p in catalog.problems:
        cells = ("", "", "unreadable", "", "", "", "", p.error)
        rows.append(Row(cells, Unreadable(p.path, p.error), "error"))
    return rows


def incident_detail(s: Summary) -> str:
    who = f" · IC {s.commander}" if s.commander else ""
    entries = f"{s.entries:,} {'entry' if s.entries == 1 else 'entries'}"
    return f"{s.name} · {entries} · {len(s.actions)} action items{who}"


def action_rows(catalog: Catalog, query: str) -> list[Row]:
    words = _words(query)
    paths = {s.name: s.path for s in catalog.incidents}
    rows: list[Row] = []
    for owner, items in actions_by_owner(catalog):
        chosen = [a for a in items if matches(words, owner, *_action_fields(a))]
        if not chosen:
            continue
        opened = sum(a.open for a in chosen)
        overdue = sum(a.overdue for a in chosen)
        head = f"{owner}: {opened} open, {overdue} overdue, {len(chosen) - opened} done"
        rows.append(Row((head,), None, "heading"))
        for a in chosen:
            state = "OVERDUE" if a.overdue else a.status
            cells = (state, str(a.due or ""), " ".join(a.text.split()), a.incident)
            style = "warn" if a.overdue else "done" if not a.open else "plain"
            rows.append(Row(cells, Item(paths[a.incident], a.incident, a.id, not a.open), style))
    return rows


def _action_fields(a: Action) -> tuple[str | None, ...]:
    return (a.text, a.status, "overdue" if a.overdue else "", a.incident, a.title, a.id)


def action_detail(catalog: Catalog, key: Item) -> str:
    for s in catalog.incidents:
        if s.name == key.name:
            return f"{key.name}#{key.action_id} · {s.title}"
    return f"{key.name}#{key.action_id}"


def report_text(catalog: Catalog, width: int = 40) -> Text:
    """The same figures as `pmtui report --by severity` and `--by month`, with bars."""
    by_severity, by_month = report(catalog, by="severity"), report(catalog, by="month")
    total = by_severity.total
    text = Text()
    text.append(
        f"{total.incidents} incidents, {total.resolved} resolved · action items done: "
        f"{_done(total)} · overdue: {total.actions_overdue}\n",
        style="bold",
    )
    text.append("time from the start of impact, median / 90th percentile\n\n", style="dim")
    head = ("", "INCIDENTS", "TO DETECT", "TO MITIGATE", "TO RESOLVE", "ACTIONS DONE")
    lines = [head, *(_figures(g) for g in [*by_severity.groups, total])]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
        ]
        text.append("  " + "  ".join(cells) + "\n", style="bold" if n == 0 else "")
    text.append("\n")
    resolve = [(g.name, g.resolve.median, duration(g.resolve.median)) for g in by_severity.groups]
    text.append(chart("Time to resolve (median), by severity", resolve, width, "magenta"))
    text.append("\n")
    mitigate = [
        (g.name, g.mitigate.median, duration(g.mitigate.median)) for g in by_severity.groups
    ]
    text.append(chart("Time to mitigate (median), by severity", mitigate, width, "yellow"))
    text.append("\n")
    months = by_month.groups[-12:]
    count = [(g.name, float(g.incidents), str(g.incidents)) for g in months]
    text.append(chart("Incidents per month (last 12)", count, width, "cyan"))
    text.append("\n")
    done = [(g.name, g.completion, _done(g)) for g in months if g.actions]
    text.append(chart("Action items done, by month the incident started", done, width, "green"))
    return text


def _done(group: Group) -> str:
    if group.completion is None:
        return "-"
    return f"{group.actions_done}/{group.actions} {group.completion:.0%}"


def _figures(group: Group) -> tuple[str, ...]:
    def both(figure: Figure) -> str:
        return f"{duration(figure.median)} / {duration(figure.p90)}"

    return (
        group.name,
        str(group.incidents),
        both(group.detect),
        both(group.mitigate),
        both(group.resolve),
        _done(group),
    )
