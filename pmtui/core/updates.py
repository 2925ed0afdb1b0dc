"""Stakeholder updates and the handover brief: drafted from the incident with a
template the user can replace, and sent where the IC configured.

Templates, first found wins: `<incident>.update.md.j2` beside the incident
file, `update.md.j2` in pmtui's config folder ($XDG_CONFIG_HOME/pmtui, else
~/.config/pmtui), the built-in one (pmtui/core/templates/). The same for
`handover.md.j2`. The variables are listed in the README.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pmtui.core import cadence
from pmtui.core.model import ActionStatus, Incident, Status, TimelineEntry, format_duration
from pmtui.core.roles import holders, responders_rows
from pmtui.core.templating import TemplateProblem, compile_template, load_template, render

CHANGES = 20  # entries since the last update listed at most (the latest)
LAST_ENTRIES = 10  # entries in a handover brief
ROW_CHARS = 160  # an entry's line in a draft, at most
PIPE_TIMEOUT = 30  # seconds an update command may take


def config_folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    return (Path(base) if base.startswith("/") else Path.home() / ".config") / "pmtui"


def _builtin(kind: str) -> str:
    return resources.files("pmtui.core").joinpath("templates", f"{kind}.md.j2").read_text("utf-8")


# read once, when the module is imported (soon after first paint): a pmtui
# reinstalled while an incident runs removes the files the running one has
BUILTIN = {kind: _builtin(kind) for kind in ("update", "handover")}


def template_for(kind: str, incident_path: Path | None) -> tuple[str, str]:
    """(the template's text, its name for errors) for 'update' or 'handover'."""
    found = [config_folder() / f"{kind}.md.j2"]
    if incident_path is not None:
        found.insert(0, incident_path.with_name(f"{incident_path.stem}.{kind}.md.j2"))
    for path in found:
        if path.is_file():
            return "", str(path)
    return BUILTIN[kind], f"the built-in {kind} template"


def _one_line(text: str) -> str:
    """An entry as one line: a block (an update sent, a paste) by its first line."""
    if not text:
        return "(marker)"
    lines = text.strip().splitlines() or [""]
    first = " ".join(lines[0].split())
    if len(first) > ROW_CHARS:
        first = first[: ROW_CHARS - 1] + "…"
    return first + (f" (+{len(lines) - 1} lines)" if len(lines) > 1 else "")


def _entry_row(incident: Incident, entry: TimelineEntry) -> dict[str, str]:
    local = incident.local(entry.at)
    return {
        "time": f"{local:%H:%M}",
        "kind": entry.kind.value,
        "author": entry.author or "",
        "text": _one_line(entry.text),
    }


def context(incident: Incident, now: datetime, outgoing: str | None = None) -> dict[str, Any]:
    """Every variable an update or brief template sees (all plain text and lists)."""

    def when(moment: datetime | None) -> str:
        return "" if moment is None else f"{incident.local(moment):%H:%M %Z}"

    def span(value: Any) -> str:
        return "" if value is None else format_duration(value)

    last = incident.updates.last_sent
    # what changed since the last update (logged at the moment it was sent)
    changes = [e for e in incident.timeline if e.text and (last is None or e.at > last)]
    due = cadence.next_due(incident)
    line, _ = cadence.due_line(incident, now)
    return {
        "title": incident.title,
        "severity": incident.severity or "",
        "status": incident.status.value,
        "commander": incident.commander or "",
        "outgoing": outgoing or "",
        "timezone": incident.timezone,
        "now": when(now),
        "started": when(incident.started_at),
        "detected": when(incident.detected_at),
        "mitigated": when(incident.mitigated_at),
        "resolved": when(incident.resolved_at),
        "duration": span(incident.duration(now)),
        "time_to_detect": span(incident.time_to_detect),
        "time_to_mitigate": span(incident.time_to_mitigate),
        "time_to_resolve": span(incident.time_to_resolve),
        "summary": incident.summary,
        "impact": incident.impact,
        "since": when(last),
        "changes": [_entry_row(incident, e) for e in changes[-CHANGES:]],
        "changes_left_out": max(0, len(changes) - CHANGES),
        "actions": [
            {
                "id": a.id,
                "text": a.text,
                "owner": a.owner or "",
                "due": a.due.isoformat() if a.due else "",
                "kind": a.kind.value,
            }
            for a in incident.actions
            if a.status is ActionStatus.OPEN
        ],
        "roles": [{"role": role, "name": name} for role, name in holders(incident)],
        "responders": responders_rows(incident),
        "last_entries": [_entry_row(incident, e) for e in incident.timeline[-LAST_ENTRIES:]],
        "next_update": cadence.due_words(incident, now),
        "next_update_in": line if due.at is not None and not due.final else "",
        "every": due.every or 0,
        "final": incident.status is Status.RESOLVED,
    }


def draft(kind: str, incident: Incident, now: datetime, path: Path | None, **extra: str) -> str:
    """The text of an update or handover brief; TemplateProblem (one line) if it fails."""
    text, name = template_for(kind, path)
    template = compile_template(text, name) if text else load_template(Path(name))
    return render(template, name, context(incident, now, **extra)).strip() + "\n"


def fallback_path(incident_path: Path, kind: str = "update") -> Path:
    """Where the last update (or brief) copied is always written: the clipboard may
    not reach the IC's machine (tmux without set-clipboard, macOS Terminal)."""
    return incident_path.with_name(f"{incident_path.stem}.last-{kind}.md")


def write_fallback(incident_path: Path, text: str, kind: str = "update") -> str:
    """Write the text beside the incident; one line saying where (or why not)."""
    target = fallback_path(incident_path, kind)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        return f"could not write {target}: {error.strerror or error}"
    return f"the text is in {target}"


def append_to(path: Path, text: str, now: datetime) -> str:
    try:
        with path.open("a", encoding="utf-8") as file:
            file.write(f"--- {now.isoformat()} ---\n{text}\n")
    except OSError as error:
        return f"could not append to {path}: {error.strerror or error}"
    return f"appended to {path}"


def pipe_to(command: str, text: str, cwd: Path | None = None) -> tuple[bool, str]:
    """Run the IC's command (a shell line) with the update on its stdin; (ok, one line)."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            input=text,
            text=True,
            capture_output=True,
            timeout=PIPE_TIMEOUT,
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"update command `{command}` took over {PIPE_TIMEOUT} s: stopped"
    except OSError as error:
        return False, f"update command `{command}` could not run: {error.strerror or error}"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        why = f": {said[-1][:200]}" if said else ""
        return False, f"update command `{command}` failed (exit {done.returncode}){why}"
    return True, f"piped to `{command}`"


__all__ = ["TemplateProblem", "context", "draft", "pipe_to"]
