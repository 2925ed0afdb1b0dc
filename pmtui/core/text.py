"""Text from a file or another person, made safe to show and to export.

A title, a commander's name or an action item can hold anything a file can:
an escape sequence that clears the screen or sets the clipboard (OSC 52), a
BEL, a NUL. Drawn raw, a terminal obeys them. `visible` shows each control
character as its Unicode picture (ESC as ␛) instead; `shown` also cuts text
too long to be read on one screen (a 20 MB title took 21 s to paint), for
display only: the file keeps every byte. `printable` is the export's pass:
newline and tab stay, every other control character becomes its picture.
"""

from __future__ import annotations

import re

# C0 controls as their pictures (U+2400..), DEL as ␡, newline as ⏎; the C1
# controls (U+0080..U+009F, which some terminals obey as ESC sequences) as �
_PICTURES = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421}
_C1 = {c: 0xFFFD for c in range(0x80, 0xA0)}
# bidirectional embeddings, overrides and isolates: an entry holding U+202E
# shows (and exports) its text reversed, so what the IC reads is not what it
# says ("Trojan Source"); they become � too. Marks (LRM, RLM) and joiners stay.
_BIDI = {c: 0xFFFD for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_VISIBLE = _PICTURES | _C1 | _BIDI | {0x0A: 0x23CE}
_PRINTABLE = {c: p for c, p in (_PICTURES | _C1 | _BIDI).items() if c not in (0x09, 0x0A)}

_ANY_PRINTABLE_CHANGE = re.compile("[" + "".join(re.escape(chr(c)) for c in _PRINTABLE) + "]")

LONGEST = 2000  # characters of one text drawn; more than any screen shows


def visible(text: str) -> str:
    """`text` with every control character shown as a visible picture."""
    return text.translate(_VISIBLE)


def shown(text: str, longest: int = LONGEST) -> str:
    """`visible(text)`, cut to `longest` characters with a … when longer."""
    if len(text) > longest:
        return visible(text[: longest - 1]) + "…"
    return visible(text)


def printable(text: str) -> str:
    """`text` with no control character but newline and tab (an exported file).

    Most text holds none: a search at C speed decides, as translating a
    postmortem of 10,000 entries character by character cost ~40 ms."""
    if _ANY_PRINTABLE_CHANGE.search(text) is None:
        return text
    return text.translate(_PRINTABLE)


def visible_lines(text: str) -> str:
    """`text` with its line breaks kept and every other control character shown."""
    return text.translate(_LINES)


_LINES = {c: p for c, p in _VISIBLE.items() if c != 0x0A}


def summary_parts(text: str) -> tuple[str, str]:
    """A block's first line and how many more: ('Traceback ...', '  (+12 lines)')."""
    first, newline, rest = text.partition("\n")
    if not newline:
        return shown(text), ""
    more = rest.count("\n") + 1
    return shown(first), f"  (+{more:,} {'line' if more == 1 else 'lines'})"


def summary_line(text: str, width: int | None = None) -> str:
    """`summary_parts` in one line; within `width` cells, the count is what stays."""
    first, more = summary_parts(text)
    if more and width is not None and len(first) + len(more) > width:
        first = first[: max(width - len(more) - 1, 0)] + "…"
    return first + more


def normalise_newlines(text: str) -> str:
    """A paste's line ends as "\\n": terminals send a pasted line break as "\\r"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
