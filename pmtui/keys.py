"""The app's commands, declared once (key bindings, footer, palette and help use
them), and where typed keys are routed (KeyRouting, the app's base)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import App, ReturnType, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input

from pmtui.core.model import Status
from pmtui.widgets import ActionList, EntryBar, FieldUndo, TimelineView
from pmtui.widgets.action_list import ACTION_ACTIONS
from pmtui.widgets.timeline import ENTRY_ACTIONS


@dataclass(frozen=True)
class AppKey:
    """A key that works anywhere (footer, palette, help). A "command" in pmtui is
    a slash command typed in the bar (pmtui.core.commands); pane keys are
    PaneActions (pmtui.widgets.pane)."""

    key: str
    action: str
    label: str
    help: str
    show: bool = True


APP_KEYS = (
    AppKey("ctrl+t", "stamp", "Marker", "Drop a marker entry at this very second"),
    AppKey(
        "ctrl+z", "undo", "Undo", "Undo the typing in a field, else the last change (a delete…)"
    ),
    AppKey("ctrl+y", "redo", "Redo", "Redo what ctrl+z undid"),
    AppKey(
        "ctrl+s",
        "summary",
        "Summary",
        "Edit the title, severity, IC and every section of the postmortem",
    ),
    AppKey("ctrl+e", "preview", "Export", "Export now and preview the Markdown postmortem"),
    AppKey("ctrl+o", "update", "Update", "Draft a stakeholder update (ctrl+s in it sends it out)"),
    AppKey("ctrl+f", "filter", "Filter", "Search and filter the timeline by text, kind, author"),
    AppKey("f1", "help", "Help", "Show every key and slash command"),
    AppKey("ctrl+q", "quit", "Quit", "Save, write the postmortem beside the file, and quit"),
)
STATUS_CHANGES = (
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
        for c in APP_KEYS
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
    for command in APP_KEYS:
        if command.show:
            action = getattr(app, f"action_{command.action}")
            yield SystemCommand(command.label, f"{command.help} ({command.key})", action)
    for title, help_text, status in STATUS_CHANGES:
        yield SystemCommand(title, help_text, lambda s=status: set_status(s.value))
    timeline, actions = screen.query_one(TimelineView), screen.query_one(ActionList)
    for pane, declared, what in (
        (timeline, ENTRY_ACTIONS, "The selected timeline entry"),
        (actions, ACTION_ACTIONS, "The selected action item"),
    ):
        for pane_action in declared:
            yield SystemCommand(
                pane_action.title,
                f"{what} ({pane_action.key_display or pane_action.key})",
                lambda p=pane, v=pane_action.verb: p.action_request(v),
            )


class KeyRouting(App[ReturnType]):
    """Where typed keys go: in the order they were typed, and never lost.

    The app's own queue sees every key first. Keys typed while a screen is
    being shown are held until it has focus; text typed in a pane goes to
    the entry bar; tab, and a widget's own editing keys, act in order.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fields = FieldUndo()  # ctrl+z / ctrl+y in text fields
        # keys typed while pmtui starts, before any widget has focus: Textual
        # gives them to the screen, which drops them. Held until something
        # takes focus, then handled in the order they were typed.
        self._early_keys: list[events.Key | events.Paste] | None = []

    @property
    def main(self) -> Screen[Any] | None:  # pragma: no cover - the app defines it
        raise NotImplementedError

    def edit_last(self) -> None:  # pragma: no cover - the app defines it
        raise NotImplementedError

    def _bar_is_empty(self) -> bool:
        focused = self.focused
        return isinstance(focused, Input) and focused.id == "entry" and not focused.value

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste):
            if self._early_keys is not None:
                self._early_keys.append(event)
                return
            if not event.is_forwarded and self._route(event):
                return
        await super().on_event(event)

    def _route(self, key: events.Key | events.Paste) -> bool:
        """Keys that must act in the app's own queue, in order; True when handled here.

        Textual hands a key to the focused widget's queue and runs a
        screen's bindings (tab) only when the key bubbles back: a key typed
        right after tab went to the field tab was leaving. Focus moves here,
        before the next key is handed on.
        """
        if isinstance(key, events.Key) and key.key in ("tab", "shift+tab"):
            return self._tab(key.key == "tab")
        if isinstance(key, events.Key) and key.key == "up" and self._bar_is_empty():
            self.edit_last()  # the shell's habit: fix the entry just logged
            return True
        screen = self.screen
        if screen is self.main and not isinstance(self.focused, Input):
            typed = self._type_into_the_bar(key)  # a pane, or nothing, has the focus
        elif type(screen).__name__ in ("PreviewScreen", "HelpScreen"):
            typed = self._type_past_a_page(key)
        else:
            typed = False
        return typed or (isinstance(key, events.Key) and self._own_key_in_order(key))

    def _own_key_in_order(self, key: events.Key) -> bool:
        """Run the focused widget's own binding (left, backspace…) in its queue.

        Textual runs a widget's bindings when the key has bubbled back up to
        the app, while a letter is inserted as soon as the widget reads it: in
        a burst ("teh", backspace, backspace, "he"), letters overtook the
        backspaces and the text came out mangled. Queued as a call on the
        widget, the action runs in the order the keys were typed.
        """
        focused = self.focused
        active = self.screen.active_bindings.get(key.key)
        if focused is None or active is None or active.node is not focused or not active.enabled:
            return False
        if isinstance(focused, Input) and key.key in ("enter", "ctrl+j"):
            return False  # the entry bar takes Enter in its own key handler
        focused.call_later(focused.run_action, active.binding.action)
        return True

    def _tab(self, forward: bool) -> bool:
        if getattr(self.focused, "tab_behavior", None) == "indent":
            return False  # a TextArea that types its tabs
        if forward:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()
        return True

    def _type_into_the_bar(self, key: events.Key | events.Paste) -> bool:
        """Text typed in a pane goes to the entry bar, first key included.

        The IC tabs to the timeline to read, then types the next update. The
        panes bind no printable key, so no letter can change the incident.
        """
        if isinstance(key, events.Key) and not key.is_printable:
            return False
        bar = self.screen.query_one(EntryBar).input
        self.screen.set_focus(bar)
        if isinstance(key, events.Key) and key.character is not None:
            bar.insert_text_at_cursor(key.character)
            return True
        return False  # a paste: handed on to the bar, which now has the focus

    def _type_past_a_page(self, key: events.Key | events.Paste) -> bool:
        """Typing over the help or the preview closes it and goes to the entry bar."""
        if isinstance(key, events.Key) and not key.is_printable:
            return False
        main = self.main
        if main is None or self.screen_stack[-2] is not main:
            return False
        self.pop_screen()
        bar = main.query_one(EntryBar).input
        main.set_focus(bar)
        if isinstance(key, events.Key) and key.character is not None:
            bar.insert_text_at_cursor(key.character)
            return True
        return False  # a paste: handed on to the bar, which now has the focus

    async def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.fields.focused(event.widget)
        await self._release_early_keys()

    async def _release_early_keys(self) -> None:
        early, self._early_keys = self._early_keys, None
        for key in early or ():
            if not self._route(key):
                await super().on_event(key)

    async def _release_when_focused(self, tries: int) -> None:
        """Hand the held keys on once the new screen has focused its field."""
        if self.screen.focused is None and tries > 0:
            self.call_after_refresh(self._release_when_focused, tries - 1)
        else:
            await self._release_early_keys()

    def push_screen(  # type: ignore[override, unused-ignore]
        self,
        screen: Screen[Any] | str,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """Show a screen, holding the keys typed meanwhile until it has focus.

        A dialog focuses its field a few messages after it is pushed; keys in
        between went to the screen below (or to none) and were lost.
        """
        if self._early_keys is None:
            self._early_keys = []
            self.call_after_refresh(self._release_when_focused, 20)
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload]
