"""The app's commands, declared once: key bindings, footer, palette and help use them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode

from pmtui.model import Status
from widgets import ActionList, TimelineView


@dataclass(frozen=True)
class Command:
    key: str
    action: str
    label: str
    help: str
    show: bool = True


COMMANDS = (
    Command("ctrl+t", "stamp", "Marker", "Drop a marker entry at this very second"),
    Command(
        "ctrl+z", "undo", "Undo", "Undo the typing in a field, else the last change (a delete…)"
    ),
    Command("ctrl+y", "redo", "Redo", "Redo what ctrl+z undid"),
    Command(
        "ctrl+s", "summary", "Summary", "Edit title, severity, IC, summary, impact, root cause"
    ),
    Command("ctrl+e", "preview", "Export", "Export now and preview the Markdown postmortem"),
    Command("f1", "help", "Help", "Show every key and slash command"),
    Command("ctrl+q", "quit", "Quit", "Save, write the postmortem beside the file, and quit"),
)
STATUS_COMMANDS = (
    ("Mark mitigated", "Impact has stopped", Status.MITIGATED),
    ("Mark resolved", "Fixed for good", Status.RESOLVED),
    ("Re-open (detected)", "The impact is back", Status.DETECTED),
)


def app_bindings() -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    # ctrl keys act even inside dialogs' inputs, except quit
    return [
        Binding(
            c.key,
            c.action,
            c.label,
            show=c.show,
            id=f"app.{c.action}",
            tooltip=c.help,
            priority=c.key.startswith("ctrl+") and c.key != "ctrl+q",
        )
        for c in COMMANDS
    ]


def _bindings(declared: Iterable[object]) -> list[Binding]:
    return [b for b in declared if isinstance(b, Binding)]


def help_sections(declared: Iterable[object]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every key, by where it works: (section, [(keys, what they do)])."""

    def rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
        out: dict[str, str] = {}
        for binding in bindings:
            keys = binding.key_display or binding.key.replace("question_mark", "?")
            what = binding.tooltip or binding.description
            if what and keys not in out:
                out[keys] = what
        return list(out.items())

    return [
        (
            "Anywhere",
            [
                *rows(_bindings(declared)),
                ("tab / shift+tab", "move between panes"),
                ("ctrl+p", "command palette: every action by name"),
            ],
        ),
        ("Timeline pane", rows(_bindings(TimelineView.BINDINGS))),
        ("Action items pane", rows(_bindings(ActionList.BINDINGS))),
    ]


def main_screen_commands(
    app: Any, screen: DOMNode, set_status: Callable[[str], None]
) -> Iterator[SystemCommand]:
    """The palette's commands on the main screen: every app action, by name."""
    for command in COMMANDS:
        if command.show:
            action = getattr(app, f"action_{command.action}")
            yield SystemCommand(command.label, f"{command.help} ({command.key})", action)
    for title, help_text, status in STATUS_COMMANDS:
        yield SystemCommand(title, help_text, lambda s=status: set_status(s.value))
    timeline, actions = screen.query_one(TimelineView), screen.query_one(ActionList)
    for verb, title in (
        ("edit", "Edit entry"),
        ("delete", "Delete entry"),
        ("to_action", "Entry to action item"),
    ):
        yield SystemCommand(
            title, "The selected timeline entry", lambda v=verb: timeline.action_request(v)
        )
    for verb, title in (
        ("add", "Add action item"),
        ("toggle", "Toggle action done"),
        ("edit", "Edit action item"),
        ("delete", "Delete action item"),
    ):
        yield SystemCommand(
            title, "The selected action item", lambda v=verb: actions.action_request(v)
        )
