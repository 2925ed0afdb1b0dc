"""When the next stakeholder update is due: a cadence per severity.

Defaults (minutes between updates, editable in the file's [updates] table):
SEV1 30, SEV2 60, SEV3 and SEV4 120, no severity 60. Once mitigated, twice
the severity's cadence (or `mitigated = N`). Once resolved, one final update
is due (asked for during a day), then the clock stops. Sending an update restarts the clock; before
the first one it runs from detection (else the impact's start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pmtui.core.model import Incident, Status

DEFAULT_EVERY = {"SEV1": 30, "SEV2": 60, "SEV3": 120, "SEV4": 120}
NO_SEVERITY = 60
SOON = timedelta(minutes=2)  # the pane turns yellow this long before an update is due
# a final update not sent a day after resolving is not asked for any more: the file
# is opened again to finish the postmortem, not to run the incident
FINAL_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Due:
    """The next update: when (None once the final one went), and whether it is the final."""

    at: datetime | None
    every: int | None  # minutes between updates now; None once resolved
    final: bool = False


def every(incident: Incident) -> int | None:
    """Minutes between updates at the incident's severity and status; None when resolved."""
    if incident.status is Status.RESOLVED:
        return None
    settings = incident.updates
    table = DEFAULT_EVERY | settings.every
    minutes = table.get(incident.severity or "", NO_SEVERITY)
    if incident.status is Status.MITIGATED:
        return settings.mitigated or 2 * minutes
    return minutes


def next_due(incident: Incident) -> Due:
    last = incident.updates.last_sent
    if incident.status is Status.RESOLVED:
        resolved = incident.resolved_at
        if last is not None and resolved is not None and last >= resolved:
            return Due(None, None)
        return Due(resolved or last, None, final=True)
    minutes = every(incident)
    assert minutes is not None
    anchor = last or incident.detected_at or incident.started_at
    return Due(anchor + timedelta(minutes=minutes), minutes)


def clock_text(span: timedelta) -> str:
    """'12:04', '1:02:03'."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def due_line(incident: Incident, now: datetime) -> tuple[str, str]:
    """What the status pane says about the next update, and how loud:
    ('in 12:04', 'quiet' | 'soon' | 'overdue' | 'final' | 'done')."""
    due = next_due(incident)
    if due.at is None:
        return "final update sent", "done"
    if due.final:
        if due.at is not None and now - due.at > FINAL_FOR:
            return "none (resolved)", "done"
        return "final update due: ctrl+o", "final"
    left = due.at - now
    if left < timedelta():
        return f"OVERDUE by {clock_text(-left)}: ctrl+o", "overdue"
    return f"in {clock_text(left)}", "soon" if left <= SOON else "quiet"


def due_words(incident: Incident, now: datetime) -> str:
    """For an update's text: 'by 20:45 GMT (every 30 minutes)' or why none is coming."""
    due = next_due(incident)
    if due.at is None or due.final:
        return "no further updates: the incident is resolved"
    local = incident.local(max(due.at, now))
    return f"by {local:%H:%M %Z} (every {due.every} minutes)"
