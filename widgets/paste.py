"""Bracketed pastes read whole and exact from the terminal.

Textual's XTermParser (8.2.8) reads a bracketed paste character by
character, and an ESC inside it starts an escape sequence: the characters
after the ESC are sent as key presses (the ESC itself as "^") *before* the
paste, which keeps only what came before the ESC. `Q<ESC>Z tail` pasted
became the keys `^Z tail` followed by the paste `Q`: reordered and mangled.
This parser takes everything between the paste's start and end markers as
it is, and hands the rest of the input to Textual's parser unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events

# private: no public API to read a bracketed paste whole, nor to give the
# driver another input parser, in Textual 8.2.8; pinned textual==8.2.8
from textual._xterm_parser import XTermParser
from textual.message import Message
from textual.widgets import Input

from pmtui.core.text import normalise_newlines

START = "\x1b[200~"
END = "\x1b[201~"


def _partial_tail(data: str, marker: str, shortest: int) -> int:
    """How many characters at the end of `data` could begin `marker`."""
    for size in range(min(len(marker) - 1, len(data)), shortest - 1, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class PasteParser(XTermParser):
    """XTermParser, except that a bracketed paste arrives as one exact Paste."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasted: list[str] | None = None  # inside a paste: what came so far
        self._held = ""  # the start of a marker split across two reads

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input: a paste cut short is still delivered
            if self._pasted is not None:
                yield events.Paste("".join(self._pasted) + self._held)
                self._pasted, self._held = None, ""
            yield from super().feed(data)
            return
        data, self._held = self._held + data, ""
        while data:
            if self._pasted is not None:
                end = data.find(END)
                if end < 0:
                    keep = _partial_tail(data, END, 1)
                    self._pasted.append(data[: len(data) - keep])
                    self._held = data[len(data) - keep :]
                    return
                self._pasted.append(data[:end])
                data = data[end + len(END) :]
                yield events.Paste("".join(self._pasted))
                self._pasted = None
            else:
                start = data.find(START)
                if start < 0:
                    # "\x1b[2" may be a paste's start cut by the read; a lone
                    # ESC or "\x1b[" (escape, alt+[) goes on at once
                    keep = _partial_tail(data, START, 3)
                    yield from super().feed(data[: len(data) - keep])
                    self._held = data[len(data) - keep :]
                    return
                if start:
                    yield from super().feed(data[:start])
                self._pasted = []
                data = data[start + len(START) :]


class LineInput(Input):
    """A one-line field that keeps every line of a paste, joined by spaces.

    Textual's Input keeps a paste's first line and drops the rest unseen.
    """

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler (run after ours) keeps only line one
        if event.text:
            lines = normalise_newlines(event.text).strip("\n").split("\n")
            text = " ".join(line.strip() for line in lines)
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *sorted(self.selection))


def install() -> None:
    """Make the terminal driver read input with PasteParser (call before App.run)."""
    from textual.drivers import linux_driver

    # private: the driver builds its parser from this module-level name; no
    # public API to pass another in Textual 8.2.8; pinned textual==8.2.8
    setattr(linux_driver, "XTermParser", PasteParser)  # noqa: B010 (not re-exported there)
