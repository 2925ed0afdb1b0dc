"""The stakeholder update draft (ctrl+o, /update) and the handover brief.

The update is the IC's to edit; ctrl+s sends it: logged whole as a comms
entry (the cadence clock restarts), copied to the clipboard with OSC 52,
written beside the incident (the clipboard may not reach over SSH, tmux or
macOS Terminal: the toast says where the text is), and appended to a file or
piped to a command when the IC configured one. The brief is read-only;
ctrl+s copies it the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static, TextArea

from pmtui.core import updates
from pmtui.core.model import Incident, UpdateSettings
from pmtui.core.session import Change, Session
from pmtui.core.templating import TemplateProblem
from pmtui.screens.forms import Form, form_css


class UpdateHost(Protocol):
    """What the flow needs of the app (pmtui.app.PmtuiApp has all of it)."""

    clock: Callable[[], datetime]
    update_command: str | None

    @property
    def incident(self) -> Incident | None: ...

    @property
    def session(self) -> Session | None: ...

    @property
    def path(self) -> Path | None: ...

    def apply(
        self, intent: Callable[[], Change], on_error: Callable[[str], None] | None = None
    ) -> Change | None: ...


class TextScreen(Form[str]):
    """A titled text in a TextArea: ctrl+s hands it on; esc closes."""

    DEFAULT_CSS = (
        form_css("TextScreen")
        + """
    TextScreen > Vertical { height: 95%; }
    TextScreen TextArea { height: 1fr; }
    TextScreen .hint { color: $text-muted; }
    """
    )

    def __init__(self, text: str, title: str, hint: str, read_only: bool = False) -> None:
        super().__init__()
        self.text, self.heading, self.hint, self.read_only = text, title, hint, read_only

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.heading
            yield Label(self.hint, classes="hint")
            yield TextArea(self.text, id="text", read_only=self.read_only, soft_wrap=True)
            yield Static(id="error", classes="error")

    def values(self) -> str | None:
        text = self.query_one("#text", TextArea).text
        if not text.strip():
            self.show_error("The text is empty: nothing to send (esc closes)")
            return None
        return text


class UpdateScreen(TextScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Send", id="update.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="update.cancel"),
    ]


class BriefScreen(TextScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Copy", id="brief.copy", priority=True),
        Binding("escape", "cancel", "Close", id="brief.close"),
    ]


def _where_it_went(app: App[Any], path: Path | None, text: str, kind: str = "update") -> str:
    """Copy with OSC 52 and write the fallback file; one line saying both."""
    app.copy_to_clipboard(text)
    if path is None:
        return "copied to the clipboard (OSC 52)"
    fallback = updates.write_fallback(path, text, kind)
    return f"copied to the clipboard (OSC 52; if your terminal ignores it, {fallback})"


def _deliver(app: App[Any], host: UpdateHost, text: str, settings: UpdateSettings) -> None:
    """Append to the configured file and pipe to the configured command, off the UI thread."""
    path, command = host.path, host.update_command or settings.command
    target = settings.file
    if not (command or target):
        return
    now = host.clock()

    def run() -> None:
        lines: list[tuple[bool, str]] = []
        if target:
            where = Path(target).expanduser()
            if not where.is_absolute() and path is not None:
                where = path.parent / where
            said = updates.append_to(where, text, now)
            lines.append((said.startswith("appended"), said))
        if command:
            lines.append(updates.pipe_to(command, text, path.parent if path else None))
        for ok, line in lines:
            severity = "information" if ok else "error"
            app.call_from_thread(app.notify, line, severity=severity, timeout=8 if ok else 15)

    app.run_worker(run, thread=True, group="update-delivery")


def open_update(app: App[Any], host: UpdateHost) -> None:
    """Draft an update from the incident and show it; ctrl+s sends it."""
    incident, session = host.incident, host.session
    assert incident is not None and session is not None
    try:
        text = updates.draft("update", incident, host.clock(), host.path)
    except TemplateProblem as error:
        app.notify(str(error), title="Update template", severity="error", timeout=15)
        return
    screen = UpdateScreen(
        text,
        "Stakeholder update · ctrl+s sends · esc cancels",
        "Edit freely. Sending logs it (comms), copies it and restarts the update clock.",
    )

    def send(typed: str) -> bool:
        change = host.apply(lambda: session.send_update(typed), screen.show_error)
        if change is None:
            return False
        went = _where_it_went(app, host.path, typed.strip() + "\n")
        app.notify(f"Update sent: logged as {change.added[0]}; {went}", timeout=10)
        _deliver(app, host, typed.strip() + "\n", incident.updates)
        return True

    screen.submit = send
    app.push_screen(screen)


def open_brief(app: App[Any], host: UpdateHost, outgoing: str | None) -> None:
    """Show the handover brief; ctrl+s copies it."""
    incident = host.incident
    assert incident is not None
    try:
        text = updates.draft("handover", incident, host.clock(), host.path, outgoing=outgoing or "")
    except TemplateProblem as error:
        app.notify(str(error), title="Handover template", severity="error", timeout=15)
        return
    screen = BriefScreen(
        text,
        "Handover brief · ctrl+s copies · esc closes",
        "For the incoming commander: read it out, or paste it in the incident channel.",
        read_only=True,
    )

    def copy(typed: str) -> bool:
        went = _where_it_went(app, host.path, typed, "handover")
        app.notify(f"Handover brief {went}", timeout=8)
        return True

    screen.submit = copy
    app.push_screen(screen)
