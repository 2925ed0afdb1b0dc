"""Small dialogs: help, the postmortem preview, the title prompt, a confirmation."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown, Static, TextArea

from pmtui.core.commands import SLASH_COMMANDS
from pmtui.widgets import KeyFooter
from pmtui.widgets.paste import LineInput

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 90%; max-width: 110; height: auto; max-height: 95%;
    border: thick $accent; background: $surface; padding: 0 1; }}
"""


class HelpScreen(ModalScreen[None]):
    """Every key and slash command, built from the bindings themselves."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="HelpScreen")
        + "HelpScreen VerticalScroll { height: auto; max-height: 40; }"
    )
    # only keys nobody types: text typed over the help goes to the entry bar
    BINDINGS = [Binding("escape,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def rows(self) -> list[tuple[str, str]]:
        """Every line of help: (keys, what they do); a heading has no keys."""
        out: list[tuple[str, str]] = []
        for title, rows in self.sections:
            out += [("", title), *rows]
        out += [
            ("", "Entry bar"),
            ("Enter", "log the text; its time is when you started typing"),
            ("19:39 … / 7:39 PM … / -5m …", "backdate: the time is taken off the text"),
            ("TODO … [@owner] [due:fri]", "log it and add it as an action item"),
            ("↑ (bar empty)", "edit the entry you logged last: enter saves, esc cancels"),
            ("ctrl+z / ctrl+y", "in a field with text: undo / redo the typing"),
            ("any text in a pane", "goes to the entry bar: panes bind no printable key"),
        ]
        out += [(f"/{c.name} {c.args}", c.help) for c in SLASH_COMMANDS]
        return out

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for index, (keys, what) in enumerate(self.rows()):
            if keys:
                table.add_row(keys, what)
            else:
                if index:
                    table.add_row("", "")
                table.add_row(Text(what, style="bold underline"), "")
        with Vertical() as box:
            box.border_title = "pmtui help · esc closes · typing goes to the entry bar"
            with VerticalScroll():
                yield Static(table)

    def on_mount(self) -> None:
        self.mount(KeyFooter())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class PreviewScreen(ModalScreen[None]):
    """The postmortem as it will be written."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="PreviewScreen") + "PreviewScreen > Vertical { height: 95%; }"
    )
    # only keys nobody types: text typed over the preview goes to the entry bar
    BINDINGS = [Binding("escape", "close", "Close", id="preview.close")]

    def __init__(self, markdown: str, note: str) -> None:
        super().__init__()
        self.markdown = markdown
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Postmortem preview · esc closes · typing goes to the entry bar"
            box.border_subtitle = self.note
            with VerticalScroll():
                yield Markdown(self.markdown)

    def on_mount(self) -> None:
        self.mount(KeyFooter())

    def action_close(self) -> None:
        self.dismiss(None)


class TitlePrompt(ModalScreen[str | None]):
    """Asks what is broken before a new incident is created."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="TitlePrompt")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="title.cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New incident"
            yield Label(f"What is broken? (saved to {self.where}; esc quits without creating it)")
            yield LineInput(placeholder="e.g. Checkout returns 500 for every user", id="title")

    def on_mount(self) -> None:
        self.mount(KeyFooter())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    @property
    def typed(self) -> str:
        """The title typed so far."""
        return self.query_one("#title", Input).value.strip()

    def action_cancel(self) -> None:
        if not self.typed:
            self.dismiss(None)
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Quit without creating the incident? esc quits; any other key goes back",
                "Quit",
                "Back to the title",
            ),
            answered,
        )


class ConfirmScreen(ModalScreen[bool]):
    """'Throw this away?': esc again says yes; any other key says no and goes back.

    It opens under a hurried IC's fingers (esc, then on typing): a letter must
    not answer it, and must not be lost. A printable key goes back to the
    field below and is typed there; only a second esc (or the button) discards.
    """

    AUTO_FOCUS = ""  # no button under the cursor: enter must not press "yes"
    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="ConfirmScreen") + "ConfirmScreen Horizontal { height: auto; }"
    )
    BINDINGS = [
        Binding("escape", "answer(True)", "Yes", id="confirm.yes"),
        Binding("enter", "answer(False)", "No, go back", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Horizontal(
                Button(f"esc {self.yes}", id="yes", variant="error"),
                Button(f"any other key: {self.no}", id="no"),
            )

    def on_mount(self) -> None:
        self.mount(KeyFooter())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        if not self._answered:  # a second key of the same burst finds it gone
            self._answered = True
            self.dismiss(answer)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("escape", "enter", "tab", "shift+tab"):
            return  # the bindings (and focus moves for the buttons)
        event.stop()
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        field = below.focused if below is not None else None
        self.action_answer(False)
        if event.is_printable and event.character and field is not None:
            if isinstance(field, Input):
                field.insert_text_at_cursor(event.character)
            elif isinstance(field, TextArea):
                field.insert(event.character)


class ChoiceScreen(ModalScreen[str]):
    """A question with a few answers, each on ctrl+its letter; escape gives the first.

    It can open while the IC is typing (a file changed on disk): no printable
    key answers it, and what they type meanwhile goes on into the entry bar
    underneath, so a line that starts with a choice's letter neither decides
    nor is lost.
    """

    AUTO_FOCUS = ""  # no button under the cursor: an Enter typed in prose presses nothing
    DEFAULT_CSS = _DIALOG_CSS.format(name="ChoiceScreen") + (
        "ChoiceScreen Horizontal { height: auto; margin-top: 1; }"
        "ChoiceScreen Button { margin-right: 2; }"
    )

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "pmtui needs a decision · what you type goes on into the entry bar"
            yield Static(self.question, markup=False)
            yield Horizontal(
                *(
                    Button(f"ctrl+{key} {label}", id=f"choice-{key}", compact=True)
                    for key, label in self.choices
                )
            )

    def _answer(self, key: str) -> None:
        if not self._answered:  # a second key of the same burst finds it gone
            self._answered = True
            self.dismiss(key)

    def _to_the_bar(self, text: str) -> None:
        main = getattr(self.app, "main", None)
        bar = main.query_one("#entry", Input) if main is not None else None
        if bar is not None:
            bar.insert_text_at_cursor(text)

    def on_key(self, event: events.Key) -> None:
        keys = [key for key, _ in self.choices]
        if event.key.startswith("ctrl+") and event.key.removeprefix("ctrl+") in keys:
            event.stop()
            self._answer(event.key.removeprefix("ctrl+"))
        elif event.key == "escape":
            event.stop()
            self._answer(keys[0])
        elif event.is_printable and event.character:
            event.stop()
            self._to_the_bar(event.character)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self._to_the_bar(event.text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._answer(str(event.button.id).removeprefix("choice-"))


class RescuePrompt(ModalScreen[str | None]):
    """The incident file cannot be written: ask where else to put it."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="RescuePrompt")
    BINDINGS = [Binding("escape", "cancel", "Back to pmtui", id="rescue.cancel")]

    def __init__(self, problem: str, suggestion: str) -> None:
        super().__init__()
        self.problem, self.suggestion = problem, suggestion

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Unsaved changes"
            yield Static(
                f"{self.problem}\nWrite the incident to another file, then quit? "
                "Enter writes it; esc goes back to pmtui (it keeps retrying)."
            )
            yield LineInput(self.suggestion, id="rescue")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
