"""Incident -> Markdown postmortem, shaped like the seed postmortems.

A pure function of the incident (and, for an incident still open, of `now`).
Python builds the context (user text escaped, times and durations written
out: `postmortem_context`); a Jinja2 template lays it out. The built-in
template (templates/postmortem.md.j2) is the default export, so a user's
template (`pmtui export --template`) starts from exactly what pmtui writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pmtui.core.commands import split_action, split_ticket, todo_text
from pmtui.core.dates import parse_due
from pmtui.core.mdtext import (
    code_block,
    contain_block,
    escape_inline,
    link,
    no_control_bytes,
    titled_link,
)
from pmtui.core.model import (
    ActionItem,
    DetectedBy,
    EntryKind,
    Incident,
    TimelineEntry,
    format_duration,
)

if TYPE_CHECKING:  # jinja2 is imported on first export: ~50 ms the app's start skips
    import jinja2

__all__ = ["contain_block", "escape_inline", "export_markdown", "postmortem_context"]

BUILT_IN = "the built-in postmortem template"
_KIND_LABEL = {
    EntryKind.DECISION: "Decision: ",
    EntryKind.COMMS: "Comms: ",
    EntryKind.DETECTION: "Detection: ",
}
_DETECTED_BY = {
    DetectedBy.ALERT: "An alert",
    DetectedBy.CUSTOMER: "A customer",
    DetectedBy.STAFF: "Staff",
    DetectedBy.OTHER: "Other",
}


def clock(moment: datetime) -> str:
    """'7:32 PM'."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def zone_label(moment: datetime) -> str:
    """'EAT, UTC+3' for a zone with an abbreviation, else 'UTC+5:30'."""
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")
    name = moment.tzname() or ""
    if not name or name[0] in "+-" or (name == "UTC" and not minutes):
        return utc
    return f"{name}, {utc}"


def zone_name(moment: datetime) -> str:
    name = moment.tzname() or ""
    return name if name and name[0] not in "+-" else zone_label(moment)


def _span(incident: Incident, now: datetime | None) -> str:
    start = incident.local(incident.started_at)
    zone = zone_name(start)
    end_at = incident.resolved_at
    if end_at is None:
        so_far = ""
        if now is not None and now >= incident.started_at:
            so_far = f" ({format_duration(now - incident.started_at)} so far)"
        return f"From {clock(start)} {zone} on {long_date(start.date())}; not yet resolved{so_far}."
    end = incident.local(end_at)
    if end_at < incident.started_at:
        length = "the recorded end is before the start"
    else:
        length = format_duration(end_at - incident.started_at)
    if end.utcoffset() != start.utcoffset():  # a clock change in between: name both
        start_day = "" if end.date() == start.date() else f" on {short_date(start.date())}"
        end_day = "" if end.date() == start.date() else f" on {short_date(end.date())}"
        return (
            f"From {clock(start)} {zone}{start_day} to {clock(end)} {zone_name(end)}{end_day}, "
            f"{length}."
        )
    if end.date() == start.date():
        return f"From {clock(start)} to {clock(end)} {zone}, {length}."
    return (
        f"From {clock(start)} on {short_date(start.date())} to {clock(end)} on "
        f"{short_date(end.date())} {zone}, {length}."
    )


def _brief(root_cause: str) -> str:
    paragraph = root_cause.strip().split("\n\n")[0].replace("\n", " ").strip()
    if not paragraph or re.match(r"^([#>|`~<*+-]|\d+[.)]|\s{4})", paragraph):
        return ""
    sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
    return sentence


def _todo_line(entry: TimelineEntry, moment: datetime) -> str | None:
    """'TODO page the DBA @security' as the action item it added, readably."""
    todo = todo_text(entry.text) if entry.kind is EntryKind.NOTE else None
    if todo is None:
        return None
    todo, ticket = split_ticket(todo)
    task, owner, due = split_action(todo)
    if not task:
        return None  # no action item was added
    day = parse_due(due, moment, moment.tzinfo) if due else None  # type: ignore[arg-type]
    if due and day is None:
        task = f"{task} due:{due}"  # it was refused when logged; keep it as typed
    details = ([f"owner {owner}"] if owner else []) + ([f"due {day.isoformat()}"] if day else [])
    details += [f"ticket {ticket}"] if ticket else []
    more = f" ({', '.join(escape_inline(d) for d in details)})" if details else ""
    return f"Action item added: {escape_inline(task)}{more}"


class Entry(NamedTuple):
    """One timeline item: `line` is what follows the time (label and text).

    A NamedTuple: made 10,000 times an export, a frozen dataclass cost ~10 ms more.
    """

    when: str  # '7:39 PM', with the date where the day changed
    kind: str
    author: str  # escaped; '' when none
    text: str  # the first line, escaped ('' for a marker)
    line: str  # 'Detection: Pagers fired', '**Resolved**', '_(marker)_'
    block: str  # the entry's later lines as a code block under the item, or ''


@dataclass(frozen=True, slots=True)
class Action:
    """One action item, each text escaped for a table cell; '' when unset."""

    id: str
    text: str
    kind: str  # 'Corrective', 'Preventive'
    owner: str
    due: str  # '2026-12-01'
    status: str  # 'Open', 'Done'
    done: bool
    ticket: str  # a link when it is a URL, else the key as text


@dataclass(frozen=True, slots=True)
class Responder:
    name: str
    role: str
    joined: str  # '7:45 PM', with the date when not the start's day
    left: str


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    value: str  # '42 minutes', 'out of order', '' when not reached


def _entry(entry: TimelineEntry, moment: datetime, when: str) -> Entry:
    first, _, rest = entry.text.replace("\r\n", "\n").replace("\r", "\n").partition("\n")
    text = escape_inline(first)
    line = (_todo_line(entry, moment) if not rest else None) or text or "_(marker)_"
    if entry.kind is EntryKind.STATUS:
        line = f"**{line}**"
    else:
        line = _KIND_LABEL.get(entry.kind, "") + line
    block = "\n".join(code_block(rest.split("\n"))) if rest else ""
    author = escape_inline(entry.author) if entry.author else ""
    return Entry(when, entry.kind, author, text, line, block)


def _timeline(incident: Incident) -> tuple[str, list[Entry]]:
    """The heading ('Timeline (all times GMT, UTC+0)') and the items."""
    start = incident.local(incident.started_at)
    day, zone, offset = start.date(), incident.zone, start.utcoffset()
    labels = {offset: zone_label(start)}  # each offset's label, made once (not per entry)
    items: list[Entry] = []
    for entry in incident.timeline:
        moment = entry.at.astimezone(zone)
        now_offset = moment.utcoffset()
        if now_offset not in labels:
            labels[now_offset] = zone_label(moment)
        when = (f"{short_date(moment.date())}, " if moment.date() != day else "") + clock(moment)
        if now_offset != offset:  # the clocks changed since the line before: say which time
            when += f" {zone_name(moment)}"
        items.append(_entry(entry, moment, when))
        day, offset = moment.date(), now_offset
    names = list(labels.values())
    if len(names) == 1:
        return f"Timeline (all times {names[0]})", items
    return f"Timeline (times in {names[0]}; then {' or '.join(names[1:])} where marked)", items


def _action(item: ActionItem) -> Action:
    ticket = item.ticket or ""
    return Action(
        item.id,
        escape_inline(item.text),
        item.kind.value.capitalize(),
        escape_inline(item.owner or ""),
        item.due.isoformat() if item.due else "",
        "Done" if item.done else "Open",
        item.done,
        link(ticket, ticket) if ticket else "",
    )


def _moment(incident: Incident, moment: datetime | None, day: date) -> str:
    if moment is None:
        return ""
    local = incident.local(moment)
    return clock(local) if local.date() == day else f"{short_date(local.date())}, {clock(local)}"


def _responders(incident: Incident) -> list[Responder]:
    """The responders list (name, role, joined, left), when the model has one."""
    day = incident.local(incident.started_at).date()
    return [
        Responder(
            escape_inline(str(person.name)),
            escape_inline(person.role or ""),
            _moment(incident, person.joined, day),
            _moment(incident, person.left, day),
        )
        for person in getattr(incident, "responders", None) or []
    ]


def _text(value: str) -> str:
    """A free-text section as the IC's Markdown, contained; '' when blank."""
    return contain_block(value) if value.strip() else ""


def _detection(incident: Incident, timeline: list[Entry]) -> dict[str, Any]:
    kinds = (n for n, entry in enumerate(incident.timeline) if entry.kind is EntryKind.DETECTION)
    first = next(kinds, None)
    detected = incident.time_to_detect
    return {
        "detected_by": _DETECTED_BY[incident.detected_by] if incident.detected_by else "",
        "detection": _text(incident.detection),
        "detection_entry": timeline[first] if first is not None else None,
        "time_to_detect": "" if detected is None else format_duration(detected),
    }


def postmortem_context(incident: Incident, now: datetime | None = None) -> dict[str, Any]:
    """What a postmortem template sees (the README lists it): user text escaped
    or contained, times and durations written out; '' for what is not set."""
    start = incident.local(incident.started_at)
    heading, timeline = _timeline(incident)
    spans = [
        ("Time to detect", incident.time_to_detect),
        ("Time to mitigate", incident.time_to_mitigate),
        ("Time to resolve", incident.time_to_resolve),
    ]
    brief = _brief(incident.root_cause)
    return {
        "title": escape_inline(incident.title, heading=True),
        "date": long_date(start.date()),
        "severity": incident.severity or "",
        "status": incident.status.value.capitalize(),
        "commander": escape_inline(incident.commander) if incident.commander else "",
        "timezone": incident.timezone,
        "duration": _span(incident, now),
        "lead_in": _text(incident.lead_in),
        "summary": _text(incident.summary),
        "impact": _text(incident.impact),
        "root_cause_brief": contain_block(brief) if brief else "",
        "root_cause": _text(incident.root_cause),
        "trigger": _text(incident.trigger),
        "contributing_factors": _text(incident.contributing_factors),
        **_detection(incident, timeline),
        "resolution": _text(incident.resolution),
        "responders": _responders(incident),
        "timeline_heading": heading,
        "timeline": timeline,
        "actions": [_action(item) for item in incident.actions],
        "went_well": _text(incident.went_well),
        "went_wrong": _text(incident.went_wrong),
        "got_lucky": _text(incident.got_lucky),
        # format_duration never prints a negative span: stamps out of order read so
        "metrics": [Metric(n, "" if s is None else format_duration(s)) for n, s in spans],
        "links": [titled_link(line) for line in incident.links],
        "closing": _text(incident.closing),
    }


@cache
def built_in_template() -> jinja2.Template:
    from pmtui.core.templating import compile_template

    text = files("pmtui.core").joinpath("templates/postmortem.md.j2").read_text("utf-8")
    return compile_template(text, BUILT_IN)


def load_export_template(path: Path) -> tuple[jinja2.Template, str]:
    """A user's postmortem template and how errors name it; TemplateProblem if bad."""
    from pmtui.core.templating import load_template

    return load_template(path), str(path)


def export_markdown(
    incident: Incident,
    now: datetime | None = None,
    template: tuple[jinja2.Template, str] | None = None,
) -> str:
    """The postmortem for `incident`; `now` is used only while it is open.

    `template` (from `load_export_template`) replaces the built-in layout; a
    failure inside it is a TemplateProblem naming its line.
    """
    from pmtui.core.templating import render

    chosen, name = template or (built_in_template(), BUILT_IN)
    return no_control_bytes(render(chosen, name, postmortem_context(incident, now)))
