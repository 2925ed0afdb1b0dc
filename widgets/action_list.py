"""The action items pane: done/open, kind, owner and due date."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pmtui.core.model import ActionItem, Incident
from pmtui.core.text import shown
from pmtui.widgets.pane import PaneAction


def action_label(item: ActionItem) -> Text:
    text = Text()
    text.append("☑ " if item.done else "☐ ", style="green" if item.done else "bold")
    text.append(shown(item.text), style="dim strike" if item.done else "")
    details = [item.kind.value]
    if item.owner:
        details.append("@" + shown(item.owner, 100))
    if item.due:
        details.append(f"due {item.due.isoformat()}")
    text.append("\n  " + " · ".join(details), style="dim")
    return text


class ActionVerb(StrEnum):
    ADD = "add"
    TOGGLE = "toggle"
    EDIT = "edit"
    DELETE = "delete"


ACTION_ACTIONS = (
    PaneAction(ActionVerb.ADD, "ctrl+a", "Add", "Add action item", "Add an action item"),
    PaneAction(
        ActionVerb.TOGGLE,
        "ctrl+d",
        "Done/open",
        "Toggle action done",
        "Mark the action done, or open again",
    ),
    PaneAction(
        ActionVerb.EDIT,
        "enter",
        "Edit",
        "Edit action item",
        "Edit text, owner, due date and kind",
    ),
    PaneAction(
        ActionVerb.DELETE,
        "delete",
        "Delete",
        "Delete action item",
        "Delete the action item (ctrl+z undoes)",
        key_display="del",
    ),
)


class ActionList(OptionList):
    """Action items; keys ask the app to change them."""

    HELP = "Actions: ctrl+a adds, ctrl+d toggles done, enter edits, del deletes."
    # no printable key: text typed here goes to the entry bar
    BINDINGS = [action.binding("actions") for action in ACTION_ACTIONS]
    DEFAULT_CSS = """
    ActionList { height: 1fr; border: none; padding: 0; }
    """

    @dataclass
    class Requested(Message):
        """The IC asked to `verb` an action item (none to add one)."""

        verb: ActionVerb
        action_id: str | None

    def __init__(self, incident: Incident, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.incident = incident

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        keep = self.highlighted
        self.clear_options()
        if self.incident.actions:
            self.add_options([Option(action_label(i), id=i.id) for i in self.incident.actions])
            last = len(self.incident.actions) - 1
            self.highlighted = min(keep, last) if keep is not None else 0
        else:
            self.add_option(
                Option(
                    Text("No action items yet: type /action, or ctrl+a here", style="dim italic"),
                    disabled=True,
                )
            )

    @property
    def current_id(self) -> str | None:
        if self.highlighted is None or not self.incident.actions:
            return None
        return self.get_option_at_index(self.highlighted).id

    def action_request(self, verb: str) -> None:
        action_id = self.current_id
        if verb == ActionVerb.ADD or action_id is not None:
            self.post_message(self.Requested(ActionVerb(verb), action_id))
