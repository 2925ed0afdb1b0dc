"""The action items pane: done/open, kind, owner and due date."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pmtui.core.model import ActionItem, Incident
from pmtui.core.text import shown


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


class ActionList(OptionList):
    """Action items; keys ask the app to change them."""

    HELP = "Actions: ctrl+a adds, ctrl+d toggles done, enter edits, del deletes."
    # no printable key: text typed here goes to the entry bar
    BINDINGS = [
        Binding("ctrl+a", "request('add')", "Add", id="actions.add", tooltip="Add an action item"),
        Binding(
            "ctrl+d",
            "request('toggle')",
            "Done/open",
            id="actions.toggle",
            tooltip="Mark the action done, or open again",
        ),
        Binding(
            "enter",
            "request('edit')",
            "Edit",
            id="actions.edit",
            tooltip="Edit text, owner, due date and kind",
        ),
        Binding(
            "delete",
            "request('delete')",
            "Delete",
            id="actions.delete",
            key_display="del",
            tooltip="Delete the action item (ctrl+z undoes)",
        ),
    ]
    DEFAULT_CSS = """
    ActionList { height: 1fr; border: none; padding: 0; }
    """

    @dataclass
    class Requested(Message):
        """The IC asked to `verb` (add, toggle, edit, delete) an action item."""

        verb: str
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
        if verb == "add" or action_id is not None:
            self.post_message(self.Requested(verb, action_id))
