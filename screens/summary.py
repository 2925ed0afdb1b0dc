"""The summary editor: the facts and the free text of the postmortem."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pmtui.model import SEVERITIES, Incident
from pmtui.timeparse import parse_time_field
from screens.forms import Form, form_css

_FREE_TEXT = (
    ("summary", "Summary (Markdown)"),
    ("impact", "Impact"),
    ("root_cause", "Root cause"),
    ("resolution", "Resolution and recovery"),
)


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

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        inc = self.incident
        with Vertical() as box:
            box.border_title = "Postmortem summary · ctrl+s saves · esc cancels"
            with VerticalScroll():
                yield Label("Title", classes="field")
                yield Input(inc.title, id="title")
                yield Label("Severity", classes="field")
                yield Select(
                    [(s, s) for s in SEVERITIES], value=inc.severity or Select.NULL, id="severity"
                )
                yield Label("Incident commander", classes="field")
                yield Input(inc.commander or "", id="commander")
                zone = inc.local(inc.started_at).tzname()
                yield Label(
                    f"Impact started ({zone}; YYYY-MM-DD HH:MM:SS or HH:MM)", classes="field"
                )
                yield Input(f"{inc.local(inc.started_at):%Y-%m-%d %H:%M:%S}", id="started_at")
                yield Label(f"Detected ({zone}; empty if not yet)", classes="field")
                detected = inc.local(inc.detected_at) if inc.detected_at else None
                yield Input(f"{detected:%Y-%m-%d %H:%M:%S}" if detected else "", id="detected_at")
                for name, label in _FREE_TEXT:
                    yield Label(label, classes="field")
                    yield TextArea(
                        getattr(inc, name), id=name, soft_wrap=True, tab_behavior="focus"
                    )
            yield Static(id="error", classes="error")
            yield Horizontal(
                Button("Save (ctrl+s)", id="save", variant="primary"),
                Button("Cancel (esc)", id="cancel"),
                classes="buttons",
            )

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
        for name, _ in _FREE_TEXT:
            result[name] = self.query_one(f"#{name}", TextArea).text
        times = self._times()
        if times is None:
            return None
        return result | times

    def _times(self) -> dict[str, Any] | None:
        inc, error = self.incident, self.query_one("#error", Static)
        day = inc.local(inc.started_at).date()
        raw_start = self.query_one("#started_at", Input).value
        started = parse_time_field(raw_start, day, inc.zone)
        if started is None:
            error.update(f"Impact started: not a time: {raw_start!r}")
            return None
        raw_detected = self.query_one("#detected_at", Input).value.strip()
        detected = parse_time_field(raw_detected, day, inc.zone) if raw_detected else None
        if raw_detected and detected is None:
            error.update(f"Detected: not a time: {raw_detected!r}")
            return None
        if detected is not None and detected < started:
            error.update("Detected is before the impact started.")
            return None
        return {"started_at": started, "detected_at": detected}
