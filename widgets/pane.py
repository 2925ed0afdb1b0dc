"""A bordered pane whose bottom-border label changes without repainting its contents.

Setting `border_subtitle` repaints the whole pane: at each stamp the timeline
pane's label ("1,234 entries") changed, and repainting the pane's every row
was a fifth of the frame. `label()` repaints the bottom border row alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region


class Pane(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._quiet = False

    def label(self, text: str) -> None:
        """Show `text` in the bottom border; repaint that row only."""
        self._quiet = True
        try:
            self.border_subtitle = text
        finally:
            self._quiet = False
        width, height = self.outer_size
        offset = self.content_offset  # refresh takes regions relative to the content
        self.refresh(Region(-offset.x, height - 1 - offset.y, width, 1))

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._quiet:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


@dataclass(frozen=True)
class PaneAction:
    """One thing a pane does, declared once: its key (and footer/help), its
    palette entry and the verb its request carries. No printable key: text
    typed in a pane goes to the entry bar."""

    verb: StrEnum
    key: str
    label: str  # footer
    title: str  # command palette
    help: str  # tooltip, help screen
    key_display: str | None = None

    def binding(self, pane: str) -> Binding:
        return Binding(
            self.key,
            f"request('{self.verb}')",
            self.label,
            id=f"{pane}.{self.verb}",
            tooltip=self.help,
            key_display=self.key_display,
        )
