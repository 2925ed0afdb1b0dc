"""`pmtui` in a folder of incidents: the home screen, and the incidents it opens.

The home screen is an app of its own (HomeApp). Enter on an incident ends it
and runs pmtui's incident app (pmtui.app) on that file, as `pmtui FILE`
would; quitting the incident comes back to the list, read again, with what
the incident app said shown as a toast (and printed when pmtui ends). An
incident that cannot be opened (open in another pmtui, broken) is refused
on the home screen with its one-line error. When an incident ends badly
(changes lost, a crash) pmtui ends there, with that exit status.
"""

from __future__ import annotations

import contextlib
import gc
import io
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pmtui.core.catalog import Catalog, summarise
from pmtui.core.errors import PmtuiError
from pmtui.core.homefolder import Aside, Fixes, cached_scan, fixed, scan_aside
from pmtui.core.text import shown
from pmtui.screens.home import HOME_KEYS, HomeScreen
from pmtui.screens.home_views import Item

if TYPE_CHECKING:  # imported when an incident is opened: the list starts without pydantic
    from pmtui.app import PmtuiApp

HOME_APP_KEYS = (
    ("f1", "help", "Help", "Show every key of the home screen"),
    ("ctrl+q", "quit", "Quit", "Quit pmtui"),
)


@dataclass(frozen=True)
class Choice:
    """What the user chose on the home screen: an incident file, or None for a new one."""

    path: Path | None


class HomeApp(App[Choice | None]):
    TITLE = "pmtui"
    CSS = "ToastRack { dock: top; align: right top; margin-top: 1; }"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(key, action, label, id=f"app.{action}", tooltip=tip)
        for key, action, label, tip in HOME_APP_KEYS
    ]

    def __init__(
        self,
        folder: Path,
        catalog: Callable[[], Catalog],
        note: tuple[str, bool] | None = None,
        now: Callable[[], datetime] | None = None,
        select: Path | None = None,
    ) -> None:
        super().__init__()
        self.folder = folder
        self._catalog = catalog
        self.note = note  # (what the last incident said, is it an error)
        self.now = now or (lambda: datetime.now(UTC))
        self.select = select
        self.home: HomeScreen  # the default screen, made when the app starts

    def get_default_screen(self) -> Screen[Any]:
        label = str(self.folder) if str(self.folder) != "." else str(Path.cwd())
        self.home = HomeScreen(label, self._catalog(), self.select)
        return self.home

    def on_mount(self) -> None:
        if self.note is not None:
            text, error = self.note
            self.notify(
                shown(text, 600),
                severity="error" if error else "information",
                timeout=15 if error else 8,
                markup=False,
            )
        self.call_after_refresh(gc.enable)  # pmtui.launch kept it off until the first paint
        if isinstance(self._catalog, Aside):  # once painted: check what was read in a hurry
            aside = self._catalog
            self.call_after_refresh(self.call_after_refresh, self._check, aside)

    def _check(self, aside: Aside) -> None:
        first = aside()  # the catalog painted (a change or a reload since replaced parts)

        def wait() -> None:
            found = aside.checked()
            if found:
                with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
                    self.call_from_thread(self._fix, first, found)

        aside.go()
        threading.Thread(target=wait, name="pmtui-check", daemon=True).start()

    def _fix(self, first: Catalog, found: Fixes) -> None:
        """What the check found: a file broken after all is listed with its error."""
        self.home.show_catalog(fixed(self.home.catalog, first, found))

    # -- what the home screen asks ------------------------------------------------
    def on_home_screen_open(self, message: HomeScreen.Open) -> None:
        self.exit(Choice(None if message.key is None else message.key.path))

    def on_home_screen_reload(self, _message: HomeScreen.Reload) -> None:
        self.home.show_catalog(cached_scan(self.folder, self.now()))
        self.notify("Read the folder again", timeout=2)

    def on_home_screen_toggle(self, message: HomeScreen.Toggle) -> None:
        item = message.item

        def work() -> None:
            from pmtui.core.followup import set_action_done

            try:
                said, error = set_action_done(item.path, item.action_id, not item.done), False
            except PmtuiError as problem:
                said, error = str(problem), True
            except OSError as problem:
                said, error = f"{item.name}: {problem.strerror or problem}", True
            except Exception as problem:  # a worker's error would end the app: said instead
                said, error = f"{item.name}: {type(problem).__name__}: {problem}", True
            self.call_from_thread(self._toggled, item, said, error)

        self.run_worker(work, thread=True, group="toggle", description="mark done")

    def _toggled(self, item: Item, said: str, error: bool) -> None:
        """Show the incident as its file now is (changed, or as someone else left it)."""
        catalog = self.home.catalog
        incidents = list(catalog.incidents)
        for index, old in enumerate(incidents):
            if old.name == item.name:
                try:
                    fresh = summarise(old.path, old.name, self.now())
                except Exception:  # read by the next reload, with its error
                    break
                incidents[index] = replace(fresh, copies=old.copies)
        self.home.show_catalog(replace(catalog, incidents=incidents))
        if error:
            self.notify(
                shown(said, 600), title="Not changed", severity="error", timeout=10, markup=False
            )
        else:
            self.notify(shown(said, 600), timeout=4, markup=False)

    # -- help and palette ---------------------------------------------------------
    def action_help(self) -> None:
        from pmtui.screens.home_help import HomeHelp

        if not isinstance(self.screen, HomeHelp):
            self.push_screen(HomeHelp(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        keys = [(k.key_display or k.key, k.help) for k in HOME_KEYS]
        keys += [(key, tip) for key, _action, _label, tip in HOME_APP_KEYS]
        keys += [
            ("↑ ↓ pgup pgdn home end", "move in the list (also while filtering)"),
            ("any other letter", "starts the filter with it"),
            ("ctrl+p", "command palette: every action by name"),
        ]
        return [("Home screen", keys)]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, HomeScreen):
            for k in HOME_KEYS:
                if k.show:
                    action = k.action
                    yield SystemCommand(
                        k.label,
                        f"{k.help} ({k.key_display or k.key})",
                        lambda a=action: self._run_on(screen, a),
                    )
        yield from super().get_system_commands(screen)

    def _run_on(self, screen: Screen[Any], action: str) -> None:
        self.call_later(screen.run_action, action)


# -- the loop: home, an incident, home again --------------------------------------
def _incident_app(path: Path | None, folder: Path) -> PmtuiApp:
    from pmtui.app import PmtuiApp
    from pmtui.core.new import default_path, new_incident
    from pmtui.core.store import IncidentStore
    from pmtui.loading import TAIL

    if path is not None:
        store = IncidentStore(path)
        incident = store.open(tail=TAIL)  # LockedError, LoadError: said on the home screen
        return PmtuiApp(path, incident, store)
    app: PmtuiApp

    def make(title: str) -> Any:
        incident = new_incident(title)
        app.control.path = default_path(incident, folder)  # in the home screen's folder
        return incident

    app = PmtuiApp(None, new_incident=make)
    return app


@dataclass
class Outcome:
    """How an incident opened from the home screen ended."""

    code: int = 0  # its exit status
    said: list[tuple[str, bool]] = field(default_factory=list)  # (line, on stderr): printed
    stop: bool = False  # ended by a signal (the terminal closed, a kill): pmtui ends too
    path: Path | None = None  # the incident's file (a new one's, once its title was given)

    @property
    def note(self) -> tuple[str, bool] | None:
        """What the home screen shows of it (a toast)."""
        text = "\n".join(line for line, _error in self.said)
        return (text, any(error for _line, error in self.said)) if text else None


def _run_incident(path: Path | None, folder: Path) -> tuple[Outcome, str | None]:
    """Run the incident app; how it ended, or why it could not be opened."""
    from pmtui.app import run_app
    from pmtui.widgets.paste import install as install_paste_parser

    out, err = io.StringIO(), io.StringIO()
    gc.disable()  # as pmtui.launch does: the app turns it on after its first paint
    try:
        app = _incident_app(path, folder)
    except PmtuiError as error:  # open in another pmtui, broken: said on the home screen
        gc.enable()
        return Outcome(), f"pmtui: {error}"
    signalled: list[int] = []
    on_signal = getattr(app.guard, "_on_signal", None)  # the guard's own handler (pmtui.guard)
    if on_signal is not None:

        def record(number: int) -> None:
            signalled.append(number)
            on_signal(number)

        setattr(app.guard, "_on_signal", record)  # noqa: B010 (a method, for mypy)
    install_paste_parser()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_app(app)
    said = [(line, False) for line in out.getvalue().splitlines()]
    said += [(line, True) for line in err.getvalue().splitlines()]
    return Outcome(code, said, bool(signalled), app.path), None


def run_home(folder: Path, first: Callable[[], Catalog] | None = None) -> int:
    """The home screen over `folder` until the user quits; the exit status."""
    said: list[tuple[str, bool]] = []
    note: tuple[str, bool] | None = None
    catalog = first or scan_aside(folder)
    last: Path | None = None
    try:
        while True:
            app = HomeApp(folder, catalog, note, select=last)
            choice = app.run()
            if isinstance(catalog, Aside):
                catalog.go()  # not painted (a crash): the child still checks and caches
            if choice is None:
                return app.return_code or 0  # 1 after a crash (Textual printed it)
            outcome, refused = _run_incident(choice.path, folder)
            last = outcome.path or choice.path  # the list comes back with the cursor on it
            said += outcome.said
            if outcome.code != 0 or outcome.stop:
                return outcome.code
            note = (refused, True) if refused else outcome.note
            catalog = scan_aside(folder)
    finally:
        with contextlib.suppress(OSError):
            for line, error in said:
                print(line, file=sys.stderr if error else sys.stdout)
