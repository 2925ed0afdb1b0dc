"""Incident -> Markdown postmortem, shaped like the seed postmortems.

A pure function of the incident (and, for an incident still open, of `now`).
Text the IC typed into titles, entries and action items is escaped so it
cannot add structure or HTML; the free-text sections are the IC's own
Markdown, passed through but kept from swallowing the sections after them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pmtui.core.commands import split_action, todo_text
from pmtui.core.dates import parse_due
from pmtui.core.filtering import exported_timeline
from pmtui.core.model import EntryKind, Incident, TimelineEntry, format_duration
from pmtui.core.text import printable

# control characters (a pasted ESC) as their visible pictures; line breaks
# and tabs are layout
_CONTROLS: dict[int, int] = {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}
_CONTROLS[0x7F] = 0x2421
# HTML's three, then Markdown's inline specials behind a backslash; one
# C-speed pass (a regex substitution ran Python code for every entry)
_INLINE_ESCAPES = (
    str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~"}})
    | _CONTROLS
)
_BACKTICKS = re.compile(r"`{3,}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# HTML blocks that a blank line does not end (CommonMark kinds 1 to 5)
_RAW_HTML = (
    (
        re.compile(r"^ {0,3}<(script|pre|style|textarea)(\s|>|$)", re.I),
        re.compile(r"</(script|pre|style|textarea)>", re.I),
    ),
    (re.compile(r"^ {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r"^ {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r"^ {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"^ {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)
_KIND_LABEL = {
    EntryKind.DECISION: "Decision: ",
    EntryKind.COMMS: "Comms: ",
    EntryKind.DETECTION: "Detection: ",
}


def escape_inline(text: str, *, heading: bool = False) -> str:
    """Make user text one line of literal Markdown: no structure, no HTML."""
    text = text.translate(_INLINE_ESCAPES)
    if heading:
        text = text.replace("#", r"\#")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "<br>".join(part.strip() for part in text.split("\n")).strip()


def contain_block(text: str) -> str:
    """Pass the IC's Markdown through, closing what would swallow what follows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match[1][0] == "`" and "`" in match[2]):
                fence = (match[1][0], len(match[1]))
                continue
            for start, end in _RAW_HTML:
                if start.match(line) and not any(end.search(rest) for rest in lines[index:]):
                    lines[index] = line.replace("<", "&lt;", 1)
                    break
        elif (
            match and match[1][0] == fence[0] and len(match[1]) >= fence[1] and not match[2].strip()
        ):
            fence = None
    if fence is not None:
        lines.append(fence[0] * fence[1])
    return "\n".join(lines)


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
    task, owner, due = split_action(todo)
    if not task:
        return None  # no action item was added
    day = parse_due(due, moment, moment.tzinfo) if due else None  # type: ignore[arg-type]
    if due and day is None:
        task = f"{task} due:{due}"  # it was refused when logged; keep it as typed
    details = ([f"owner {owner}"] if owner else []) + ([f"due {day.isoformat()}"] if day else [])
    more = f" ({', '.join(escape_inline(d) for d in details)})" if details else ""
    return f"Action item added: {escape_inline(task)}{more}"


def _block(lines: list[str]) -> list[str]:
    """Lines after an entry's first, as a code block indented under its list item.

    A fence longer than any run of backticks inside cannot be closed early;
    inside it nothing is Markdown or HTML, so the lines need no escaping.
    """
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return []
    body = [line.translate(_CONTROLS).rstrip() for line in lines]
    longest = max((len(run) for line in body for run in _BACKTICKS.findall(line)), default=2)
    fence = "`" * (longest + 1)
    return [f"  {fence}", *(f"  {line}" if line else "" for line in body), f"  {fence}"]


def _entry_lines(
    entry: TimelineEntry, moment: datetime, show_date: bool, show_zone: bool = False
) -> list[str]:
    """One timeline item; `moment` is the entry's time in the incident's zone."""
    when = (f"{short_date(moment.date())}, " if show_date else "") + clock(moment)
    if show_zone:  # the clocks changed since the line before: say which time this is
        when += f" {zone_name(moment)}"
    first, _, rest = entry.text.replace("\r\n", "\n").replace("\r", "\n").partition("\n")
    text = _todo_line(entry, moment) if not rest else None
    text = text or escape_inline(first) or "_(marker)_"
    if entry.kind is EntryKind.STATUS:
        text = f"**{text}**"
    else:
        text = _KIND_LABEL.get(entry.kind, "") + text
    return [f"- {when}: {text}", *_block(rest.split("\n") if rest else [])]


def _timeline_heading(labels: list[str]) -> str:
    """'## Timeline (all times GMT, UTC+0)'; when the clocks change during the
    timeline, the other offsets too, and each line after a change names its own."""
    if len(labels) == 1:
        return f"## Timeline (all times {labels[0]})"
    return f"## Timeline (times in {labels[0]}; then {' or '.join(labels[1:])} where marked)"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows]
    return lines


def _section(title: str, body: str, empty: str) -> list[str]:
    text = contain_block(body) if body.strip() else f"_{empty}_"
    return [f"## {title}", "", text, ""]


def export_markdown(incident: Incident, now: datetime | None = None) -> str:
    """The postmortem for `incident`; `now` is used only while it is open."""
    start = incident.local(incident.started_at)
    facts = [f"**Date:** {long_date(start.date())}"]
    if incident.severity:
        facts.append(f"**Severity:** {incident.severity}")
    facts.append(f"**Status:** {incident.status.value.capitalize()}")
    if incident.commander:
        facts.append(f"**Incident commander:** {escape_inline(incident.commander)}")
    out = [
        f"# Postmortem: {escape_inline(incident.title, heading=True)}",
        "",
        " · ".join(facts),
        "",
    ]

    out += ["## Issue summary", "", f"**Duration:** {_span(incident, now)}", ""]
    if incident.summary.strip():
        out += [contain_block(incident.summary), ""]
    if incident.impact.strip():
        out += ["**Impact:**", "", contain_block(incident.impact), ""]
    brief = _brief(incident.root_cause)
    if brief:
        out += [f"**Root cause in brief:** {contain_block(brief)}", ""]

    heading = len(out)
    day, zone, offset = start.date(), incident.zone, start.utcoffset()
    labels = {offset: zone_label(start)}  # each offset's label, made once (not per entry)
    timeline = exported_timeline(incident)  # less the noise [export] hide names
    for entry in timeline:
        moment = entry.at.astimezone(zone)
        now_offset = moment.utcoffset()
        if now_offset not in labels:
            labels[now_offset] = zone_label(moment)
        out += _entry_lines(entry, moment, moment.date() != day, now_offset != offset)
        day, offset = moment.date(), now_offset
    out[heading:heading] = [_timeline_heading(list(labels.values())), ""]
    if not timeline:
        out.append("_No entries logged._")
    out.append("")

    out += _section("Root cause", incident.root_cause, "Not written yet.")
    out += _section("Resolution and recovery", incident.resolution, "Not written yet.")

    out += ["## Corrective and preventive measures", ""]
    if incident.actions:
        rows = [
            [
                escape_inline(item.text),
                item.kind.value.capitalize(),
                escape_inline(item.owner or ""),
                item.due.isoformat() if item.due else "",
                "Done" if item.done else "Open",
            ]
            for item in incident.actions
        ]
        out += _table(["Action", "Kind", "Owner", "Due", "Status"], rows)
    else:
        out.append("_No action items recorded._")
    out.append("")

    metrics = [
        ("Time to detect", incident.time_to_detect),
        ("Time to mitigate", incident.time_to_mitigate),
        ("Time to resolve", incident.time_to_resolve),
    ]
    # format_duration never prints a negative span: stamps out of order read so
    rows = [[name, format_duration(span) if span is not None else ""] for name, span in metrics]
    out += ["## Key metrics", "", *_table(["Metric", "From start of impact"], rows), ""]
    return no_control_bytes("\n".join(out))


def no_control_bytes(markdown: str) -> str:
    """No byte below 0x20 but newline and tab, no DEL, no C1 control: a postmortem
    pasted into a terminal or a wiki carries no escape sequence. They are shown
    as their pictures (ESC as ␛); a Windows line end is just a line end."""
    return printable(markdown.replace("\r\n", "\n"))
