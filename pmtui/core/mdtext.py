"""User text made safe inside a Markdown postmortem.

Text the IC typed into titles, entries and action items is escaped so it
cannot add structure or HTML (`escape_inline`); the free-text sections are
the IC's own Markdown, passed through but kept from swallowing the sections
after them (`contain_block`); a URL becomes a link that no character of it
can break (`link`).
"""

from __future__ import annotations

import re

from pmtui.core.text import printable

# control characters (a pasted ESC) as their visible pictures; line breaks
# and tabs are layout
CONTROLS: dict[int, int] = {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}
CONTROLS[0x7F] = 0x2421
# HTML's three, then Markdown's inline specials behind a backslash; one
# C-speed pass (a regex substitution ran Python code for every entry)
_INLINE_ESCAPES = (
    str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~"}})
    | CONTROLS
)
_BACKTICKS = re.compile(r"`{3,}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# HTML blocks that a blank line does not end (CommonMark kinds 1 to 5)
_RAW_HTML = (
    (
        re.compile(r"^ {0,3}<(script|pre|style|textarea)(\s|>|$)", re.I),
        re.compile(r"</(script|pre|style|textarea)>", re.I),
    ),
    (re.compile(r"^ {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r"^ {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r"^ {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"^ {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)
# what a link may point at: the web, FTP, mail (never javascript: or data:)
_URL = re.compile(r"(?:https?://|ftp://|mailto:)\S+\Z", re.I)
# inside a link destination: a backslash before each character that could end
# it or be read as something else, percent-encoding for what cannot be escaped
_DESTINATION = str.maketrans(
    {c: "\\" + c for c in "\\()<>[]`|"}
    | {c: f"%{c:02X}" for c in (*range(33), 0x7F)}
    | {c: f"%{c:02X}" for c in range(0x80, 0xA0)}
)
_WEB = re.compile(r"^https?://", re.I)
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def escape_inline(text: str, *, heading: bool = False) -> str:
    """Make user text one line of literal Markdown: no structure, no HTML."""
    text = text.translate(_INLINE_ESCAPES)
    if heading:
        text = text.replace("#", r"\#")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "<br>".join(part.strip() for part in text.split("\n")).strip()


def contain_block(text: str) -> str:
    """Pass the IC's Markdown through, closing what would swallow what follows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match[1][0] == "`" and "`" in match[2]):
                fence = (match[1][0], len(match[1]))
                continue
            for start, end in _RAW_HTML:
                if start.match(line) and not any(end.search(rest) for rest in lines[index:]):
                    lines[index] = line.replace("<", "&lt;", 1)
                    break
        elif (
            match and match[1][0] == fence[0] and len(match[1]) >= fence[1] and not match[2].strip()
        ):
            fence = None
    if fence is not None:
        lines.append(fence[0] * fence[1])
    return "\n".join(lines)


def code_block(lines: list[str]) -> list[str]:
    """Lines as a code block indented under a list item.

    A fence longer than any run of backticks inside cannot be closed early;
    inside it nothing is Markdown or HTML, so the lines need no escaping.
    """
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return []
    body = [line.translate(CONTROLS).rstrip() for line in lines]
    longest = max((len(run) for line in body for run in _BACKTICKS.findall(line)), default=2)
    fence = "`" * (longest + 1)
    return [f"  {fence}", *(f"  {line}" if line else "" for line in body), f"  {fence}"]


def is_url(text: str) -> bool:
    """A web, FTP or mail address: what `link` makes a link of."""
    return _URL.match(text) is not None


def link(label: str, url: str) -> str:
    """`[label](url)` that neither may break; not a URL (OPS-123): the label, escaped."""
    if not is_url(url):
        return escape_inline(label)
    destination = _ENTITY_LIKE.sub(r"\\&", url.translate(_DESTINATION))
    if label == url:  # a bare address names itself, without the https://
        label = _WEB.sub("", url)
    return f"[{escape_inline(label) or escape_inline(url)}]({destination})"


def titled_link(line: str) -> str:
    """'Dashboard https://grafana/d/1' -> a link named Dashboard; a bare URL names
    itself; a line with no URL stays as (escaped) text."""
    label, _, last = line.strip().rpartition(" ")
    if is_url(last):
        return link(label.strip() or last, last)
    return escape_inline(line)


def no_control_bytes(markdown: str) -> str:
    """No byte below 0x20 but newline and tab, no DEL, no C1 control: a postmortem
    pasted into a terminal or a wiki carries no escape sequence. They are shown
    as their pictures (ESC as ␛); a Windows line end is just a line end."""
    return printable(markdown.replace("\r\n", "\n"))
