"""The footer of keys: in a fixed order, rebuilt only when the keys change.

Textual's Footer recomposes (removes and mounts a widget per key, then
restyles them) on every bindings signal: each focus change, screen push and
app focus. That is 15-25 ms each time, three times before pmtui's first
paint and again whenever focus moves, though the keys shown are nearly
always the same. Its order also follows the focused widget's own bindings,
so "^e Export" jumped to the front whenever the entry bar (which binds
ctrl+e itself) had focus. This footer shows the focused part's keys first,
then the app's in the order they are declared, coalesces the signals of one
refresh into one check, and recomposes only when what it shows would change.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Key = tuple[str, str, str, str, bool, str]


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        # Footer shows no key until the first bindings signal; the screen's
        # bindings are known when it composes, so show them from the start
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple[Key, ...] | None = None
        self._queued = False
        self.rebuilds = 0  # how many times the keys were composed (tests read it)

    def keys(self) -> tuple[Key, ...]:
        """What the footer shows, in its order: (key, display, label, action, enabled, tip)."""
        app = self.app
        declared = [b.key for b in app.BINDINGS if isinstance(b, Binding)]
        ranked = []
        for position, (node, binding, enabled, tooltip) in enumerate(
            self.screen.active_bindings.values()
        ):
            if not binding.show and binding.key != app.COMMAND_PALETTE_BINDING:
                continue
            mine = node is app and binding.key in declared
            rank = (mine, declared.index(binding.key) if mine else position)
            display = app.get_key_display(binding)
            key: Key = (binding.key, display, binding.description, binding.action, enabled, tooltip)
            ranked.append((rank, key))
        ranked.sort(key=lambda item: item[0])
        return tuple(key for _rank, key in ranked)

    def compose(self) -> ComposeResult:
        self._shown = self.keys()
        self.rebuilds += 1
        order = {key[0]: index for index, key in enumerate(self._shown)}
        made: list[Widget] = list(super().compose())
        made.sort(key=lambda widget: order.get(getattr(widget, "key", ""), len(order)))
        for widget in made:
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # a key starts compact, then takes the footer's value through
                # a data binding: two restyles per key (~1 ms each) before
                # first paint. Set now, it is neither initialised nor changed.
                # (The palette key is always compact and not bound.)
                widget.set_reactive(FooterKey.compact, self.compact)
        yield from made

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus or self._queued:
            return
        if self.is_attached and screen is self.screen:
            self._queued = True
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        self._queued = False
        if self.is_attached and self.keys() != self._shown:
            await self.recompose()
