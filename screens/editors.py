"""Dialogs that edit one timeline entry or one action item."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pmtui.dates import HINT, describe, parse_due
from pmtui.model import ActionItem, ActionKind, EntryKind, Incident, TimelineEntry
from pmtui.timeparse import parse_time_field
from screens.forms import Form, form_css
from widgets.paste import LineInput


def _buttons() -> Horizontal:
    return Horizontal(
        Button("Save (ctrl+s)", id="save", variant="primary"),
        Button("Cancel (esc)", id="cancel"),
        classes="buttons",
    )


class EntryEditor(Form[dict[str, Any]]):
    """Edit an entry's time, kind and text; Enter in the time saves, ctrl+s anywhere.

    The text is a TextArea: a pasted block (a stack trace) keeps every line.
    """

    DEFAULT_CSS = (
        form_css("EntryEditor")
        + """
    EntryEditor #text { height: auto; min-height: 3; max-height: 16; }
    """
    )

    def __init__(self, incident: Incident, entry: TimelineEntry) -> None:
        super().__init__()
        self.incident = incident
        self.entry = entry

    def compose(self) -> ComposeResult:
        local = self.incident.local(self.entry.at)
        with Vertical() as box:
            box.border_title = f"Edit entry {self.entry.id}"
            yield Label(
                f"Time ({local.tzname()}): 19:39, 7:39:05 PM or 2026-11-21 19:39", classes="field"
            )
            yield LineInput(f"{local:%H:%M:%S}", id="time")
            yield Label("Kind", classes="field")
            yield Select(
                [(k.value, k) for k in EntryKind],
                value=self.entry.kind,
                allow_blank=False,
                id="kind",
            )
            yield Label("Text (enter starts a new line; ctrl+s saves)", classes="field")
            yield TextArea(self.entry.text, id="text", soft_wrap=True)
            yield Static(id="error", classes="error")
            yield _buttons()

    def values(self) -> dict[str, Any] | None:
        day = self.incident.local(self.entry.at).date()
        raw = self.query_one("#time", Input).value
        at = parse_time_field(raw, day, self.incident.zone)
        if at is None:
            self.query_one("#error", Static).update(f"Not a time: {raw!r}. Try 19:39 or 19:39:05.")
            return None
        kind = self.query_one("#kind", Select).value
        return {"at": at, "kind": kind, "text": self.query_one("#text", TextArea).text}


class ActionEditor(Form[dict[str, Any]]):
    """Add or edit an action item: text, owner, due date, kind."""

    DEFAULT_CSS = form_css("ActionEditor")

    def __init__(
        self,
        item: ActionItem | None = None,
        *,
        zone: ZoneInfo | None = None,
        now: datetime | None = None,
    ) -> None:
        """Due words (fri, +3d) resolve in `zone` (the incident's) against `now`."""
        super().__init__()
        self.item = item
        self.zone = zone or ZoneInfo("UTC")
        self.now = now or datetime.now(UTC)

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical() as box:
            box.border_title = f"Edit action {item.id}" if item else "New action item"
            yield Label("What must be done", classes="field")
            yield LineInput(item.text if item else "", id="text")
            yield Label("Owner", classes="field")
            yield LineInput(item.owner or "" if item else "", id="owner")
            yield Label(f"Due ({HINT}; empty for none)", classes="field")
            yield LineInput(item.due.isoformat() if item and item.due else "", id="due")
            yield Static(id="due-shown", classes="field")
            yield Label("Kind", classes="field")
            kind = item.kind if item else ActionKind.CORRECTIVE
            yield Select(
                [(k.value, k) for k in ActionKind], value=kind, allow_blank=False, id="kind"
            )
            yield Static(id="error", classes="error")
            yield _buttons()

    def values(self) -> dict[str, Any] | None:
        error = self.query_one("#error", Static)
        text = self.query_one("#text", Input).value.strip()
        if not text:
            error.update("An action item needs some text.")
            return None
        raw_due = self.query_one("#due", Input).value.strip()
        due = parse_due(raw_due, self.now, self.zone) if raw_due else None
        if raw_due and due is None:
            error.update(f"Not a date: {raw_due!r}. Try {HINT}.")
            return None
        owner = self.query_one("#owner", Input).value.strip() or None
        kind = self.query_one("#kind", Select).value
        return {"text": text, "owner": owner, "due": due, "kind": kind}

    @on(Input.Changed, "#due")
    def _show_due(self, event: Input.Changed) -> None:
        """What the due word resolves to, as it is typed."""
        raw = event.value.strip()
        due = parse_due(raw, self.now, self.zone) if raw else None
        today = self.now.astimezone(self.zone).date()
        shown = f"→ {describe(due, today)}" if due else ("not a date yet" if raw else "")
        self.query_one("#due-shown", Static).update(shown)
