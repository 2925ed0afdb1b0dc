"""The app's half of keeping an incident safe: what needs the event loop or a screen.

The decisions (what to save, where to rescue, the exit status and the last
line) are the controller's (pmtui.core.control); here:

- SIGTERM, SIGHUP and SIGINT (a closed terminal, a dropped SSH session,
  `kill -INT`) quit as ctrl+q does, without asking: a file that cannot be
  saved goes to a rescue file;
- quitting logs what is left in the entry bar, waits for the last save and,
  when it cannot save, asks where to write the incident instead;
- a file changed on disk by someone else: the IC is asked which to keep;
- a crash (an error pmtui did not expect) hands what is in the entry bar to
  the controller before the app ends;
- a lost lock is told, loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.core.control import Typed
from pmtui.widgets import EntryBar

if TYPE_CHECKING:
    from pmtui.app import PmtuiApp


LOCK_CHECK_SECONDS = 1.5


class Guard:
    def __init__(self, app: PmtuiApp) -> None:
        self.app = app
        self.control = app.control
        self.hangup = False  # the terminal is gone (SIGHUP)

    # -- signals --------------------------------------------------------------
    def install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(number, self._on_signal, number)
        self.app.set_interval(LOCK_CHECK_SECONDS, self.check_lock)

    def check_lock(self) -> None:
        """A deleted lock file lets a second pmtui in: lock it again, or say so loudly."""
        notice = self.control.check_lock()
        if notice is not None:
            self.app.notify(
                notice.text,
                title=notice.title,
                severity="error" if notice.error else "warning",
                timeout=30 if notice.error else 10,
            )

    def _on_signal(self, number: int) -> None:
        self.hangup = number == signal.SIGHUP
        self.app.call_later(self.quit, False)

    # -- conflicts ------------------------------------------------------------
    def ask_about_conflict(self) -> None:
        from pmtui.screens import ChoiceScreen

        self.app.push_screen(
            ChoiceScreen(
                self.control.conflict_question(), [("k", "Keep mine"), ("r", "Reload theirs")]
            ),
            self._resolve,
        )

    def _resolve(self, choice: str | None) -> None:
        notice = self.control.resolve(choice)
        main = self.app.main
        if notice.reloaded and main is not None and self.control.incident is not None:
            main.show_incident(self.control.incident)
        self.app.notify(
            notice.text,
            severity="error" if notice.error else "information",
            timeout=15 if notice.error else 10,
        )

    # -- quitting -------------------------------------------------------------
    async def quit(self, interactive: bool = True) -> None:
        """Log what is left in the bar, save, write the postmortem, then exit."""
        from pmtui.screens import RescuePrompt

        app, control = self.app, self.control
        if control.incident is None:
            control.keep_title(self._title_typed())
            app.exit(None)
            return
        if app.main is None or control.saver is None:
            app.exit(None)
            return
        if not app.ensure_loaded():
            return
        app.fold_journal()  # what others logged up to now is in the postmortem
        main = app.main
        left = main.query_one(EntryBar).take() if main is not None else None
        session = control.session
        if left is not None and not app.log_entry(left) and session is not None:
            # refused (an unknown /command...): quitting must not lose the words
            app.apply(lambda: session.log_verbatim(left.text, left.typed_at))
        problem = await asyncio.to_thread(control.quit_save, 10)
        if problem is not None:
            rescue = control.rescue_path()
            if interactive:
                app.push_screen(RescuePrompt(problem, str(rescue)), self._rescue)
            else:
                control.rescue_anywhere(rescue)
                self._finish()
            return
        self._finish()

    def _title_typed(self) -> str:
        """Quit (a signal, a dropped SSH session) while the new incident's title is
        being typed: the title typed so far makes the incident, as Enter would."""
        from pmtui.screens import TitlePrompt

        prompts = [screen for screen in self.app.screen_stack if isinstance(screen, TitlePrompt)]
        return prompts[-1].typed if prompts else ""

    def _rescue(self, where: str | None) -> None:
        from pmtui.core.errors import PmtuiError

        if where is None or self.control.incident is None:
            return
        try:
            self.control.rescue_to(Path(where).expanduser())
        except PmtuiError as error:
            self.app.notify(str(error), severity="error", timeout=15)
            return
        self._finish()

    def _finish(self) -> None:
        written, error = self.control.finish()
        if error is not None:
            self.app.notify(error, severity="error")
        if self.hangup:
            # The terminal is gone: everything is saved and the lock released,
            # and Textual's shutdown would block for ever writing to a dead
            # tty (seen with Textual 8.2.8), holding the process open.
            os._exit(self.control.outcome(written)[0])
        self.app.exit(written)

    # -- a crash --------------------------------------------------------------
    def on_crash(self, error: BaseException) -> None:
        """An unexpected error is ending the app: log what is in the bar first."""
        typed: Typed | None = None
        with contextlib.suppress(Exception):  # the screen may be what broke
            typed = self.app.take_typed()
        self.control.on_crash(error, typed)
