"""The status pane: where the incident stands, how long it has run, its metrics."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from pmtui.core.cadence import due_line
from pmtui.core.model import Incident, Status, format_duration
from pmtui.core.roles import COMMANDER, holders
from pmtui.core.text import shown

_STEPS = (
    (Status.DETECTED, "detected_at", "Detected"),
    (Status.MITIGATED, "mitigated_at", "Mitigated"),
    (Status.RESOLVED, "resolved_at", "Resolved"),
)
_DUE_STYLE = {
    "quiet": "",
    "soon": "bold yellow",
    "overdue": "bold white on red",
    "final": "bold yellow",
    "done": "dim",
}
_ROLE_ROWS = 4  # roles shown beside the IC; more are summed up in one row
_STYLE = {
    Status.DETECTED: "bold red",
    Status.MITIGATED: "bold yellow",
    Status.RESOLVED: "bold green",
}


def clock_span(span: timedelta) -> str:
    """'1:02:03' for an elapsed clock."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class StatusPanel(Widget):
    """Rendered from the incident; `show(now)` redraws it (the clock ticks each second).

    Its height is fixed, and a tick only repaints it: a Static's update would
    lay out the whole screen again every second.
    """

    DEFAULT_CSS = """
    StatusPanel { height: 12; padding: 0 1; }
    """

    def __init__(self, incident: Incident, now: datetime, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.incident = incident
        self._rows = self._rows_at(now)

    def show(self, now: datetime) -> None:
        """Redraw if anything shown changed: a resolved incident's pane stays still."""
        rows = self._rows_at(now)
        if rows != self._rows:
            if len(rows) != len(self._rows):  # a role given or freed: rare, worth a layout
                self.styles.height = len(rows)
            self._rows = rows
            self.refresh()

    def on_mount(self) -> None:
        self.styles.height = len(self._rows)

    def render(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        for label, value in self._rows:
            table.add_row(Text(*label), Text(*value))
        return table

    def _rows_at(self, now: datetime) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """(label, value) rows, each a (text, style): cheap to build and compare."""
        inc = self.incident
        span = inc.duration(now) or timedelta()
        running = "" if inc.resolved_at else "  (running)"
        rows = [
            (("Status", ""), (inc.status.value.upper(), _STYLE[inc.status])),
            (("Elapsed", ""), (clock_span(span) + running, "bold")),
            (("Severity", ""), (shown(inc.severity or "—", 100), "")),
            (("IC", ""), (shown(inc.commander or "—", 100), "")),
        ]
        roles = [(role, name) for role, name in holders(inc) if role != COMMANDER]
        for role, name in roles[:_ROLE_ROWS]:
            rows.append(((shown(role.capitalize(), 12), ""), (shown(name, 100), "")))
        if roles[_ROLE_ROWS:]:
            rest = ", ".join(f"{role} {name}" for role, name in roles[_ROLE_ROWS:])
            rows.append((("More roles", ""), (shown(rest, 100), "")))
        text, loudness = due_line(inc, now)
        rows += [
            (("Next update", ""), (text, _DUE_STYLE[loudness])),
            (("Started", ""), (self._at(inc.started_at, now), "")),
        ]
        for step, name, label in _STEPS:
            moment = getattr(inc, name)
            mark = "●" if moment is not None else "○"
            style = _STYLE[step] if moment is not None else "dim"
            rows.append(((f"{mark} {label}", style), (self._at(moment, now), "")))
        metrics = (
            ("To detect", inc.time_to_detect),
            ("To mitigate", inc.time_to_mitigate),
            ("To resolve", inc.time_to_resolve),
        )
        for label, value in metrics:
            rows.append(((label, ""), (format_duration(value) if value is not None else "—", "")))
        return rows

    def _at(self, moment: datetime | None, now: datetime) -> str:
        if moment is None:
            return "—"
        local = self.incident.local(moment)
        today = self.incident.local(now).date()
        if local.date() == today:
            return f"{local:%H:%M:%S} {local.tzname()}"
        if local.year == today.year:
            return f"{local:%b %d %H:%M} {local.tzname()}"
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"  # another year: say which
