"""The home screen: every incident of a folder, its open action items, its numbers.

`pmtui` with no path in a folder of incidents opens here. Three views (F2,
F3, F4) share one filter: `/` or just typing narrows every view to the rows
with every word typed. Enter opens the incident under the cursor; n starts a
new one; in the action items, ctrl+d marks one done (or open again). The
screen says what the user asked for in messages; the app (pmtui.home) does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, Input, Static

from pmtui.core.catalog import Catalog
from pmtui.core.text import shown
from pmtui.screens.home_views import (
    ACTION_COLUMNS,
    INCIDENT_COLUMNS,
    Item,
    Opened,
    Unreadable,
    action_detail,
    action_rows,
    filtered,
    incident_detail,
    incident_rows,
    report_text,
)
from pmtui.widgets import KeyFooter
from pmtui.widgets.row_list import Row, RowList

VIEWS = (
    ("incidents", "Incidents", "f2"),
    ("actions", "Action items", "f3"),
    ("report", "Report", "f4"),
)


@dataclass(frozen=True)
class HomeKey:
    """A key of the home screen, declared once: binding, footer, palette and help."""

    key: str
    action: str
    label: str
    help: str
    show: bool = True
    key_display: str | None = None
    priority: bool = False


HOME_KEYS = (
    HomeKey("enter", "open", "Open", "Open the incident (of the action item) under the cursor"),
    HomeKey("n", "new", "New", "Start a new incident in this folder"),
    HomeKey(
        "slash",
        "filter",
        "Filter",
        "Filter every view: type words (title, SEV1, status, owner, file, 2026-11); esc clears",
        key_display="/",
    ),
    HomeKey(
        "ctrl+d",
        "toggle_done",
        "Done/open",
        "Mark the action item done, or open again",
        priority=True,
    ),
    *(
        HomeKey(key, f"view('{name}')", label, f"Show {label.lower()}")
        for name, label, key in VIEWS
    ),
    HomeKey("ctrl+r", "reload", "Reload", "Read the folder again", show=False),
    HomeKey("escape", "clear", "Clear", "Clear the filter", show=False),
)


def home_bindings() -> list[Binding]:
    return [
        Binding(
            k.key,
            k.action,
            k.label,
            show=k.show,
            key_display=k.key_display,
            id=f"home.{k.action}",
            tooltip=k.help,
            priority=k.priority,
        )
        for k in HOME_KEYS
    ]


class HomeScreen(Screen[None]):
    AUTO_FOCUS = "#incidents"
    BINDINGS = [
        *home_bindings(),
        *(
            Binding(key, f"move('{key}')", show=False)
            for key in ("up", "down", "pageup", "pagedown")
        ),
    ]
    DEFAULT_CSS = """
    HomeScreen #views { height: 1; padding: 0 1; background: $panel; }
    HomeScreen #filter { border: none; height: 1; padding: 0 1; margin: 0; }
    HomeScreen #filter:focus { background: $boost; }
    HomeScreen ContentSwitcher { height: 1fr; }
    HomeScreen RowList { height: 1fr; }
    HomeScreen #report { padding: 1 2; }
    HomeScreen #detail { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    @dataclass
    class Open(Message):
        """Open the incident at `key.path` (None: start a new one)."""

        key: Opened | None

    @dataclass
    class Toggle(Message):
        """Mark an action item done (or open again) in its incident file."""

        item: Item

    class Reload(Message):
        """Read the folder again."""

    def __init__(self, folder_label: str, catalog: Catalog, select: Path | None = None) -> None:
        super().__init__()
        self.folder_label = folder_label
        self.select = select  # the incident to put the cursor on (the one just closed)
        self.catalog = catalog
        self.view = "incidents"
        self._shown: Catalog | None = None  # the catalog as filtered
        self._to_filter = False  # typed keys are on their way to the filter
        self._stale: set[str] = set()  # views to build again before they are shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="views")
        yield Input(
            placeholder="type to filter (title, SEV1, status, owner, file…); / here, esc clears",
            id="filter",
            select_on_focus=False,
        )
        with ContentSwitcher(initial="incidents"):
            yield RowList(INCIDENT_COLUMNS, "No incident matches.", id="incidents")
            yield RowList(ACTION_COLUMNS, "No action item matches.", id="actions")
            with VerticalScroll(id="report"):
                yield Static(id="report-text")
        yield Static(id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = f"pmtui · {shown(self.folder_label, 200)}"
        self.show_catalog(self.catalog)
        rows = self._list("incidents")
        for index, row in enumerate(rows.rows):
            if isinstance(row.key, Opened) and row.key.path == self.select:
                rows.cursor = index

    # -- what is shown ----------------------------------------------------------
    @property
    def query_text(self) -> str:
        return self.query_one("#filter", Input).value

    def _list(self, name: str) -> RowList:
        return self.query_one(f"#{name}", RowList)

    def show_catalog(self, catalog: Catalog) -> None:
        """Show `catalog` (read again, or changed); the cursor stays on its row."""
        self.catalog = catalog
        self._refilter()

    def _refilter(self) -> None:
        query = self.query_text
        shown_ = self._shown = filtered(self.catalog, query)
        incidents = self._list("incidents")
        incidents.show(incident_rows(shown_), _key(incidents.current))
        self._stale = {"actions", "report"}  # built when shown: first paint needs neither
        self._build(self.view)
        self._show_views()

    def _build(self, view: str) -> None:
        if view not in self._stale:
            return
        self._stale.discard(view)
        if view == "actions":
            actions = self._list("actions")
            actions.show(action_rows(self.catalog, self.query_text), _key(actions.current))
        elif view == "report":
            self.query_one("#report-text", Static).update(report_text(self._shown or self.catalog))

    def _show_views(self) -> None:
        catalog, shown_ = self.catalog, self._shown or self.catalog
        count = len(shown_.incidents)
        parts = []
        for name, label, key in VIEWS:
            text = f" {key.upper()} {label} "
            parts.append(f"[reverse]{text}[/]" if name == self.view else text)
        found = f"{count:,} of {len(catalog.incidents):,}" if self.query_text else f"{count:,}"
        note = f"{found} incidents"
        if catalog.problems:
            note += f" · {len(catalog.problems)} unreadable (listed last)"
        if catalog.copies:
            note += f" · {len(catalog.copies)} conflict copies"
        self.query_one("#views", Static).update(" ".join(parts) + "   " + note)

    def on_row_list_moved(self, message: RowList.Moved) -> None:
        if message.row_list is self.current_list:
            self._detail(message.row)

    def _detail(self, row: Row | None) -> None:
        key = row.key if row is not None else None
        text = ""
        if isinstance(key, Opened):
            found = [s for s in self.catalog.incidents if s.name == key.name]
            text = incident_detail(found[0]) if found else key.name
        elif isinstance(key, Unreadable):
            text = key.error
        elif isinstance(key, Item):
            text = action_detail(self.catalog, key)
        self.query_one("#detail", Static).update(shown(text, 500))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._refilter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.action_open()

    def on_row_list_chosen(self, _message: RowList.Chosen) -> None:
        self.action_open()

    def on_key(self, event: events.Key) -> None:
        """Typing with the list focused goes to the filter; `n` and `/` are keys there.

        The filter takes focus a moment after the first letter: keys typed
        meanwhile still reach the list, and go to the filter too (an `n` among them).
        """
        # "dns⏎" typed at once (as pmtui starts, the terminal still turns ⏎ into ctrl+j):
        # open what the filter finds, once it has every letter
        if event.key in ("enter", "ctrl+j") and (self._to_filter or event.key == "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.call_after_refresh(self._open_filtered)
            return
        if not event.is_printable or event.character is None:
            return
        if not self._to_filter and (
            isinstance(self.focused, Input) or event.character in ("n", "/")
        ):
            return
        bar = self.query_one("#filter", Input)
        self._to_filter = True
        bar.focus()
        bar.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

    def _open_filtered(self) -> None:
        self._refilter()  # with every letter typed before the enter
        self.action_open()

    # -- keys -------------------------------------------------------------------
    @property
    def current_list(self) -> RowList | None:
        return None if self.view == "report" else self._list(self.view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_done":
            return self.view == "actions"
        if action == "new":
            return not isinstance(self.focused, Input)
        if action == "open":
            return self.view != "report"
        return True

    def action_view(self, name: str) -> None:
        self.view = name
        self.query_one(ContentSwitcher).current = name
        self._build(name)
        if name == "report":
            self._detail(None)
        else:
            self._list(name).focus()
            self._detail(self._list(name).current)
        self._show_views()
        self.refresh_bindings()

    def action_move(self, key: str) -> None:
        """Arrows and pages typed in the filter move the list's cursor."""
        rows = self.current_list
        if rows is None:
            return
        step = -1 if key in ("up", "pageup") else 1
        if key.startswith("page"):
            rows.action_page(step)
        else:
            rows.action_cursor(step)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear(self) -> None:
        bar = self.query_one("#filter", Input)
        bar.value = ""
        rows = self.current_list
        if rows is not None:
            rows.focus()

    def action_open(self) -> None:
        rows = self.current_list
        row = rows.current if rows is not None else None
        key = row.key if row is not None else None
        if isinstance(key, Item):
            self.post_message(self.Open(Opened(key.path, key.name)))
        elif isinstance(key, Opened):
            self.post_message(self.Open(key))
        elif isinstance(key, Unreadable):
            self.notify(shown(key.error, 600), severity="error", timeout=8, markup=False)

    def action_new(self) -> None:
        self.post_message(self.Open(None))

    def action_toggle_done(self) -> None:
        if self.view != "actions":  # from the palette, elsewhere
            self.notify("Marking done is in the action items: F3", timeout=4)
            return
        rows = self._list("actions")
        key = rows.current.key if rows.current is not None else None
        if isinstance(key, Item):
            self.post_message(self.Toggle(key))

    def action_reload(self) -> None:
        self.post_message(self.Reload())

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input):
            self._to_filter = False  # it has the keys from now on
        self.refresh_bindings()  # `n` is a key in the list, a letter in the filter


def _key(row: Row | None) -> object:
    return None if row is None else row.key
