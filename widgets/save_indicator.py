"""'saved 19:42:07', or a loud warning when a save fails.

Its size is fixed by the layout (1fr), so updating it on every save never
makes Textual lay the screen out again, and its class changes only when a
save fails or recovers.
"""

from __future__ import annotations

from textual.widgets import Static


class SaveIndicator(Static):
    DEFAULT_CSS = """
    SaveIndicator { width: 1fr; height: 1; padding: 0 1; color: $text-muted; text-align: right; }
    SaveIndicator.-failed { background: $error; color: $text; text-style: bold; }
    """

    def saved(self, when: str) -> None:
        if self.has_class("-failed"):
            self.remove_class("-failed")
        self.update(f"saved {when}")

    def saving(self) -> None:
        if not self.has_class("-failed"):
            self.update("saving…")

    def failed(self, message: str) -> None:
        if not self.has_class("-failed"):
            self.add_class("-failed")
        self.update(f"NOT SAVED: {message} (retrying; nothing is lost while pmtui runs)")
