"""`pmtui ls`, `pmtui actions`, `pmtui report`: incidents across a folder, printed.

The data comes from pmtui.core.catalog and pmtui.core.report; this module only parses
the command line and prints, as a table for people or `--json` for scripts
(field names are documented in the README, "Across incidents"). No Textual,
no pydantic (unless a file is not in pmtui's own shape): `pmtui ls` over
1,000 incidents must finish in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pmtui.core.catalog import Action, Catalog, Summary, actions_by_owner, scan
from pmtui.core.errors import UsageError
from pmtui.core.report import GROUPINGS, Figure, Group, Report, duration, report

COMMANDS = ("ls", "actions", "report")
JSON_VERSION = 1
_TITLE_WIDTH = 48


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parser(command: str) -> argparse.ArgumentParser:
    descriptions = {
        "ls": "Every incident in a folder (and its subfolders), newest first.",
        "actions": "Action items across incidents, by owner, overdue first.",
        "report": "Counts, time to detect, mitigate and resolve (median and p90),\n"
        "and action items done, across incidents.",
    }
    examples = {
        "ls": ["pmtui ls incidents/", "pmtui ls --json | jq '.incidents[0]'"],
        "actions": ["pmtui actions --owner ana --open", "pmtui actions --overdue --json"],
        "report": ["pmtui report --since 2026-01-01 --by severity", "pmtui report --by month"],
    }
    parser = _Parser(
        prog=f"pmtui {command}",
        description=descriptions[command],
        epilog="examples:\n" + "".join(f"  {line}\n" for line in examples[command]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", nargs="?", type=Path, default=Path(), metavar="DIR",
                        help="where the incident files are (default: this folder)")  # fmt: skip
    if command == "actions":
        parser.add_argument("--owner", metavar="NAME", help="only this owner's (any case, @ana)")
        parser.add_argument("--overdue", action="store_true", help="only open items past due")
        parser.add_argument("--open", action="store_true", help="only open items")
    if command == "report":
        since = "only incidents started on or after DATE (2026-01-31), in their own timezone"
        parser.add_argument("--since", type=date.fromisoformat, metavar="DATE", help=since)
        parser.add_argument("--by", choices=GROUPINGS, help="one row per severity or month")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    # tests only: the moment that decides what is overdue (default: now)
    parser.add_argument("--now", type=_moment, help=argparse.SUPPRESS)
    return parser


def _table(rows: list[list[str]], right: Collection[int] = ()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text for the terminal: a control character (an escape sequence in a title, a
    file name) is shown as \\x1b, never sent raw to the IC's terminal."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def _short(text: str, width: int = _TITLE_WIDTH) -> str:
    text = safe(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


# -- ls -------------------------------------------------------------------
def _incident_json(s: Summary) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "path": s.name,
        "title": s.title,
        "severity": s.severity,
        "status": s.status,
        "timezone": s.timezone,
        "commander": s.commander,
        "started_at": moment(s.started_at),
        "detected_at": moment(s.detected_at),
        "mitigated_at": moment(s.mitigated_at),
        "resolved_at": moment(s.resolved_at),
        "seconds_to_detect": s.seconds_to_detect,
        "seconds_to_mitigate": s.seconds_to_mitigate,
        "seconds_to_resolve": s.seconds_to_resolve,
        "entries": s.entries,
        "actions": {
            "total": len(s.actions),
            "open": s.open_actions,
            "overdue": s.overdue_actions,
            "done": len(s.actions) - s.open_actions,
        },
        "copies": list(s.copies),
    }


def _ls_text(catalog: Catalog) -> list[str]:
    if not catalog.incidents:
        return [f"no incidents in {safe(str(catalog.folder))}"]
    head = ["STARTED", "SEV", "STATUS", "TO MITIGATE", "TO RESOLVE", "OPEN", "OVERDUE", "TITLE",
            "FILE"]  # fmt: skip
    labels = {copy.name: copy.label for copy in catalog.copies}
    rows = []
    for s in catalog.incidents:
        rows.append(
            [
                f"{s.started_at:%Y-%m-%d %H:%M %Z}",
                s.severity or "-",
                s.status,
                duration(s.seconds_to_mitigate),
                duration(s.seconds_to_resolve),
                str(s.open_actions),
                str(s.overdue_actions),
                _short(s.title),
                safe(s.name),
            ]
        )
        # a conflict copy under its incident, not an incident of its own
        rows += [[*[""] * 7, f"└ its copy ({labels[name]})", safe(name)] for name in s.copies]
    opened = sum(s.open_actions for s in catalog.incidents)
    overdue = sum(s.overdue_actions for s in catalog.incidents)
    unresolved = sum(s.status != "resolved" for s in catalog.incidents)
    total = (
        f"{_plural(len(catalog.incidents), 'incident')} ({unresolved} not resolved), "
        f"{_plural(opened, 'open action item')} ({overdue} overdue)"
    )
    return [*_table([head, *rows], right={3, 4, 5, 6}), "", total]


# -- actions --------------------------------------------------------------
def _action_json(a: Action) -> dict[str, Any]:
    return {
        "incident": a.incident,
        "incident_title": a.title,
        "id": a.id,
        "text": a.text,
        "kind": a.kind,
        "owner": a.owner,
        "due": None if a.due is None else a.due.isoformat(),
        "status": a.status,
        "overdue": a.overdue,
        "ticket": a.ticket,
    }


def _actions_text(groups: list[tuple[str, list[Action]]]) -> list[str]:
    if not groups:
        return ["no action items match"]
    lines: list[str] = []
    for owner, items in groups:
        opened = sum(a.open for a in items)
        overdue = sum(a.overdue for a in items)
        lines.append(f"{safe(owner)}: {opened} open, {overdue} overdue, {len(items) - opened} done")
        rows = [
            [
                "  OVERDUE" if a.overdue else f"  {a.status}",
                f"due {a.due}" if a.due else "",
                _short(a.text, 60),
                safe(f"{a.incident}#{a.id}"),
                *([safe(a.ticket or "")] if any(i.ticket for i in items) else []),
            ]
            for a in items
        ]
        lines += [*_table(rows), ""]
    return lines[:-1]


# -- report ---------------------------------------------------------------
def _figure_json(figure: Figure) -> dict[str, Any]:
    middle = None if figure.median is None else round(figure.median)
    return {"count": figure.count, "median_seconds": middle, "p90_seconds": figure.p90}


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "name": group.name,
        "incidents": group.incidents,
        "resolved": group.resolved,
        "to_detect": _figure_json(group.detect),
        "to_mitigate": _figure_json(group.mitigate),
        "to_resolve": _figure_json(group.resolve),
        "actions": {
            "total": group.actions,
            "done": group.actions_done,
            "overdue": group.actions_overdue,
            "completion": None if group.completion is None else round(group.completion, 4),
        },
    }


def _report_text(result: Report) -> list[str]:
    scope = f"incidents started since {result.since}" if result.since else "all incidents"
    if result.by:
        scope += f", by {result.by}"
    head = [(result.by or "").upper(), "INCIDENTS", "RESOLVED", "TO DETECT", "TO MITIGATE",
            "TO RESOLVE", "ACTIONS DONE", "OVERDUE"]  # fmt: skip

    def figure(value: Figure) -> str:
        return f"{duration(value.median)} / {duration(value.p90)}"

    def row(group: Group) -> list[str]:
        done = f"{group.actions_done}/{group.actions}"
        if group.completion is not None:
            done += f" {group.completion:.0%}"
        return [
            group.name, str(group.incidents), str(group.resolved), figure(group.detect),
            figure(group.mitigate), figure(group.resolve), done, str(group.actions_overdue),
        ]  # fmt: skip

    lines = [
        f"{scope}: time from the start of impact, median / 90th percentile",
        "",
        *_table([head, *map(row, [*result.groups, result.total])], right=set(range(1, 8))),
    ]
    return lines


# -- the command ----------------------------------------------------------
def _problems(catalog: Catalog, command: str) -> list[str]:
    lines = []
    if catalog.problems:
        lines.append(
            f"pmtui {command}: {_plural(len(catalog.problems), 'file')} could not be read:"
        )
        lines += [f"  {safe(problem.error)}" for problem in catalog.problems]
    shown = set() if command != "ls" else {n for s in catalog.incidents for n in s.copies}
    if left := [copy.name for copy in catalog.copies if copy.name not in shown]:
        names = ", ".join(map(safe, left[:5])) + (", ..." if len(left) > 5 else "")
        copies = f"{len(left)} conflict cop{'y' if len(left) == 1 else 'ies'}"
        lines.append(f"pmtui {command}: left out, {copies} of an incident: {names}")
    if catalog.skipped:
        names = ", ".join(map(safe, catalog.skipped[:5]))
        names += ", ..." if len(catalog.skipped) > 5 else ""
        lines.append(f"pmtui {command}: skipped, not incident files: {names}")
    return lines


def run(command: str, args: argparse.Namespace) -> int:
    if not args.folder.exists():
        raise UsageError(f"pmtui {command}: no such folder: {args.folder}")
    catalog = scan(args.folder, now=args.now)
    data: dict[str, Any] = {"version": JSON_VERSION}
    if command == "ls":
        data["incidents"] = [_incident_json(s) for s in catalog.incidents]
        lines = _ls_text(catalog)
    elif command == "actions":
        groups = actions_by_owner(catalog, args.owner, args.overdue, args.open)
        data["actions"] = [_action_json(a) for _owner, items in groups for a in items]
        lines = _actions_text(groups)
    else:
        result = report(catalog, args.since, args.by)
        data.update(since=args.since and args.since.isoformat(), by=args.by)
        data.update(groups=[_group_json(g) for g in result.groups])
        data.update(total=_group_json(result.total))
        lines = _report_text(result)
    if args.json:
        data["unreadable"] = [{"path": p.name, "error": p.error} for p in catalog.problems]
        data["skipped"] = catalog.skipped
        data["copies"] = [{"path": c.name, "of": c.of, "label": c.label} for c in catalog.copies]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
        sys.stderr.write("".join(line + "\n" for line in _problems(catalog, command)))
    return 2 if catalog.problems else 0


def main(argv: Sequence[str]) -> int:
    """`argv` starts with the command (ls, actions or report); returns the exit code."""
    command = argv[0]
    try:
        return run(command, _parser(command).parse_args(argv[1:]))
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # `pmtui ls | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
