"""'saved 19:42:07', 'saving…', or a loud warning when a save fails.

It speaks of the newest change: "saved" as soon as the change is in the
journal (fsync'd), else "saving…" from the moment a change is
made until the save holding it is on disk (a kill in between must not find
"saved" beside an entry that is not), and a save of an older change leaves
it saying so. It repaints itself without asking for a new layout (a
Static's update would lay out the whole screen again on every save), and
its class changes only when a save fails or recovers.
"""

from __future__ import annotations

from textual.widget import Widget


class SaveIndicator(Widget):
    DEFAULT_CSS = """
    SaveIndicator { width: 1fr; height: 1; padding: 0 1; color: $text-muted; text-align: right; }
    SaveIndicator.-failed { background: $error; color: $text; text-style: bold; }
    """

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text = text
        self._kept = False  # the newest change is durable in the journal already

    def render(self) -> str:
        return self.text

    def _show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def saved(self, when: str, newer_pending: bool = False) -> None:
        """A save landed; `newer_pending` when a newer change is not in it."""
        if newer_pending:
            if not self.has_class("-failed") and not self._kept:
                self._show("saving…")
            return
        if self.has_class("-failed"):
            self.remove_class("-failed")
        self._show(f"saved {when}")

    def saving(self) -> None:
        """A change was made: until it is saved, the line does not say "saved"."""
        self._kept = False
        if not self.has_class("-failed"):
            self._show("saving…")

    def kept(self, when: str) -> None:
        """A change is on disk in the journal (fsync'd): saved, whatever the TOML
        checkpoint that follows it a moment later (a failed one still says so)."""
        self._kept = True
        if not self.has_class("-failed"):
            self._show(f"saved {when}")

    def failed(self, message: str) -> None:
        if not self.has_class("-failed"):
            self.add_class("-failed")
        self._show(f"NOT SAVED: {message} (retrying; nothing is lost while pmtui runs)")
