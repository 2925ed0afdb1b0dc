"""A table of rows drawn virtually: only the rows on screen are rendered.

The home screen lists every incident of a folder (1,000 and more): a widget
per row, or a DataTable measuring every cell, would cost its first paint
(see DESIGN.md, "Speed traps"). Columns have fixed widths but one, which
takes what is left; the header stays at the top. Rows with no key are
headings (an owner's name): the cursor passes over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pmtui.core.text import shown

_GAP = 2
STYLES = ("plain", "muted", "warn", "error", "heading", "done")


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 0  # 0: this column takes the room the others leave
    right: bool = False


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    key: object = None  # what Chosen says; None: a heading the cursor skips
    style: str = "plain"  # one of STYLES


class RowList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="rows.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="rows.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows.pagedown"),
        Binding("home", "jump(0)", "Top", show=False, id="rows.top"),
        Binding("end", "jump(-1)", "End", show=False, id="rows.end"),
    ]
    COMPONENT_CLASSES = {
        "row-list--header",
        "row-list--cursor",
        *(f"row-list--{name}" for name in STYLES),
    }
    DEFAULT_CSS = """
    RowList { background: $surface; }
    RowList > .row-list--header { color: $text-muted; text-style: bold; }
    RowList > .row-list--cursor { background: $boost; }
    RowList:focus > .row-list--cursor { background: $accent 40%; }
    RowList > .row-list--muted { color: $text-muted; }
    RowList > .row-list--done { color: $text-muted; }
    RowList > .row-list--warn { color: $warning; }
    RowList > .row-list--error { color: $error; }
    RowList > .row-list--heading { text-style: bold; }
    """

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    @dataclass
    class Chosen(Message):
        """Enter (or a click) on a row."""

        row_list: RowList
        key: object

    @dataclass
    class Moved(Message):
        """The cursor is on another row (None: the list is empty)."""

        row_list: RowList
        row: Row | None

    def __init__(self, columns: Sequence[Column], empty: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = tuple(columns)
        self.empty = empty
        self.rows: list[Row] = []
        self._styles: dict[str, Style] | None = None

    # -- data -------------------------------------------------------------------
    def show(self, rows: Sequence[Row], keep: object = None) -> None:
        """Show `rows`; the cursor goes to the row whose key is `keep`, else the first."""
        self.rows = list(rows)
        self.virtual_size = Size(0, len(self.rows) + 1)
        keys = [row.key for row in self.rows]
        start = keys.index(keep) if keep is not None and keep in keys else 0
        self.cursor = self._selectable(start, 1)
        self.refresh()

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def _selectable(self, index: int, step: int) -> int:
        """The first row with a key from `index` on (in `step`'s direction), else -1."""
        rows = self.rows
        if not rows:
            return -1
        index = max(0, min(index, len(rows) - 1))
        for where in (range(index, len(rows)), range(index, -1, -1))[::step]:
            for found in where:
                if rows[found].key is not None:
                    return found
        return -1

    # -- movement ---------------------------------------------------------------
    def watch_cursor(self, new: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)  # less the header
        top = round(self.scroll_offset.y)
        # a heading just above the cursor stays in sight with it
        first = new - 1 if new > 0 and self.rows[new - 1].key is None else new
        if first < top:
            self.scroll_to(y=max(0, first), animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Moved(self, self.current))

    def _move(self, index: int, step: int) -> None:
        if self.rows:
            self.cursor = self._selectable(index, step)

    def action_cursor(self, delta: int) -> None:
        target = self.cursor + delta
        if 0 <= target < len(self.rows):
            found = self._selectable(target, delta)
            if found != -1 and (found - self.cursor) * delta > 0:
                self.cursor = found

    def action_page(self, direction: int) -> None:
        step = direction * max(1, self.scrollable_content_region.height - 2)
        self._move(self.cursor + step, direction)

    def action_jump(self, where: int) -> None:
        self._move(where if where >= 0 else len(self.rows) - 1, 1 if where >= 0 else -1)

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row.key))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows) and self.rows[index].key is not None:
            if index == self.cursor and event.chain > 1:
                self.action_choose()
            self.cursor = index

    # -- drawing ----------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _style(self, name: str) -> Style:
        if self._styles is None:
            names = ("header", "cursor", *STYLES)
            self._styles = {n: self.get_component_rich_style(f"row-list--{n}") for n in names}
            self._styles["base"] = self.rich_style
        return self._styles[name]

    def _widths(self, width: int) -> list[int]:
        fixed = sum(column.width for column in self.columns)
        rest = max(8, width - fixed - _GAP * (len(self.columns) - 1) - 1)
        return [column.width or rest for column in self.columns]

    def _line(self, cells: Sequence[str], widths: list[int]) -> str:
        parts = []
        for column, cell, width in zip(self.columns, cells, widths, strict=False):
            text = shown(cell, 500)
            if cell_len(text) > width:
                text = set_cell_size(text, width - 1) + "…"
            pad = " " * (width - cell_len(text))
            parts.append(pad + text if column.right else set_cell_size(text, width))
        return " " + (" " * _GAP).join(parts)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style("base")
        widths = self._widths(width)
        if y == 0:
            text = self._line([column.title for column in self.columns], widths)
            return Strip([Segment(text, base + self._style("header"))]).crop_extend(0, width, base)
        index = round(self.scroll_offset.y) + y - 1
        if not self.rows and y == 1:
            hint = Segment(" " + self.empty, base + self._style("muted"))
            return Strip([hint]).crop_extend(0, width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        if row.key is None:  # a heading: one text across the columns
            text = " " + shown(" ".join(row.cells), 500)
        else:
            text = self._line(row.cells, widths)
        style = base + self._style(row.style)
        if index == self.cursor:
            style += self._style("cursor")
        return Strip([Segment(text, style)]).crop_extend(0, width, style)
