"""Undo and redo of typing in a one-line field (Textual's Input has neither).

Each field keeps the values it had, a word at a time: ctrl+z takes back the
last word typed (or the last delete), ctrl+y puts it back. Pure data, so the
rules are tested without a terminal.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from textual.widgets import Input


class TypingHistory:
    """The values one field went through; a step per word, delete or paste."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.undo_stack: list[str] = []
        self.redo_stack: list[str] = []
        self._typing = False  # the last change was a character typed at the end

    def changed(self, value: str) -> None:
        """The field now holds `value` (typed, deleted, pasted or set)."""
        if value == self.value:
            return
        old = self.value
        typed = value[: len(old)] == old and len(value) == len(old) + 1
        starts_word = typed and not value[-1].isspace() and (not old or old[-1].isspace())
        if not (typed and self._typing) or starts_word:
            self.undo_stack.append(old)  # a new step: a new word, a delete, a paste
            del self.undo_stack[:-200]
        self._typing = typed
        self.value = value
        self.redo_stack.clear()

    def undo(self) -> str | None:
        """The value before the last step (and remember this one for redo)."""
        if not self.undo_stack:
            return None
        self.redo_stack.append(self.value)
        self.value = self.undo_stack.pop()
        self._typing = False
        return self.value

    def redo(self) -> str | None:
        if not self.redo_stack:
            return None
        self.undo_stack.append(self.value)
        self.value = self.redo_stack.pop()
        self._typing = False
        return self.value


class FieldUndo:
    """ctrl+z / ctrl+y inside text fields: typing is undone where it was typed.

    A TextArea has its own history; each Input gets a TypingHistory when it
    first takes the focus (before any key reaches it).
    """

    def __init__(self) -> None:
        self._fields: WeakKeyDictionary[Input, TypingHistory] = WeakKeyDictionary()

    def focused(self, widget: object) -> None:
        if isinstance(widget, Input) and widget not in self._fields:
            self._fields[widget] = TypingHistory(widget.value)

    def changed(self, field: Input, value: str) -> None:
        history = self._fields.get(field)
        if history is not None:
            history.changed(value)

    def step(self, widget: object, redo: bool) -> bool | None:
        """Undo (or redo) typing in `widget`: True if done, False if there was none.

        None leaves the key to the incident's undo: the widget is no text
        field, or an empty Input (in the emptied entry bar, ctrl+z undoes the
        last change), or a redo with no typing to redo. An Input that holds
        text never lets ctrl+z reach the incident.
        """
        from textual.widgets import TextArea  # loaded already where there is one

        if isinstance(widget, TextArea):
            before = widget.text
            widget.action_redo() if redo else widget.action_undo()
            return widget.text != before
        if not isinstance(widget, Input) or (not redo and not widget.value):
            return None
        history = self._fields.get(widget)
        value = None if history is None else history.redo() if redo else history.undo()
        if value is None:
            return None if redo else False
        widget.value = value
        widget.cursor_position = len(value)
        return True

    def forget_redo(self, widget: object) -> None:
        """An incident undo or redo happened: ctrl+y now redoes that, not typing."""
        history = self._fields.get(widget) if isinstance(widget, Input) else None
        if history is not None:
            history.redo_stack.clear()
