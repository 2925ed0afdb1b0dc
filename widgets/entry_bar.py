"""The entry bar: type, press Enter, and the entry carries the moment you began."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Static

from pmtui.commands import SLASH_COMMANDS, matching
from pmtui.model import Incident
from pmtui.timeparse import parse_leading_time


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


class EntryInput(Input):
    """Textual's Input: no screen-wide layout per keystroke; Enter handled in order."""

    def __init__(self, on_enter: Callable[[str], bool], **kwargs: Any) -> None:
        # select_on_focus off: the text in the bar, all selected when the IC
        # came back to it, was replaced by the next key typed
        super().__init__(select_on_focus=False, **kwargs)
        self.on_enter = on_enter

    def _watch_value(self, value: str) -> None:
        # Input assigns its virtual size (the text's width) on every change,
        # which lays out the whole screen again: 10+ ms a keystroke and a
        # stamp. The bar's box never changes size, so set it quietly first;
        # Input's own assignment then finds nothing to do.
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def _on_key(self, event: events.Key) -> None:
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
            return
        await super()._on_key(event)


_SUGGESTIONS = [f"/{c.name} " if c.args else f"/{c.name}" for c in SLASH_COMMANDS]


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
    def input(self) -> Input:
        return self.query_one("#entry", Input)

    def on_mount(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Show the captured time while typing, else the live clock."""
        label = self.query_one(Stamp)
        value = self.input.value
        moment = self.typed_at or self.clock()
        backdated = None
        if value and not value.startswith("/"):
            backdated, _ = parse_leading_time(value, moment, self.incident.zone)
        shown = self.incident.local(backdated or moment)
        # styled in the text, not with CSS classes: a class change re-matches
        # the stylesheet for the whole bar, too slow for every keystroke
        if backdated is not None:
            text = Text(f"↶ {shown:%H:%M:%S}", style="bold yellow")
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
        self._hints(event.value)
        self.tick()

    def _hints(self, value: str) -> None:
        found = matching(value)
        if bool(found) != self.has_class("-slash"):
            self.set_class(bool(found), "-slash")
        if found:
            text = Text()
            for command in found:
                text.append(f"/{command.name} {command.args}".ljust(26), style="bold")
                text.append(command.help + "\n", style="dim")
            text.append("→ completes", style="dim italic")
            self.query_one("#hints", Static).update(text)

    def _enter(self, text: str) -> bool:
        """Enter in the bar: log the text; True empties the bar."""
        if not text.strip():
            return True
        return self.log_entry(self.Submitted(text, self.typed_at or self.clock()))

    def take(self) -> Submitted | None:
        """Empty the bar and return what was in it (quitting logs it)."""
        text, typed_at = self.input.value, self.typed_at or self.clock()
        self.input.value = ""
        return self.Submitted(text, typed_at) if text.strip() else None
