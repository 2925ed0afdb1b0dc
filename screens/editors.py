"""Dialogs that edit one timeline entry or one action item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pmtui.core.dates import HINT, describe, parse_due
from pmtui.core.model import ActionItem, ActionKind, EntryKind, Incident, TimelineEntry
from pmtui.core.session import utc_now
from pmtui.core.stamps import stamp_problem, stamps_held
from pmtui.core.timeparse import TimeError, parse_time_field, when_text
from pmtui.screens.forms import Form, form_css
from pmtui.widgets.paste import LineInput


def _buttons() -> Horizontal:
    return Horizontal(
        Button("Save (ctrl+s)", id="save", variant="primary"),
        Button("Cancel (esc)", id="cancel"),
        classes="buttons",
    )


class EntryEditor(Form[dict[str, Any]]):
    """Edit an entry's time, kind and text; Enter saves, ctrl+s anywhere.

    The text is a TextArea: a pasted block (a stack trace) keeps every line.
    Enter in it saves while the entry is one line (a typo fixed: up, fix,
    Enter); once it holds several lines, Enter starts a new one and ctrl+s
    saves.
    """

    BINDINGS = [Binding("enter", "enter_saves", show=False, priority=True)]

    DEFAULT_CSS = (
        form_css("EntryEditor")
        + """
    EntryEditor #text { height: auto; min-height: 3; max-height: 16; }
    """
    )

    def __init__(
        self,
        incident: Incident,
        entry: TimelineEntry,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.incident = incident
        self.entry = entry
        self.clock = clock
        self._shown = ""

    def now(self) -> datetime:
        """The app's clock (a test's, in tests), unless one was given."""
        if self.clock is not None:
            return self.clock()
        clock: Callable[[], datetime] = getattr(self.app, "clock", utc_now)
        return clock()

    def compose(self) -> ComposeResult:
        local = self.incident.local(self.entry.at)
        # the time as shown: HH:MM:SS today, with the date otherwise; left as
        # it is, the entry keeps its exact instant
        self._shown = when_text(local, self.now())
        if " " in self._shown:
            self._shown = f"{local:%Y-%m-%d %H:%M:%S}"
        with Vertical() as box:
            box.border_title = f"Edit entry {self.entry.id}"
            yield Label(
                f"Time ({local.tzname()}): 19:39, 7:39:05 PM, -5m or 2026-11-21 19:39",
                classes="field",
            )
            yield LineInput(self._shown, id="time")
            yield Label("Kind", classes="field")
            yield Select(
                [(k.value, k) for k in EntryKind],
                value=self.entry.kind,
                allow_blank=False,
                id="kind",
            )
            yield Label(
                "Text (enter saves; in a text of several lines it starts a new one)",
                classes="field",
            )
            yield TextArea(self.entry.text, id="text", soft_wrap=True)
            yield Static(id="error", classes="error")
            yield _buttons()

    def on_mount(self) -> None:
        super().on_mount()
        text = self.query_one("#text", TextArea)
        text.move_cursor(text.document.end)  # up, fix the last word, enter

    def action_enter_saves(self) -> None:
        text = self.query_one("#text", TextArea)
        if self.focused is not text:
            raise SkipAction  # the key goes on: the time field's own Enter
        # a priority binding runs in the app's queue, ahead of keys still
        # queued in the text area (up, fix, enter sent in one burst): decide
        # and act in the text area's queue, after them
        text.call_later(self._enter, text)

    def _enter(self, text: TextArea) -> None:
        if "\n" in text.text:
            text.insert("\n")
        else:
            self.action_save()

    def values(self) -> dict[str, Any] | None:
        inc, error = self.incident, self.query_one("#error", Static)
        raw, now = self.query_one("#time", Input).value.strip(), self.now()
        try:
            at = self.entry.at if raw == self._shown else parse_time_field(raw, now, inc.zone)
        except TimeError as bad:
            error.update(f"Time: {bad}")
            return None
        held = stamps_held(inc, self.entry) if at != self.entry.at else []
        problem = stamp_problem(inc, dict.fromkeys(held, at)) if held else None
        if problem:
            error.update(f"Moving this status entry moves its time: {problem}.")
            return None
        kind = self.query_one("#kind", Select).value
        return {"at": at, "kind": kind, "text": self.query_one("#text", TextArea).text}


class ActionEditor(Form[dict[str, Any]]):
    """Add or edit an action item: text, owner, due date, ticket, kind."""

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
            yield Label("Ticket (a URL, or a key such as OPS-123; empty for none)", classes="field")
            yield LineInput(item.ticket or "" if item else "", id="ticket")
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
        ticket = self.query_one("#ticket", Input).value.strip() or None
        return {"text": text, "owner": owner, "due": due, "kind": kind, "ticket": ticket}

    @on(Input.Changed, "#due")
    def _show_due(self, event: Input.Changed) -> None:
        """What the due word resolves to, as it is typed."""
        raw = event.value.strip()
        due = parse_due(raw, self.now, self.zone) if raw else None
        today = self.now.astimezone(self.zone).date()
        shown = f"→ {describe(due, today)}" if due else ("not a date yet" if raw else "")
        self.query_one("#due-shown", Static).update(shown)
