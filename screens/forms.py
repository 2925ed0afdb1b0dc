"""Shared bits of the modal forms: a titled dialog that saves with ctrl+s."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

T = TypeVar("T")

_FORM_CSS = """
{name} { align: center middle; }
{name} > Vertical { width: 90%; max-width: 100; height: auto; max-height: 95%;
    border: thick $accent; background: $surface; padding: 0 1; }
{name} Label.field { margin-top: 1; color: $text-muted; }
{name} .buttons { height: auto; margin-top: 1; align-horizontal: right; }
{name} .buttons Button { margin-left: 1; }
{name} .error { color: $error; height: auto; }
"""


def form_css(name: str) -> str:
    """The dialog CSS, scoped to one form class."""
    return _FORM_CSS.replace("{name}", name)


class Form(ModalScreen[T]):
    """A dialog that returns its values on ctrl+s (or Save) and None on escape."""

    FOCUS = "#text"  # the field that has the focus when the form opens

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def values(self) -> T | None:  # pragma: no cover - each form defines it
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one(self.FOCUS).focus()

    def on_input_submitted(self) -> None:
        """Enter in a one-line field saves the form."""
        self.action_save()

    def action_save(self) -> None:
        result = self.values()
        if result is not None:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Any) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
