"""Read a postmortem back with markdown-it-py, the way a renderer would."""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = MarkdownIt("commonmark").enable("table")


@dataclass
class Parsed:
    headings: list[tuple[int, str]] = field(default_factory=list)
    timeline_items: list[str] = field(default_factory=list)
    tables: list[list[int]] = field(default_factory=list)  # cells per row, per table
    html: list[str] = field(default_factory=list)


def parse(markdown: str) -> Parsed:
    tokens = PARSER.parse(markdown)
    parsed = Parsed()
    section = ""
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[index + 1].content
            parsed.headings.append((int(token.tag[1]), text))
            section = text
        elif token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1 and section.startswith("Timeline"):
            parsed.timeline_items.append(_item_text(tokens, index))
        elif token.type == "table_open":
            parsed.tables.append([])
        elif token.type == "tr_open":
            parsed.tables[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            parsed.tables[-1][-1] += 1
        elif token.type in ("html_block", "html_inline"):
            parsed.html.append(token.content)
        if token.type == "inline":
            parsed.html += [c.content for c in token.children or [] if c.type == "html_inline"]
    return parsed


def _item_text(tokens: list[Token], start: int) -> str:
    for token in tokens[start:]:
        if token.type == "inline":
            return token.content
    return ""


SECTIONS = [
    "Issue summary",
    "Root cause",
    "Resolution and recovery",
    "Corrective and preventive measures",
    "Key metrics",
]
