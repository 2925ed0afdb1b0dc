"""The timeline pane: every entry, one line each, rendered virtually.

Only the rows on screen are ever rendered (the Line API), so 100,000 entries
cost the same per frame as 10. The widget reads the incident's timeline list
directly and never holds a copy of the truth.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pmtui.core.filtering import Filter
from pmtui.core.fold import PREFIX as JOURNAL_ID
from pmtui.core.model import EntryKind, Incident, TimelineEntry
from pmtui.core.roles import login_name
from pmtui.core.tail import who
from pmtui.core.text import LONGEST, summary_line, visible  # control bytes as pictures
from pmtui.widgets.pane import Pane, PaneAction

_KIND_WIDTH = 10


class EntryVerb(StrEnum):
    EDIT = "edit"
    DELETE = "delete"
    TO_ACTION = "to_action"


ENTRY_ACTIONS = (
    PaneAction(
        EntryVerb.EDIT, "enter", "Edit", "Edit entry", "Edit the entry's text, time and kind"
    ),
    PaneAction(
        EntryVerb.DELETE,
        "delete",
        "Delete",
        "Delete entry",
        "Delete the entry (ctrl+z undoes)",
        key_display="del",
    ),
    PaneAction(
        EntryVerb.TO_ACTION,
        "ctrl+a",
        "To action",
        "Entry to action item",
        "Turn the entry into an action item",
    ),
)


class TimelineView(ScrollView, can_focus=True):
    """Entries in time order, newest at the bottom, following new ones."""

    HELP = "Timeline: arrows move, enter edits, del deletes, ctrl+a makes an action item."
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="timeline.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="timeline.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.pagedown"),
        Binding("home", "jump(0)", "Top", show=False, id="timeline.top"),
        Binding("end", "jump(-1)", "End", show=False, id="timeline.end"),
        *(action.binding("timeline") for action in ENTRY_ACTIONS),
    ]
    COMPONENT_CLASSES = {
        "timeline--time",
        "timeline--kind",
        "timeline--status",
        "timeline--cursor",
        "timeline--empty",
    }
    DEFAULT_CSS = """
    TimelineView { background: $surface; scrollbar-size-vertical: 0; }
    TimelineView > .timeline--time { color: $text-muted; }
    TimelineView > .timeline--kind { color: $text-muted; text-style: italic; }
    TimelineView > .timeline--status { color: $warning; text-style: bold; }
    TimelineView > .timeline--cursor { background: $boost; }
    TimelineView:focus > .timeline--cursor { background: $accent 40%; }
    TimelineView > .timeline--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        """The IC moved onto an entry while reading the timeline."""

        entry: TimelineEntry

    @dataclass
    class Requested(Message):
        """The IC asked to do `verb` to an entry."""

        verb: EntryVerb
        entry_id: str

    def __init__(self, incident: Incident, loading: int = 0, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.incident = incident
        # a big file opened tail-first: the whole timeline's length while only
        # its last entries are here (the app sets 0 once it is whole)
        self.reading_rest = loading
        self.follow = True
        self._cursor_id: str | None = None
        self._position = ""
        self._rows: dict[str, tuple[TimelineEntry, str]] = {}
        self._styles: dict[str, Style] | None = None
        self._strips: dict[str, tuple[TimelineEntry, tuple[object, ...], Strip]] = {}
        # the one author seen so far; once a second one writes, every row says who
        self._author: str | None = None
        self.many_authors = False
        self._count = 0  # entries at the last reload: a jump (the rest read) looks at all
        # ctrl+f: the entries that match, in order; None shows them all
        self.filter = Filter()
        self._matching: list[TimelineEntry] | None = None

    def _own_author(self) -> str:
        """Whom the IC's own entries are by (core.session.Session.author)."""
        return self.incident.commander or login_name()

    # -- data ---------------------------------------------------------------
    @property
    def entries(self) -> list[TimelineEntry]:
        """The rows shown: the whole timeline, or what matches the filter."""
        return self.incident.timeline if self._matching is None else self._matching

    def set_filter(self, wanted: Filter) -> None:
        """Show only the entries that match (an inactive filter shows them all)."""
        self.filter = wanted
        self._match()
        self._strips.clear()
        self._position = "?"  # the label says the filter: draw it again
        self.follow = True
        self.reload()

    def _match(self) -> None:
        wanted = self.filter
        if not wanted.active:
            self._matching = None
        else:
            self._matching = [e for e in self.incident.timeline if wanted.matches(e)]

    @property
    def current(self) -> TimelineEntry | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def on_mount(self) -> None:
        self.reload(everything=True)
        self.cursor = len(self.entries) - 1
        self.scroll_end(animate=False, immediate=True)

    def _look_at_authors(self, entries: list[TimelineEntry]) -> None:
        """Note who wrote these entries; a second author turns the author column on."""
        for entry in entries:
            if self.many_authors:
                return
            author = entry.author
            if author is None or author == self._author:
                continue
            if self._author is None:
                self._author = author
            else:
                self.many_authors = True
                self._rows.clear()
                self._strips.clear()

    def reload(self, focus_entry: str | None = None, everything: bool = False) -> None:
        """The timeline changed: resize, keep the cursor on its entry, follow the end.

        The cursor goes to `focus_entry` when the IC is following the end or
        was on that entry (an edit); with none (entries from others), a cursor
        following the end stays at the end; otherwise it stays on its entry.
        """
        timeline = self.incident.timeline
        everything = everything or abs(len(timeline) - self._count) > 1
        self._count = len(timeline)
        if not self.many_authors:  # a new entry is the focused one, or the last
            looked = timeline if everything else timeline[-1:]
            if focus_entry is not None and not everything:
                with contextlib.suppress(KeyError):
                    looked = [*looked, timeline[self.incident.index_of(focus_entry)]]
            self._look_at_authors(looked)
        if self._matching is not None:
            self._match()
        count = len(self.entries)
        self._set_height(count)
        was_on = self._cursor_id
        still = None if was_on is None else self._index_still(was_on)
        if focus_entry is not None and (self.follow or focus_entry == was_on):
            self.cursor = self._find(focus_entry)
        elif focus_entry is None and self.follow and count:
            self.cursor = count - 1
        elif still is not None:
            self.cursor = still
        else:
            self.cursor = min(max(self.cursor, 0), count - 1)
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _set_height(self, count: int) -> None:
        """Grow or shrink the scrollable height without a screen-wide layout.

        Assigning `virtual_size` asks the whole screen to lay out again (every
        widget re-rendered: 10-60 ms a stamp). Only this widget's scrollbars
        depend on its height, so update those alone.
        """
        size = Size(0, count)  # lines are cropped to the pane: no sideways scrolling
        if size != self.virtual_size:
            self.set_reactive(ScrollView.virtual_size, size)
            # private: no public API to update a widget's scrollbars (shown or
            # not, scroll limits) without a layout in Textual 8.2.8; pinned textual==8.2.8
            self._scroll_update(size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        # ScrollView also moves its scrollbar's thumb here. This one is zero
        # wide (the position is in the pane's border), and an invisible widget
        # marked for repaint makes Textual re-arrange the whole screen: 2 ms
        # of every stamp's frame. Only the lines need repainting.
        if round(old_value) != round(new_value):
            self.refresh(self.size.region)

    def _index_still(self, entry_id: str) -> int | None:
        """Where the entry the cursor was on is now (a stamp moves it by one)."""
        entries, guess = self.entries, self.cursor
        for index in (guess, guess + 1, guess - 1):
            if 0 <= index < len(entries) and entries[index].id == entry_id:
                return index
        if self._matching is not None:
            return next((n for n, e in enumerate(entries) if e.id == entry_id), None)
        try:
            return self.incident.index_of(entry_id)
        except KeyError:
            return None

    def _find(self, entry_id: str) -> int:
        entries = self.entries
        if entries and entries[-1].id == entry_id:
            return len(entries) - 1
        if self._matching is not None:  # an entry the filter hides: the end
            found = self._index_still(entry_id)
            return len(entries) - 1 if found is None else found
        return self.incident.index_of(entry_id)

    # -- movement -----------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._show_cursor()
        self.follow = new >= len(self.entries) - 1
        self._cursor_id = self.current.id if self.current else None
        self.refresh()
        self._show_position()
        self._tell()

    def _show_cursor(self) -> None:
        """Scroll just enough for the cursor's entry to be on screen."""
        new = self.cursor
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        # a smaller terminal (80x24 over SSH) must not leave the entry the
        # IC is on, or the newest one they follow, below the pane's bottom
        self.call_after_refresh(self._show_cursor)

    def _show_position(self) -> None:
        """Where the cursor is, in the pane's bottom border.

        This replaces a scrollbar: at thousands of entries its thumb is one
        cell that says little, and repainting it cost 3 ms of every stamp.
        """
        count = len(self.entries)
        if self._matching is not None:
            where = f"{self.cursor + 1:,} of " if not self.follow and count else ""
            label = f"{where}{count:,} matching “{self.filter.text[:30]}” · ctrl+f"
        elif self.reading_rest:
            label = f"last {count:,} of {self.reading_rest:,} · reading the rest"
        elif not count:
            label = ""
        elif self.follow:
            label = f"{count:,} {'entry' if count == 1 else 'entries'}"
        else:
            label = f"{self.cursor + 1:,} of {count:,}"
        pane = self.parent
        if label != self._position and isinstance(pane, Pane):
            self._position = label
            pane.label(label)

    def on_focus(self) -> None:
        self._tell(focused=True)

    def _tell(self, focused: bool = False) -> None:
        # only while the IC reads the timeline: a stamp must not pay for this
        if (focused or self.has_focus) and self.current is not None:
            self.post_message(self.Highlighted(self.current))

    def _move_to(self, index: int) -> None:
        if self.entries:
            self.cursor = max(0, min(index, len(self.entries) - 1))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, where: int) -> None:
        self._move_to(where if where >= 0 else len(self.entries) - 1)

    def action_request(self, verb: str) -> None:
        if self.current is not None:
            self.post_message(self.Requested(EntryVerb(verb), self.current.id))

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int):
            self._move_to(round(self.scroll_offset.y) + offset)

    # -- rendering ----------------------------------------------------------
    def _when(self, index: int) -> str:
        """The time; the date where the day changes (the year too, where it does);
        the zone where the clocks changed since the line before (01:59 BST, then
        01:00 GMT, which would otherwise read as earlier)."""
        entry = self.entries[index]
        local = self.incident.local(entry.at)
        before = self.entries[index - 1].at if index else self.incident.started_at
        previous = self.incident.local(before)
        if local.year != previous.year:
            shown = f"{local:%Y-%m-%d %H:%M:%S}"
        elif local.date() != previous.date():
            shown = f"{local:%b %d %H:%M:%S}"
        else:
            shown = f"{local:%H:%M:%S}"
        if local.utcoffset() != previous.utcoffset():
            shown += f" {(local.tzname() or '')[:5]}"
        return shown

    def _text(self, entry: TimelineEntry, room: int) -> str:
        hit = self._rows.get(entry.id)
        if "\n" in entry.text:  # a pasted block: its first line, cut to keep the count
            return summary_line(entry.text, room)
        if hit is None or hit[0] is not entry:
            marker = "(marker: enter on it annotates)"
            shown = visible(entry.text[:LONGEST]) if entry.text else marker
            # who wrote it: every entry with an author once more than one has written,
            # and before that an entry from someone else (a tool's source, another
            # person's name); the IC's own entries come through the journal too
            extra = entry.model_extra
            named = (self.many_authors and (entry.author or extra)) or (
                entry.id.startswith(JOURNAL_ID)
                and (extra or (entry.author and entry.author != self._own_author()))
            )
            if named:
                shown = f"{visible(who(entry))[:24]} · {shown}"
            hit = self._rows[entry.id] = (entry, shown)
        return hit[1]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _style(self, name: str) -> Style:
        """Component styles, looked up once per theme/CSS change, not per line."""
        if self._styles is None:
            self._styles = {
                key: self.get_component_rich_style(f"timeline--{key}")
                for key in ("time", "kind", "status", "cursor", "empty")
            }
            self._styles["base"] = self.rich_style
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = round(scroll_y) + y
        width = self.scrollable_content_region.width
        base = self._style("base")
        if not self.entries and y == 0:
            hint = " Nothing logged yet. Type what is happening below and press Enter."
            if self._matching is not None:
                hint = " No entry matches the filter: ctrl+f changes it (empty: every entry)."
            return Strip([Segment(hint, base + self._style("empty"))]).crop_extend(0, width, base)
        if index >= len(self.entries):
            return Strip.blank(width, base)
        entry = self.entries[index]
        when = self._when(index)
        key = (when, self._time_width(), index == self.cursor, scroll_x, width)
        hit = self._strips.get(entry.id)
        if hit is not None and hit[0] is entry and hit[1] == key:
            return hit[2]
        strip = self._render_entry(entry, when, key[1], key[2], width).crop_extend(
            scroll_x, scroll_x + width, self._line_style(key[2])
        )
        if len(self._strips) > 4096:
            self._strips.clear()
        self._strips[entry.id] = (entry, key, strip)
        return strip

    def _line_style(self, is_cursor: bool) -> Style:
        base = self._style("base")
        return base + self._style("cursor") if is_cursor else base

    def _render_entry(
        self, entry: TimelineEntry, when: str, time_width: int, cursor: bool, width: int
    ) -> Strip:
        if not entry.text:
            text_style = self._style("empty")
        elif entry.kind is EntryKind.STATUS:
            text_style = self._style("status")
        else:
            text_style = Style()
        segments = [
            Segment(f" {when:<{time_width}}", self._style("time")),
            Segment(f"{entry.kind.value:<{_KIND_WIDTH}}", self._style("kind")),
            Segment(self._text(entry, width - time_width - 1 - _KIND_WIDTH), text_style),
        ]
        return Strip(segments).apply_style(self._line_style(cursor))

    def _time_width(self) -> int:
        """Room for 'HH:MM:SS', 'Mon DD HH:MM:SS' once the incident spans days, a
        year where it spans years, and a zone where the clocks change."""
        entries, local = self.entries, self.incident.local
        if not entries:
            return 9
        # entries are in time order: the first and the last tell whether any
        # row shows a date (one backdated before the start's day does too)
        start, first, last = (
            local(moment) for moment in (self.incident.started_at, entries[0].at, entries[-1].at)
        )
        width = 9
        if first.date() != start.date() or last.date() != start.date():
            width = 16
        if first.year != start.year or last.year != start.year:
            width = 20
        if len({start.utcoffset(), first.utcoffset(), last.utcoffset()}) > 1:
            width += 6
        return width
