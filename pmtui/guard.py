"""What keeps an incident safe when things go wrong around pmtui.

- quitting waits for the last save, and when it cannot save, offers to write
  the incident somewhere else instead of exiting silently;
- SIGTERM, SIGHUP and SIGINT (a closed terminal, a dropped SSH session,
  `kill -INT`) quit the same way, without asking: a file that cannot be
  saved goes to a rescue file;
- a crash (an error pmtui did not expect) logs what is in the entry bar
  before the app ends, and `settle` makes sure it reaches a disk;
- what pmtui says last, and its exit status, are true: `outcome`;
- a file changed on disk by someone else is never clobbered: the IC keeps
  their version (the other is saved beside it) or reloads the other one
  (theirs is saved beside it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.core.errors import PmtuiError
from pmtui.core.export import export_markdown
from pmtui.core.saver import Saver, SaveResult
from pmtui.core.session import Session
from pmtui.core.store import dumps, snapshot, write_atomic
from pmtui.core.tail import JournalTail
from pmtui.core.text import shown
from pmtui.widgets import EntryBar

if TYPE_CHECKING:
    from pmtui.app import PmtuiApp


LOCK_CHECK_SECONDS = 1.5


def beside(path: Path, label: str, now: datetime) -> Path:
    """inc.toml -> inc.theirs-194207.toml"""
    return path.with_name(f"{path.stem}.{label}-{now:%H%M%S}{path.suffix}")


class Guard:
    def __init__(self, app: PmtuiApp) -> None:
        self.app = app
        self.asking = False
        self.hangup = False  # the terminal is gone (SIGHUP)
        self.crashed: str | None = None  # the unexpected error that ended the app
        self.lost: str | None = None  # changes neither saved nor rescued: why
        self.typed_to: Path | None = None  # what was typed, when the file turned out broken
        self.created: Path | None = None  # made from a title typed when pmtui was stopped
        self._lock_said: str | None = None  # the lock problem last told, not to repeat it

    # -- signals --------------------------------------------------------------
    def install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(number, self._on_signal, number)
        self.app.set_interval(LOCK_CHECK_SECONDS, self.check_lock)

    def check_lock(self) -> None:
        """A deleted lock file lets a second pmtui in: lock it again, or say so loudly."""
        store = self.app.store
        if store is None:
            return
        said = store.lock.check()
        if said is not None and said != self._lock_said:
            bad = store.lock.problem is not None
            self.app.notify(
                said[:1].upper() + said[1:],
                title="Lock lost" if bad else "Lock taken again",
                severity="error" if bad else "warning",
                timeout=30 if bad else 10,
            )
        self._lock_said = said if store.lock.problem is not None else None

    def _on_signal(self, number: int) -> None:
        self.hangup = number == signal.SIGHUP
        self.app.call_later(self.quit, False)

    # -- conflicts ------------------------------------------------------------
    def on_save_result(self, result: SaveResult) -> None:
        from pmtui.screens import ChoiceScreen

        if result.conflict and not self.asking:
            self.asking = True
            app = self.app
            question = (
                f"{shown(str(app.path), 300)} was changed on disk by someone else since pmtui "
                "saved it.\n"
                "ctrl+k: keep mine (the other version is saved beside it)\n"
                "ctrl+r: reload theirs (my version is saved beside it)"
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
        from pmtui.core.model import Incident

        assert isinstance(incident, Incident)
        app = self.app
        app.incident = incident
        app.session = Session(incident, app.clock)
        if app.store is not None:
            app.journal = JournalTail(app.store.path, incident)
        main = app.main
        if main is not None:
            main.show_incident(incident)

    # -- quitting -------------------------------------------------------------
    async def quit(self, interactive: bool = True) -> None:
        """Log what is left in the bar, save, write the postmortem, then exit."""
        from pmtui.screens import RescuePrompt

        app = self.app
        main = app.main
        if app.incident is None:
            self._keep_the_title()
            app.exit(None)
            return
        if main is None or app.saver is None or app.store is None:
            app.exit(None)
            return
        if not app.ensure_loaded():
            return
        app.fold_journal()  # what others logged up to now is in the postmortem
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
            rescue = self.rescue_path()
            if interactive:
                app.push_screen(RescuePrompt(problem, str(rescue)), self._rescue)
            else:
                self._rescue(str(rescue), interactive=False)
            return
        self._finish()

    def _keep_the_title(self) -> None:
        """Quit (a signal, a dropped SSH session) while the new incident's title is
        being typed: the title typed so far makes the incident, as Enter would."""
        from pmtui.screens import TitlePrompt

        app = self.app
        prompts = [screen for screen in app.screen_stack if isinstance(screen, TitlePrompt)]
        title = prompts[-1].typed if prompts else ""
        if not title or app.make_incident is None:
            return
        try:
            _incident, store, path = app.create_incident(title)
            store.close()
        except (PmtuiError, OSError) as error:
            self.lost = f"the incident {title!r} could not be created: {error}"
            return
        self.created = path

    def _rescue(self, where: str | None, interactive: bool = True) -> None:
        app = self.app
        if where is None or app.incident is None:
            return
        target = Path(where).expanduser()
        if interactive:
            try:
                write_atomic(target, dumps(app.incident).encode("utf-8"))
            except PmtuiError as error:
                app.notify(str(error), severity="error", timeout=15)
                return
            app.rescued = target
        else:
            self._rescue_anywhere(target)
        self._finish()

    def _rescue_anywhere(self, first: Path) -> None:
        """Write the incident to `first`, else to the temp folder; `lost` says if neither."""
        app = self.app
        assert app.incident is not None
        problems = []
        for target in (first, Path(tempfile.gettempdir()) / first.name):
            try:
                write_atomic(target, dumps(app.incident).encode("utf-8"))
            except (PmtuiError, OSError, RuntimeError) as error:
                problems.append(str(error))
                continue
            app.rescued = target
            return
        reason = app.saver.last_error if app.saver is not None else None
        self.lost = (
            f"{app.path} could not be saved ({reason or 'the disk refused'}) and no rescue "
            f"file could be written ({'; '.join(problems)}): the latest changes are LOST"
        )

    def rescue_path(self) -> Path:
        app = self.app
        assert app.incident is not None
        name = app.path.name if app.path else "incident.toml"
        return beside(Path.home() / name, "rescued", app.incident.local(app.clock()))

    def _finish(self) -> None:
        app = self.app
        assert app.incident is not None and app.store is not None and app.saver is not None
        app.saver.stop(1)
        written: Path | None = None
        if app.rescued is None and self.lost is None:
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
            os._exit(self.outcome(written)[0])
        app.exit(written)

    # -- a crash, and the last word -------------------------------------------
    def on_crash(self, error: BaseException) -> None:
        """An unexpected error is ending the app: log what is in the bar first."""
        app = self.app
        if self.crashed is None:
            self.crashed = f"{type(error).__name__}: {error}"[:300]
        left: EntryBar.Submitted | None = None
        with contextlib.suppress(Exception):  # the screen may be what broke
            main = app.main
            if main is not None:
                left = main.query_one(EntryBar).take()
        if left is None:
            return
        try:
            assert app.session is not None and app.saver is not None and app.incident is not None
            if app.incident.loading:
                self._load_rest()
            app.session.log_verbatim(left.text, left.typed_at)
            app.saver.request(snapshot(app.incident))
        except Exception:  # whatever broke, the words go to a file
            self.keep_typed(left)

    def _load_rest(self) -> None:
        """Make a tail-first incident whole without the UI (a crash); raises if broken."""
        app = self.app
        assert app.incident is not None and app.store is not None
        loader = app._loader
        rest = app.store.read_rest(app.incident) if loader is None else loader.wait()
        if not isinstance(rest, tuple):
            raise PmtuiError(str(rest))
        app.store.finish_loading(app.incident, rest)

    def keep_typed(self, left: EntryBar.Submitted) -> None:
        """The incident cannot take what was typed (its file is broken): a text file."""
        app = self.app
        path = app.path or Path("incident.toml")
        local = app.incident.local(left.typed_at) if app.incident else left.typed_at
        name = f"{path.stem}.typed-{local:%H%M%S}.txt"
        line = f"{local.isoformat()} {left.text}\n".encode()
        problems = []
        for folder in (path.parent, Path.home(), Path(tempfile.gettempdir())):
            try:
                write_atomic(folder / name, line)
            except (PmtuiError, OSError) as error:
                problems.append(str(error))
                continue
            self.typed_to = folder / name
            return
        self.lost = f"what was typed could not be kept ({'; '.join(problems)}): {left.text!r}"

    def settle(self) -> None:
        """After the app ended, however it ended: every change on a disk, or `lost` says why."""
        app = self.app
        if app.saver is None or app.incident is None or app.load_error is not None:
            return
        if app.saver.stop(10) or app.rescued is not None or self.lost is not None:
            return
        self._rescue_anywhere(self.rescue_path())

    def outcome(self, written: Path | None) -> tuple[int, str | None]:
        """The exit status and the last line: 0 only when everything typed is saved."""
        app = self.app
        crash = f"pmtui stopped on an unexpected error ({self.crashed}); " if self.crashed else ""
        if app.load_error is not None:
            typed = f"; what you typed is in {self.typed_to}" if self.typed_to else ""
            return 2, f"pmtui: {app.load_error}{typed}"
        if self.lost is not None:
            return 1, f"pmtui: {crash}{self.lost}"
        if app.rescued is not None:
            where = f"the incident was written to {app.rescued}"
            return 1, f"{crash}{app.path} could not be saved; {where}"
        if self.crashed is not None:
            return 1, f"{crash}everything typed is saved in {app.path}"
        if self.created is not None:
            return (
                0,
                f"Incident created in {self.created}, with the title typed before pmtui stopped",
            )
        if written is not None:
            return 0, f"Postmortem written to {written}"
        if app.incident is not None:
            return 0, f"Incident saved to {app.path}"
        return 0, None
