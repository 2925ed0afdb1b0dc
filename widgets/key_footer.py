"""The footer of keys: in a fixed order, redrawn only when the keys change.

Textual's Footer recomposes (removes and mounts a widget per key, then
restyles them) on every bindings signal: each focus change, screen push and
app focus. That is 15-25 ms each time, three times before pmtui's first
paint and again whenever focus moves, though the keys shown are nearly
always the same. Its order also follows the focused widget's own bindings,
so "^e Export" jumped to the front whenever the entry bar (which binds
ctrl+e itself) had focus. This footer is one widget that draws the keys
itself, from public Textual API only: the screen's `active_bindings`, read
when its `bindings_updated_signal` fires. It shows the focused part's keys
first, then the app's in the order they are declared, coalesces the signals
of one refresh into one check, and redraws only when what it shows would
change. It looks like Textual's Footer (same theme variables); a click on a
key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


class Key(NamedTuple):
    key: str
    display: str
    label: str
    action: str
    enabled: bool
    tip: str
    palette: bool = False  # the command palette's key, drawn at the right end


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--edge",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--edge {
            color: $foreground 20%;
        }
        & > .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Key, ...] | None = None
        self._spans: list[tuple[int, int, Key]] = []  # where each key is drawn: start, end
        self._hover: Key | None = None
        self._queued = False
        self.rebuilds = 0  # how many times the keys were worked out anew (tests read it)

    def keys(self) -> tuple[Key, ...]:
        """What the footer shows, in its order; the palette's key last."""
        app = self.app
        declared = [b.key for b in app.BINDINGS if isinstance(b, Binding)]
        ranked = []
        palette = None
        actions: set[str] = set()
        for position, (node, binding, enabled, tooltip) in enumerate(
            self.screen.active_bindings.values()
        ):
            display = app.get_key_display(binding)
            if binding.key == app.COMMAND_PALETTE_BINDING:
                if app.ENABLE_COMMAND_PALETTE:
                    tip = binding.tooltip or binding.description
                    palette = Key(binding.key, display, binding.description, binding.action,
                                  enabled, tip, palette=True)  # fmt: skip
                continue
            if not binding.show or binding.action in actions:
                continue  # one key per action, as in Textual's Footer: the first
            actions.add(binding.action)
            mine = node is app and binding.key in declared
            rank = (mine, declared.index(binding.key) if mine else position)
            key = Key(binding.key, display, binding.description, binding.action, enabled, tooltip)
            ranked.append((rank, key))
        ranked.sort(key=lambda item: item[0])
        shown = [key for _rank, key in ranked]
        return tuple([*shown, palette] if palette else shown)

    @property
    def shown(self) -> tuple[Key, ...]:
        """The keys drawn now (worked out on first use)."""
        if self._shown is None:
            self._shown = self.keys()
            self.rebuilds += 1
        return self._shown

    # -- drawing ----------------------------------------------------------------
    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        label_style = self.get_component_rich_style("key-footer--description")
        hover_style = self.get_component_rich_style("key-footer--hover")
        edge_style = self.get_component_rich_style("key-footer--edge")
        left, right = Text(end=""), Text(end="")
        spans: list[tuple[Text, Key]] = []
        for key in self.shown:
            part = Text(end="")
            if key.palette:  # compact, one cell from the right edge, a line before it
                part.append("▏", edge_style)
                part.append(key.display, key_style)
                part.append(f" {key.label}" if key.label else "", label_style)
            elif key.label:
                part.append(f" {key.display} ", key_style)
                part.append(f"{key.label} ", label_style)
            else:
                part.append(key.display, key_style)
            if key is self._hover:
                part.stylize(hover_style)
            if not key.enabled:
                part.stylize(Style(dim=True))
            spans.append((part, key))
            (right if key.palette else left).append_text(part)
        width = self.size.width
        room = max(0, width - right.cell_len - (1 if right else 0))
        left.truncate(room)
        gap = max(0, width - left.cell_len - right.cell_len - (1 if right else 0))
        self._spans = []
        start = 0
        for part, key in spans:
            if key.palette:
                start = left.cell_len + gap
            self._spans.append((start, min(start + part.cell_len, width), key))
            start += part.cell_len
        return Text.assemble(left, " " * gap, right, " " if right else "", end="")

    def _key_at(self, x: int) -> Key | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key is not self._hover:
            self._hover = key
            self.tooltip = (key.tip or None) if key else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    # -- following the screen's keys ------------------------------------------------
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus or self._queued:
            return
        if self.is_attached and screen is self.screen:
            self._queued = True
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        self._queued = False
        if self.is_attached and (keys := self.keys()) != self._shown:
            self._shown = keys
            self.rebuilds += 1
            self.refresh()
