"""What keeps an incident safe when things go wrong around pmtui.

- quitting waits for the last save, and when it cannot save, offers to write
  the incident somewhere else instead of exiting silently;
- SIGTERM and SIGHUP (a closed terminal, a dropped SSH session) quit the
  same way, without asking: a file that cannot be saved goes to a rescue file;
- a file changed on disk by someone else is never clobbered: the IC keeps
  their version (the other is saved beside it) or reloads the other one
  (theirs is saved beside it).
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.errors import PmtuiError
from pmtui.export import export_markdown
from pmtui.saver import Saver, SaveResult
from pmtui.session import Session
from pmtui.store import dumps, snapshot, write_atomic
from widgets import EntryBar

if TYPE_CHECKING:
    from pmtui.app import PmtuiApp


def beside(path: Path, label: str, now: datetime) -> Path:
    """inc.toml -> inc.theirs-194207.toml"""
    return path.with_name(f"{path.stem}.{label}-{now:%H%M%S}{path.suffix}")


class Guard:
    def __init__(self, app: PmtuiApp) -> None:
        self.app = app
        self.asking = False
        self.hangup = False  # the terminal is gone (SIGHUP)

    # -- signals --------------------------------------------------------------
    def install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(number, self._on_signal, number)

    def _on_signal(self, number: int) -> None:
        self.hangup = number == signal.SIGHUP
        self.app.call_later(self.quit, False)

    # -- conflicts ------------------------------------------------------------
    def on_save_result(self, result: SaveResult) -> None:
        from screens import ChoiceScreen

        if result.conflict and not self.asking:
            self.asking = True
            app = self.app
            question = (
                f"{app.path} was changed on disk by someone else since pmtui saved it.\n"
                "k: keep mine (the other version is saved beside it)\n"
                "r: reload theirs (my version is saved beside it)"
            )
            app.push_screen(
                ChoiceScreen(question, [("k", "Keep mine"), ("r", "Reload theirs")]),
                self._resolve,
            )

    def _resolve(self, choice: str | None) -> None:
        app = self.app
        assert app.store is not None and app.incident is not None and app.saver is not None
        assert app.path is not None
        self.asking = False
        now = app.incident.local(app.clock())
        try:
            if choice == "r":
                mine = beside(app.path, "mine", now)
                write_atomic(mine, dumps(app.incident).encode("utf-8"))
                self._swap(app.store.reload())
                app.notify(f"Reloaded {app.path}; your version is in {mine}", timeout=10)
            else:
                theirs = beside(app.path, "theirs", now)
                write_atomic(theirs, app.path.read_bytes())
                app.store.accept_disk()
                app.notify(f"Kept yours; the other version is in {theirs}", timeout=10)
        except (PmtuiError, OSError) as error:
            app.notify(f"Could not keep both versions: {error}", severity="error", timeout=15)
            return
        app.saver.request(snapshot(app.incident))

    def _swap(self, incident: object) -> None:
        from pmtui.model import Incident

        assert isinstance(incident, Incident)
        app = self.app
        app.incident = incident
        app.session = Session(incident, app.clock)
        main = app.main
        if main is not None:
            main.show_incident(incident)

    # -- quitting -------------------------------------------------------------
    async def quit(self, interactive: bool = True) -> None:
        """Log what is left in the bar, save, write the postmortem, then exit."""
        from screens import RescuePrompt

        app = self.app
        main = app.main
        if main is None or app.incident is None or app.saver is None or app.store is None:
            app.exit(None)
            return
        if not app.ensure_loaded():
            return
        left = main.query_one(EntryBar).take()
        if left is not None and not app.log_entry(left) and app.session is not None:
            # refused (an unknown /command...): quitting must not lose the words
            session = app.session
            app.apply(lambda: session.log_verbatim(left.text, left.typed_at))
        saved = await asyncio.to_thread(app.saver.stop, 10)
        if not saved:
            problem = f"Could not save {app.path}: {app.saver.last_error or 'the disk refused'}."
            app.saver = Saver(app.store, app.post_save_result)
            app.saver.request(snapshot(app.incident))
            rescue = beside(
                Path.home() / (app.path.name if app.path else "incident.toml"),
                "rescued",
                app.incident.local(app.clock()),
            )
            if interactive:
                app.push_screen(RescuePrompt(problem, str(rescue)), self._rescue)
            else:
                self._rescue(str(rescue), interactive=False)
            return
        self._finish()

    def _rescue(self, where: str | None, interactive: bool = True) -> None:
        app = self.app
        if where is None or app.incident is None:
            return
        target = Path(where).expanduser()
        try:
            write_atomic(target, dumps(app.incident).encode("utf-8"))
        except PmtuiError as error:
            if interactive:
                app.notify(str(error), severity="error", timeout=15)
                return
        else:
            app.rescued = target
        self._finish()

    def _finish(self) -> None:
        app = self.app
        assert app.incident is not None and app.store is not None and app.saver is not None
        app.saver.stop(1)
        written: Path | None = None
        if app.rescued is None:
            markdown = export_markdown(app.incident, now=app.clock())
            try:
                write_atomic(app.markdown_path, markdown.encode("utf-8"))
                written = app.markdown_path
            except PmtuiError as error:
                app.notify(str(error), severity="error")
        app.store.close()
        if self.hangup:
            # The terminal is gone: everything is saved and the lock released,
            # and Textual's shutdown would block for ever writing to a dead
            # tty (seen with Textual 8.2.8), holding the process open.
            os._exit(0)
        app.exit(written)
