"""The entry bar: type, press Enter, and the entry carries the moment you began."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Static

from pmtui.core.commands import SLASH_COMMANDS, matching, parse_slash
from pmtui.core.model import Incident
from pmtui.core.text import normalise_newlines, visible
from pmtui.core.timeparse import TimeError, parse_leading_time


class Stamp(Widget):
    """The captured time beside the bar; repaints without a new layout."""

    DEFAULT_CSS = "Stamp { width: 16; height: 3; padding: 1 1 0 1; color: $text-muted; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text = Text()

    def show(self, text: Text) -> None:
        # Text equality ignores the base style, and the style is what changes
        if (text.plain, str(text.style)) != (self.text.plain, str(self.text.style)):
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text


BIG_PASTE = 4096  # characters: a bigger paste is held aside, shown as one ▤
_TOKENS = 0xF0000  # plane 15, private use: no terminal sends these


class EntryInput(Input):
    """Textual's Input: no screen-wide layout per keystroke; Enter handled in order."""

    def __init__(self, on_enter: Callable[[str], bool], **kwargs: Any) -> None:
        # select_on_focus off: the text in the bar, all selected when the IC
        # came back to it, was replaced by the next key typed
        super().__init__(select_on_focus=False, **kwargs)
        self.on_enter = on_enter
        self._shown: tuple[str, str] = ("", "")  # (value, how it is shown)
        self.blocks: dict[str, str] = {}  # big pastes held aside, by their token
        self._held_count = 0
        # the bar began with a pasted block: its text is taken as it is (a log's
        # own timestamp is not a backdate, a pasted "/x" is not a command); a
        # one-line paste is read as if typed (a runbook's "/mitigated")
        self.pasted_first = False

    # -- a pasted block lives in the bar whole ---------------------------------
    # The value keeps exactly what was typed and pasted, line breaks and
    # control characters included; the bar shows each as one visible cell
    # (⏎ for a line break, ␛ for ESC), so the block stays on one line, the
    # cursor lines up, and Enter logs every line as one entry. A big paste
    # (Input re-measures and re-renders its whole value at every key: 1 MB
    # took seconds a key) is held aside and stands in the value as one
    # private character, shown as ▤; `with_pastes` puts it back.
    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler (run after ours) keeps only line one
        if event.text:
            text = normalise_newlines(event.text)
            if not self.value and "\n" in text.strip("\n"):
                self.pasted_first = True  # a block: taken as it is (one line is read as typed)
            if len(text) > BIG_PASTE:
                text = self._hold(text)
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *sorted(self.selection))

    def _hold(self, block: str) -> str:
        token = chr(_TOKENS + self._held_count % 0xFFFD)
        self._held_count += 1
        self.blocks[token] = block
        while len(self.blocks) > 16:  # the oldest, long since logged
            del self.blocks[next(iter(self.blocks))]
        return token

    def with_pastes(self, text: str) -> str:
        """`text` from the bar with every big paste held aside put back."""
        for token, block in self.blocks.items():
            if token in text:
                text = text.replace(token, block)
        return text

    def held(self, text: str) -> list[str]:
        """The big pastes `text` holds, in order."""
        return [block for token, block in self.blocks.items() if token in text]

    def _visible_value(self, value: str | None = None) -> str:
        """How `value` (by default the bar's) is shown."""
        value = self.value if value is None else value
        if self._shown[0] is not value:
            shown = visible(value)
            if self.blocks:
                shown = shown.translate({ord(token): "▤" for token in self.blocks})
            self._shown = (value, shown)
        return self._shown[1]

    # private: no public API for how Input shows its value in Textual 8.2.8
    # (these three are its rendering and cursor-to-cell hooks); pinned textual==8.2.8
    @property
    def _value(self) -> Text:
        return Text(self._visible_value(), no_wrap=True, overflow="ignore", end="")

    def _position_to_cell(self, position: int) -> int:
        return cell_len(self._visible_value()[:position])

    def _cell_offset_to_index(self, offset: int) -> int:
        shown = self._visible_value()
        offset += round(self.scroll_offset.x)
        cells = 0
        for index, char in enumerate(shown):
            cells += cell_len(char)
            if offset < cells:
                return index
        return max(0, min(offset, len(shown)))

    def validate_value(self, value: str) -> str:
        # Input assigns its virtual size (the text's width) on every change,
        # which lays out the whole screen again: 10+ ms a keystroke and a
        # stamp. The bar's box never changes size, so set it quietly first
        # (a validator runs before Input's watcher), to the width Input's
        # `content_width` will give for the new value; Input's own assignment
        # then finds nothing to do (tests/test_frame_work.py counts layouts).
        if self.placeholder and not value:
            width = cell_len(self.placeholder)
        else:
            width = cell_len(self._visible_value(value)) + 1  # a cell for the cursor
        self.set_reactive(Input.virtual_size, Size(width, 1))
        return value

    def on_key(self, event: events.Key) -> None:
        # Enter is taken here, in the same queue as the characters before it:
        # as a key binding it could run before characters still queued (keys
        # arriving in one burst, as over SSH), splitting or merging entries.
        # The entry is logged right here, synchronously, and the bar emptied
        # only once it is: nothing typed since can be wiped, a refused entry
        # stays to be fixed, and the emptied bar and the new timeline line
        # are painted in one frame (a message to the app took a frame more).
        # ctrl+j too: an Enter typed while pmtui starts, before the terminal
        # is in raw mode, arrives as a line feed.
        if event.key in ("enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            if self.on_enter(self.value):
                self.value = ""
        # any other key goes on to Input's own handler, which runs after this one


# the commands whose text may start with a time, as a logged line's may
_TIMED = frozenset({"mitigated", "resolved", "detected", "decision", "comms", "detect"})


def _held_hint(blocks: list[str]) -> Text:
    """What each ▤ in the bar stands for."""
    text = Text()
    for block in blocks:
        lines = block.count("\n") + 1
        first = visible(block.partition("\n")[0])[:60]
        text.append("▤ ", style="bold")
        text.append(f"pasted {lines:,} lines, {len(block.encode()) / 1024:,.0f} KB: ", style="bold")
        text.append(f"{first}…\n", style="dim")
    text.append("Enter logs it whole, with the text around it", style="dim italic")
    return text


_SUGGESTIONS = [f"/{c.name} " if c.args else f"/{c.name}" for c in SLASH_COMMANDS]
_HINT_WIDTH = max(len(f"/{c.name} {c.args}") for c in SLASH_COMMANDS) + 2


class EntryBar(Vertical):
    """Slash-command hints above an input, with the captured time beside it."""

    DEFAULT_CSS = """
    EntryBar { height: auto; }
    EntryBar #hints { display: none; height: auto; max-height: 12; padding: 0 1;
                      background: $panel; color: $text; }
    EntryBar.-slash #hints { display: block; }
    EntryBar Horizontal { height: auto; }
    EntryBar Input { width: 1fr; }
    """

    @dataclass(frozen=True)
    class Submitted:
        """An entry from the bar: `text` typed, its first key pressed at `typed_at`."""

        text: str
        typed_at: datetime
        pasted: bool = False  # the text began with a paste: taken as it is

    def __init__(
        self,
        incident: Incident,
        clock: Callable[[], datetime],
        log_entry: Callable[[Submitted], bool],
        **kwargs: object,
    ) -> None:
        """`log_entry` takes each entry and says whether it was logged."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.incident = incident
        self.clock = clock
        self.log_entry = log_entry
        self.typed_at: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="hints")
        with Horizontal():
            yield Stamp(id="stamp")
            yield EntryInput(
                self._enter,
                placeholder="What is happening? Enter logs it · 19:39 or -5m backdates "
                "· / for commands",
                suggester=SuggestFromList(_SUGGESTIONS, case_sensitive=False),
                id="entry",
            )

    @property
    def input(self) -> EntryInput:
        return self.query_one("#entry", EntryInput)

    def on_mount(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Show the captured time while typing, else the live clock."""
        label = self.query_one(Stamp)
        value = self.input.value
        moment = self.typed_at or self.clock()
        backdated = None
        command = None if self.input.pasted_first else parse_slash(value)
        if self.input.pasted_first:
            value = ""  # a paste is taken as it is: its own timestamps stay text
        elif command is not None:  # /mitigated 20:12, /decision -5m ... backdate too
            value = command.argument if command.name in _TIMED else ""
        try:
            if value:
                backdated, _ = parse_leading_time(value, moment, self.incident.zone)
        except TimeError as refused:  # Enter says why, and the text stays in the bar
            label.show(Text(f"✗ {refused.short}", style="bold red"))
            return
        shown = self.incident.local(backdated or moment)
        now = self.incident.local(self.clock())
        # styled in the text, not with CSS classes: a class change re-matches
        # the stylesheet for the whole bar, too slow for every keystroke
        if backdated is not None:
            when = f"{shown:%H:%M:%S}" if shown.date() == now.date() else f"{shown:%b %d %H:%M}"
            if shown.utcoffset() != now.utcoffset() and shown.date() == now.date():
                when += f" {shown.tzname()}"  # the clocks changed since: say which 01:40
            text = Text(f"↶ {when}", style="bold yellow")
        elif self.typed_at is not None:
            text = Text(f"{shown:%H:%M:%S}", style="bold cyan")
        else:
            text = Text(f"{shown:%H:%M:%S}")
        label.show(text)

    @on(Input.Changed, "#entry")
    def _changed(self, event: Input.Changed) -> None:
        if event.value and self.typed_at is None:
            self.typed_at = self.clock()
        elif not event.value:
            self.typed_at = None
            self.input.pasted_first = False
        self._hints(event.value)
        self.tick()

    def _hints(self, value: str) -> None:
        found = matching(value)
        held = self.input.held(value) if self.input.blocks and not found else []
        if bool(found or held) != self.has_class("-slash"):
            self.set_class(bool(found or held), "-slash")
        if held:
            self.query_one("#hints", Static).update(_held_hint(held))
        if found:
            text = Text()
            for command in found:
                text.append(f"/{command.name} {command.args}".ljust(_HINT_WIDTH), style="bold")
                text.append(command.help + "\n", style="dim")
            text.append("→ completes", style="dim italic")
            self.query_one("#hints", Static).update(text)

    def _enter(self, text: str) -> bool:
        """Enter in the bar: log the text; True empties the bar."""
        text = self.input.with_pastes(text)
        if not text.strip():
            return True
        pasted = self.input.pasted_first
        return self.log_entry(self.Submitted(text, self.typed_at or self.clock(), pasted))

    def take(self) -> Submitted | None:
        """Empty the bar and return what was in it (quitting logs it)."""
        text, typed_at = self.input.with_pastes(self.input.value), self.typed_at or self.clock()
        pasted = self.input.pasted_first
        self.input.value = ""
        return self.Submitted(text, typed_at, pasted) if text.strip() else None
