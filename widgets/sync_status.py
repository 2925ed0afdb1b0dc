"""'synced 12:01:03 · also here: bo' or 'offline, 5 queued': a shared incident's link.

Shown in the status bar only when the incident's folder is shared through
git; the reason of an offline sync is its tooltip.
"""

from __future__ import annotations

from datetime import tzinfo

from textual.widget import Widget

from pmtui.core.gitsync import SyncResult


class SyncStatus(Widget):
    DEFAULT_CSS = """
    SyncStatus { width: auto; max-width: 60%; height: 1; padding: 0 1; color: $text-muted; }
    SyncStatus.-offline { color: $warning; text-style: bold; }
    """

    def __init__(self, zone: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.zone = zone
        self.text = "syncing…"

    def render(self) -> str:
        return self.text

    def show(self, result: SyncResult) -> None:
        self.text = result.line(self.zone)
        self.set_class(not result.ok, "-offline")
        self.tooltip = result.reason or None
        self.refresh(layout=True)
