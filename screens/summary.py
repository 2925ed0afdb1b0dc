"""The summary editor: the facts and the free text of the postmortem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pmtui.core.model import SEVERITIES, DetectedBy, Incident
from pmtui.core.session import utc_now
from pmtui.core.stamps import STAMPS, stamp_problem
from pmtui.core.timeparse import TimeError, parse_time_field
from pmtui.screens.forms import Form, form_css
from pmtui.widgets.paste import LineInput

# (stamp, label, what an empty field means)
_TIMES = (
    ("started_at", "Impact started", ""),  # the grammar is shown once, here
    ("detected_at", "Detected", "empty if not yet"),
    ("mitigated_at", "Mitigated", "empty until /mitigated"),
    ("resolved_at", "Resolved", "empty until /resolved"),
)
_TIME_HELP = "19:39, 7:39 PM, -5m or 2026-11-21 19:39"
_FREE_TEXT = (
    ("summary", "Summary (Markdown)"),
    ("impact", "Impact"),
    ("root_cause", "Root cause"),
    ("resolution", "Resolution and recovery"),
)
# the postmortem's other sections, each optional: an empty one is left out
_SECTIONS = (
    ("lead_in", "Lead-in (the opening paragraph, before the summary)"),
    ("trigger", "Trigger (what set it off)"),
    ("contributing_factors", "Contributing factors"),
)
_DETECTION = ("detection", "Detection (how it was noticed, in words)")
_LESSONS = (
    ("went_well", "Lessons learned: what went well"),
    ("went_wrong", "Lessons learned: what went wrong"),
    ("got_lucky", "Lessons learned: where we got lucky"),
)
_LINKS_LABEL = "Supporting links (one a line: a URL, or a title then its URL)"
_CLOSING = ("closing", "Closing statement (an apology, a refund note, a sign-off)")
_TEXTS = (*_FREE_TEXT, *_SECTIONS, _DETECTION, *_LESSONS, _CLOSING)


class SummaryEditor(Form[dict[str, Any]]):
    FOCUS = "#title"
    DEFAULT_CSS = (
        form_css("SummaryEditor")
        + """
    SummaryEditor > Vertical { height: 95%; }
    SummaryEditor VerticalScroll { height: 1fr; }
    SummaryEditor TextArea { height: 6; }
    """
    )

    def __init__(self, incident: Incident, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.incident = incident
        self.clock = clock
        # what each time field shows when it opens: left as it is, the stamp
        # keeps its exact instant (a wall time read back can be ambiguous)
        self._shown = {name: self._show(getattr(incident, name)) for name in STAMPS}

    def now(self) -> datetime:
        """The app's clock (a test's, in tests), unless one was given."""
        if self.clock is not None:
            return self.clock()
        clock: Callable[[], datetime] = getattr(self.app, "clock", utc_now)
        return clock()

    def _show(self, moment: datetime | None) -> str:
        return f"{self.incident.local(moment):%Y-%m-%d %H:%M:%S}" if moment else ""

    def compose(self) -> ComposeResult:
        inc = self.incident
        with Vertical() as box:
            box.border_title = "Postmortem summary · ctrl+s saves · esc cancels"
            with VerticalScroll():
                yield Label("Title", classes="field")
                yield LineInput(inc.title, id="title")
                yield Label("Severity", classes="field")
                yield Select(
                    [(s, s) for s in SEVERITIES], value=inc.severity or Select.NULL, id="severity"
                )
                yield Label("Incident commander", classes="field")
                yield LineInput(inc.commander or "", id="commander")
                zone = inc.local(inc.started_at).tzname()
                for name, label, empty in _TIMES:
                    hint = f"{zone}; {empty or _TIME_HELP}"
                    yield Label(f"{label} ({hint})", classes="field")
                    yield LineInput(self._shown[name], id=name)
                for name, label in (*_FREE_TEXT, *_SECTIONS):
                    yield from self._text_area(name, label, getattr(inc, name))
                yield Label("Noticed by (how the problem was first noticed)", classes="field")
                yield Select(
                    [(d.value.capitalize(), d) for d in DetectedBy],
                    value=inc.detected_by or Select.NULL,
                    id="detected_by",
                )
                for name, label in (_DETECTION, *_LESSONS):
                    yield from self._text_area(name, label, getattr(inc, name))
                yield from self._text_area("links", _LINKS_LABEL, "\n".join(inc.links))
                yield from self._text_area(*_CLOSING, inc.closing)
            yield Static(id="error", classes="error")
            yield Horizontal(
                Button("Save (ctrl+s)", id="save", variant="primary"),
                Button("Cancel (esc)", id="cancel"),
                classes="buttons",
            )

    def _text_area(self, name: str, label: str, text: str) -> ComposeResult:
        yield Label(label, classes="field")
        yield TextArea(text, id=name, soft_wrap=True, tab_behavior="focus")

    def values(self) -> dict[str, Any] | None:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.query_one("#error", Static).update("The incident needs a title.")
            return None
        severity = self.query_one("#severity", Select).value
        result: dict[str, Any] = {
            "title": title,
            "severity": None if severity is Select.NULL else severity,
            "commander": self.query_one("#commander", Input).value.strip() or None,
        }
        for name, _ in _TEXTS:
            result[name] = self.query_one(f"#{name}", TextArea).text
        detected_by = self.query_one("#detected_by", Select).value
        result["detected_by"] = None if detected_by is Select.NULL else detected_by
        links = self.query_one("#links", TextArea).text.splitlines()
        result["links"] = [line.strip() for line in links if line.strip()]
        times = self._times()
        if times is None:
            return None
        return result | times

    def _times(self) -> dict[str, Any] | None:
        """The four stamps, read with the entry bar's grammar and rule; None if refused."""
        inc, error, now = self.incident, self.query_one("#error", Static), self.now()
        times: dict[str, datetime | None] = {}
        for name, label, _ in _TIMES:
            raw = self.query_one(f"#{name}", Input).value.strip()
            if raw == self._shown[name]:
                times[name] = getattr(inc, name)
            elif not raw:
                times[name] = None
            else:
                try:
                    times[name] = parse_time_field(raw, now, inc.zone)
                except TimeError as bad:
                    error.update(f"{label}: {bad}")
                    return None
        if times["started_at"] is None:
            error.update("Impact started: the incident needs a start time.")
            return None
        changed = {name: value for name, value in times.items() if value != getattr(inc, name)}
        problem = stamp_problem(inc, changed) if changed else None
        if problem:
            error.update(problem + ".")
            return None
        return times
