"""Slash commands typed in the entry bar: one table drives parsing, completion and help."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SlashCommand:
    name: str  # without the slash
    args: str  # how the arguments are written, for help and hints
    help: str


SLASH_COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("mitigated", "[NOTE]", "mark the incident mitigated (impact stopped)"),
    SlashCommand("resolved", "[NOTE]", "mark the incident resolved (fixed for good)"),
    SlashCommand("detected", "[NOTE]", "re-open: the impact is back"),
    SlashCommand(
        "action",
        "TEXT [@owner] [due:fri] [ticket:URL]",
        "add a corrective action item (due: fri, +3d, dec 1, 2026-12-01)",
    ),
    SlashCommand(
        "prevent",
        "TEXT [@owner] [due:fri] [ticket:URL]",
        "add a preventive action item (due: as for /action)",
    ),
    SlashCommand("decision", "TEXT", "log a decision"),
    SlashCommand("comms", "TEXT", "log a communication (status page, customers)"),
    SlashCommand("detect", "TEXT", "log how or where the problem was detected"),
    SlashCommand("sev", "N", "set the severity, 1 (worst) to 4"),
    SlashCommand("title", "TEXT", "rename the incident"),
    SlashCommand("ic", "NAME", "set the incident commander"),
)
BY_NAME = {command.name: command for command in SLASH_COMMANDS}
_OWNER = re.compile(r"\s@(?P<owner>\S+)\s*$")
# "due:" then one word, or a month and a day ("due:dec 1"), at the very end:
# a plain "due" or "by" in a sentence is never taken for a date
_DUE = re.compile(r"(?:^|\s)due:\s*(?P<when>[^\s@]+(?:\s+\d{1,2}(?:st|nd|rd|th)?)?)\s*$", re.I)
# "ticket:" then one word (a URL, or a key such as OPS-123) anywhere in the line
_TICKET = re.compile(r"(?:^|\s)ticket:(?P<ticket>\S+)(?=\s|$)", re.I)
_TODO = re.compile(r"^TODO(?:$|[ :])", re.I)


@dataclass(frozen=True)
class Parsed:
    name: str
    argument: str


def parse_slash(text: str) -> Parsed | None:
    """'/action Fix it @db' -> Parsed('action', 'Fix it @db'); None if not a command."""
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    return Parsed(head.lower(), rest.strip())


def split_owner(text: str) -> tuple[str, str | None]:
    """'Add caps @db-team' -> ('Add caps', 'db-team')."""
    match = _OWNER.search(" " + text)
    if not match:
        return text.strip(), None
    return (" " + text)[: match.start()].strip(), match["owner"]


def split_action(text: str) -> tuple[str, str | None, str | None]:
    """'Add caps @db due:fri' -> ('Add caps', 'db', 'fri'); owner and due in either order."""
    owner = due = None
    for _ in range(2):
        match = _DUE.search(text)
        if due is None and match:
            due, text = match["when"], text[: match.start()]
            continue
        if owner is None:
            text, owner = split_owner(text)
    return text.strip(), owner, due


def split_ticket(text: str) -> tuple[str, str | None]:
    """'Add caps ticket:OPS-7 @db' -> ('Add caps @db', 'OPS-7'); the last one wins."""
    found = list(_TICKET.finditer(text))
    if not found:
        return text, None
    for match in reversed(found):
        text = text[: match.start()] + text[match.end() :]
    return " ".join(text.split()), found[-1]["ticket"]


def todo_text(text: str) -> str | None:
    """'TODO: page the DBA @ana' -> 'page the DBA @ana'; None when it is no TODO."""
    if not _TODO.match(text):
        return None
    return text[4:].lstrip(" :").strip() or None


def matching(prefix: str) -> list[SlashCommand]:
    """Commands whose name starts with what follows the slash."""
    if not prefix.startswith("/") or " " in prefix:
        return []
    word = prefix[1:].lower()
    return [command for command in SLASH_COMMANDS if command.name.startswith(word)]
