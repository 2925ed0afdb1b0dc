"""'saved 19:42:07', or a loud warning when a save fails."""

from __future__ import annotations

from textual.widgets import Static


class SaveIndicator(Static):
    DEFAULT_CSS = """
    SaveIndicator { width: auto; height: 1; padding: 0 1; color: $text-muted; }
    SaveIndicator.-failed { background: $error; color: $text; text-style: bold; }
    SaveIndicator.-saving { color: $warning; }
    """

    def saved(self, when: str) -> None:
        self.remove_class("-failed", "-saving")
        self.update(f"saved {when}")

    def saving(self) -> None:
        if not self.has_class("-failed"):
            self.add_class("-saving")

    def failed(self, message: str) -> None:
        self.remove_class("-saving")
        self.add_class("-failed")
        self.update(f"NOT SAVED: {message} (retrying; nothing is lost while pmtui runs)")
