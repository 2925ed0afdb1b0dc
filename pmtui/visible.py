"""How typed text is shown: control characters as visible pictures, blocks as one line.

What the IC typed or pasted is stored exactly; only its display changes. A
stray escape byte must not drive the terminal, and a pasted stack trace must
not push the rest of the timeline off screen.
"""

from __future__ import annotations

# C0 controls and DEL as their Unicode "control pictures" (one cell each);
# a line break as ⏎
_PICTURES = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421, 0x0A: 0x23CE}
_KEEP_LINES = {c: p for c, p in _PICTURES.items() if c != 0x0A}


def visible(text: str) -> str:
    """`text` on one line, every control character (line breaks too) as its picture."""
    return text.translate(_PICTURES)


def visible_lines(text: str) -> str:
    """`text` with its line breaks kept and every other control character shown."""
    return text.translate(_KEEP_LINES)


def summary_parts(text: str) -> tuple[str, str]:
    """A block's first line and how many more: ('Traceback ...', '  (+12 lines)')."""
    first, newline, rest = text.partition("\n")
    if not newline:
        return visible(text), ""
    more = rest.count("\n") + 1
    return visible(first), f"  (+{more} {'line' if more == 1 else 'lines'})"


def summary_line(text: str, width: int | None = None) -> str:
    """`summary_parts` in one line; within `width` cells, the count is what stays."""
    first, more = summary_parts(text)
    if more and width is not None and len(first) + len(more) > width:
        first = first[: max(width - len(more) - 1, 0)] + "…"
    return first + more


def normalise_newlines(text: str) -> str:
    """A paste's line ends as "\\n": terminals send a pasted line break as "\\r"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
