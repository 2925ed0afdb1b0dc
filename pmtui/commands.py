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
    SlashCommand("action", "TEXT [@owner]", "add a corrective action item"),
    SlashCommand("prevent", "TEXT [@owner]", "add a preventive action item"),
    SlashCommand("decision", "TEXT", "log a decision"),
    SlashCommand("comms", "TEXT", "log a communication (status page, customers)"),
    SlashCommand("detect", "TEXT", "log how or where the problem was detected"),
    SlashCommand("sev", "N", "set the severity, 1 (worst) to 4"),
    SlashCommand("title", "TEXT", "rename the incident"),
    SlashCommand("ic", "NAME", "set the incident commander"),
)
BY_NAME = {command.name: command for command in SLASH_COMMANDS}
_OWNER = re.compile(r"\s@(?P<owner>\S+)\s*$")


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


def matching(prefix: str) -> list[SlashCommand]:
    """Commands whose name starts with what follows the slash."""
    if not prefix.startswith("/") or " " in prefix:
        return []
    word = prefix[1:].lower()
    return [command for command in SLASH_COMMANDS if command.name.startswith(word)]
