"""Shared bits of the modal forms: a titled dialog that saves with ctrl+s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from pmtui.widgets import KeyFooter

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
    """A dialog that returns its values on ctrl+s (or Save) and None on escape.

    With `submit` set, Save hands the values to it and the form closes only
    when it accepts them; a refusal is shown in the form (`show_error`), with
    every edit still in place. Escape asks before it throws edits away.
    """

    FOCUS = "#text"  # the field that has the focus when the form opens
    # focused in on_mount, once no field selects all its text on focus (the
    # next key replaced it); the app holds keys typed meanwhile until then
    AUTO_FOCUS = None

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    submit: Callable[[T], bool] | None = None

    def values(self) -> T | None:  # pragma: no cover - each form defines it
        raise NotImplementedError

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.select_on_focus = False  # a key typed after tab must not replace the field
        self.set_focus(self.query_one(self.FOCUS))
        self._start = self._fields()
        self.mount(KeyFooter())  # this dialog's keys, not the screen's below

    def _fields(self) -> list[object]:
        """What the fields hold, to tell whether anything was edited."""
        shown: list[object] = []
        for widget in self.query("Input, TextArea, Select"):
            if isinstance(widget, Input):
                shown.append(widget.value)
            elif isinstance(widget, TextArea):
                shown.append(widget.text)
            elif isinstance(widget, Select):
                shown.append(widget.value)
        return shown

    @property
    def edited(self) -> bool:
        return self._fields() != self._start

    def show_error(self, problem: str) -> None:
        self.query_one("#error", Static).update(problem)

    def on_input_submitted(self) -> None:
        """Enter in a one-line field saves the form."""
        self.action_save()

    def action_save(self) -> None:
        result = self.values()
        if result is None:
            return
        if self.submit is None or self.submit(result):
            self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.edited:
            self.dismiss(None)
            return
        from pmtui.screens.dialogs import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard your edits? esc discards them; any other key goes back (and is typed)",
                "Discard",
                "Keep editing",
            ),
            answered,
        )

    def on_button_pressed(self, event: Any) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
