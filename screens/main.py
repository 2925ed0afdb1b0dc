"""The main screen: timeline beside status and actions, entry bar at the bottom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Label, Static

from pmtui.core.model import Incident
from pmtui.core.session import Change
from pmtui.core.text import shown, visible_lines
from pmtui.widgets import (
    ActionList,
    EntryBar,
    KeyFooter,
    Pane,
    SaveIndicator,
    StatusPanel,
    TimelineView,
)

_DETAIL_CHARS = 20_000


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#entry"
    DEFAULT_CSS = """
    MainScreen #panes { height: 1fr; }
    MainScreen #timeline-pane { width: 2fr; border: round $primary 50%; }
    MainScreen #side { width: 1fr; min-width: 34; }
    MainScreen #status-pane { height: auto; border: round $primary 50%; }
    MainScreen #actions-pane { height: 1fr; border: round $primary 50%; }
    MainScreen #timeline-pane:focus-within, MainScreen #actions-pane:focus-within {
        border: round $accent;
    }
    MainScreen #statusbar { height: 1; }
    MainScreen #detail { display: none; height: auto; max-height: 50%; padding: 0 1;
                         border-top: solid $primary 30%; }
    MainScreen #detail-text { height: auto; }
    MainScreen #timeline-pane:focus-within #detail { display: block; }
    MainScreen #file { width: auto; max-width: 50%; color: $text-muted; padding: 0 1; }
    """

    def __init__(
        self,
        incident: Incident,
        clock: Callable[[], datetime],
        file_label: str,
        log_entry: Callable[[EntryBar.Submitted], bool],
        loading: int = 0,
    ) -> None:
        super().__init__()
        self.incident = incident
        self.reading_rest = loading  # a tail-first load: the whole count (TimelineView)
        self.clock = clock
        self.file_label = file_label
        self.log_entry = log_entry

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Pane(id="timeline-pane") as pane:
                pane.border_title = "Timeline"
                yield TimelineView(self.incident, self.reading_rest, id="timeline")
                # the whole entry under the cursor; a long one scrolls (mouse wheel)
                with VerticalScroll(id="detail", can_focus=False):
                    yield Static(id="detail-text")
            with Vertical(id="side"):
                with Vertical(id="status-pane") as pane:
                    pane.border_title = "Status"
                    yield StatusPanel(self.incident, self.clock(), id="status")
                with Vertical(id="actions-pane") as pane:
                    pane.border_title = "Action items"
                    yield ActionList(self.incident, id="actions")
        yield EntryBar(self.incident, self.clock, self.log_entry, id="entrybar")
        with Horizontal(id="statusbar"):
            yield Label(self.file_label, id="file")
            yield SaveIndicator("no changes yet", id="saved")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_all()
        # the screen owns its clock: the timer stops when the screen goes
        self.set_interval(1.0, self.tick)

    def show_incident(self, incident: Incident) -> None:
        """Show another copy of the incident (reloaded from disk); what is typed stays."""
        self.incident = incident
        self.query_one(TimelineView).incident = incident
        self.query_one(StatusPanel).incident = incident
        self.query_one(ActionList).incident = incident
        self.query_one(EntryBar).incident = incident
        self.refresh_all()

    def refresh_all(self) -> None:
        self.show_facts()
        self.query_one(TimelineView).reload()
        self.query_one(ActionList).reload()
        self.tick()

    def show_change(self, change: Change) -> None:
        """Redraw only what a change touched: a stamp must not rebuild the rest."""
        if change.touches_timeline:
            self.query_one(TimelineView).reload(change.focus_entry)
        if change.actions is not None:
            self.query_one(ActionList).reload()
        if change.head is not None:
            self.show_facts()
            self.query_one(StatusPanel).show(self.clock())

    def on_timeline_view_highlighted(self, message: TimelineView.Highlighted) -> None:
        """The whole entry under the cursor, since the list shows one line of each."""
        entry = message.entry
        when = self.incident.local(entry.at)
        head = Text(f"{entry.id} · {when:%Y-%m-%d %H:%M:%S %Z} · {entry.kind.value}\n", style="dim")
        # every line of a pasted block (scrolls), other control characters as
        # pictures; a huge paste is cut here only, the editor holds it all
        shown = entry.text[:_DETAIL_CHARS]
        cut = len(entry.text) - len(shown)
        more = f"\n… {cut:,} more characters" if cut else ""
        body = Text(visible_lines(shown) + more or "(marker: enter on it annotates)")
        self.query_one("#detail-text", Static).update(head + body)

    def show_facts(self) -> None:
        inc = self.incident
        parts = (inc.severity, inc.status.value, f"IC {inc.commander}" if inc.commander else "")
        self.title = shown(inc.title, 300)  # from a file: drawn safe, cut for display only
        self.sub_title = shown(" · ".join(part for part in parts if part), 200)
        self.app.title, self.app.sub_title = self.title, self.sub_title

    def tick(self) -> None:
        now = self.clock()
        self.query_one(StatusPanel).show(now)
        self.query_one(EntryBar).tick()
