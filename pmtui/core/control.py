"""Running one incident: the store, the saver, the session and the journal tail.

`IncidentControl` is what the app is a shell over, and it imports no Textual:
the shell turns keys into requests (`apply`, `resolve`, `quit_save`...) and
what comes back (a Change, a SaveReport, a Notice, an exit code and a last
line) into widgets. Whatever keeps an incident safe is decided here and
tested without a terminal:

- every change is applied through `apply`: the IC's own changes are appended
  to this pmtui's journal file as ops (one write, fsync'd: durable when
  `apply` returns, pmtui.core.ownops) and folded like everyone else's; the
  TOML is a background checkpoint (`persist`) that records how far each
  journal file is folded, so a crash between the two shows each change once;
- save results are sorted into saved / conflict / failed (`received`); a
  file changed on disk by someone else is never clobbered: the IC keeps
  their version (the other is saved beside it) or reloads the other one
  (theirs is saved beside it), `resolve`;
- a big file opened tail-first is made whole before any change, export or
  quit (`finish_loading`);
- quitting saves, or rescues the incident to another file (`rescue_path`,
  `rescue_to`, `rescue_anywhere`), and `outcome` says truly how it ended;
- read-only (`pmtui view`): no lock and no saver; it follows the file and
  the journal.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pmtui.core.errors import PmtuiError
from pmtui.core.export import export_markdown
from pmtui.core.fold import load_whole_state
from pmtui.core.journal import JournalError, append_span, writer_for
from pmtui.core.loader import RestLoader
from pmtui.core.model import Incident
from pmtui.core.ownops import plan
from pmtui.core.reader import FileState
from pmtui.core.saver import Saver, SaveResult
from pmtui.core.session import Change, InputError, Session, utc_now
from pmtui.core.store import IncidentStore, write_atomic
from pmtui.core.tail import JournalTail
from pmtui.core.text import shown

CHECKPOINT_QUIET = 1.0  # the TOML checkpoint waits for a pause in the typing (seconds)


def beside(path: Path, label: str, now: datetime) -> Path:
    """inc.toml -> inc.theirs-194207.toml"""
    return path.with_name(f"{path.stem}.{label}-{now:%H%M%S}{path.suffix}")


class Saved(Enum):
    SAVED = "saved"
    CONFLICT = "conflict"  # the file changed on disk: the IC chooses (`resolve`)
    FAILED = "failed"  # the disk refused: the saver retries


@dataclass(frozen=True)
class SaveReport:
    """A save result, sorted for the shell."""

    kind: Saved
    error: str = ""  # why it failed
    at: str = ""  # when it saved, in the incident's zone (HH:MM:SS)
    newer: bool = False  # saved, and a newer change is still being saved
    ask: bool = False  # a conflict the IC has not been asked about yet


@dataclass(frozen=True)
class Notice:
    """Something to tell the IC."""

    text: str
    error: bool = False
    title: str = ""
    reloaded: bool = False  # `resolve` took the other version: show the new incident


@dataclass(frozen=True)
class Typed:
    """What was in the entry bar when pmtui had to stop."""

    text: str
    at: datetime


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class IncidentControl:
    """One incident, run by one pmtui: the only owner of its store, saver and session."""

    def __init__(
        self,
        path: Path | None,
        incident: Incident | None = None,
        store: IncidentStore | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_incident: Callable[[str], Incident] | None = None,
        state: FileState | None = None,
        read_only: bool = False,
    ) -> None:
        self.path, self.incident, self.store = path, incident, store
        self.clock = clock
        self.make_incident = new_incident
        self.read_only = read_only  # `pmtui view`: no lock, no saver, follows the file
        self._state = state or FileState()  # the file's other tables, without a store
        self.session: Session | None = None
        self.saver: Saver | None = None
        self.journal: JournalTail | None = None  # what others log, folded as it comes
        self.writer: str | None = None  # this pmtui's journal file: `<writer>.jsonl`
        # when the last change was appended to the journal (durable), 'HH:MM:SS'; None
        # when it was not (nothing to append, or the journal refused)
        self.kept_at: str | None = None
        self._undone: Change | None = None  # an undo's (redo's) own change, for its ops
        self._key_ms = 0  # the last op id's milliseconds (`_key`)
        self._tag = os.urandom(3).hex()
        self.on_save: Callable[[SaveResult], object] = lambda _result: None
        self._loader: RestLoader | None = None
        self._seen = _stamp(path) if read_only and path is not None else None
        self.asking = False  # the IC is being asked about a conflict
        self._lock_said: str | None = None  # the lock problem last told, not to repeat it
        # how it ended, for `outcome`
        self.rescued: Path | None = None  # where the incident went when its file failed
        self.load_error: str | None = None  # a tail-first load found the file broken
        self.crashed: str | None = None  # the unexpected error that ended the app
        self.lost: str | None = None  # changes neither saved nor rescued: why
        self.typed_to: Path | None = None  # what was typed, when the file turned out broken
        self.created: Path | None = None  # made from a title typed when pmtui was stopped

    @classmethod
    def view(cls, path: Path, **options: Any) -> IncidentControl:
        """Read-only over `path` and its journal (LoadError if it cannot be read)."""
        incident, state = load_whole_state(path)
        return cls(path, incident, state=state, read_only=True, **options)

    # -- start ------------------------------------------------------------------
    @property
    def state(self) -> FileState:
        return self.store.state if self.store is not None else self._state

    def create(self, title: str) -> Incident:
        """Make the incident a title names and create its file (locked); PmtuiError if not."""
        from pmtui.core.new import default_path

        assert self.make_incident is not None
        incident = self.make_incident(title)
        path = self.path or default_path(incident)
        store = IncidentStore(path)
        store.create(incident)
        self.incident, self.store, self.path = incident, store, path
        return incident

    def start(self, on_save: Callable[[SaveResult], object] | None = None) -> None:
        """Begin running: `on_save` gets each save's result, on the saver's thread."""
        assert self.incident is not None and self.path is not None
        if on_save is not None:
            self.on_save = on_save
        self.session = Session(self.incident, self.clock)
        if not self.read_only:
            assert self.store is not None
            self.saver = Saver(self.store, self.on_save, quiet=CHECKPOINT_QUIET)
        self.journal = JournalTail(self.store.path if self.store else self.path, self.state.extra)
        if not self.read_only:
            self.writer = writer_for(self.journal.folder)

    def _take(self, incident: Incident) -> None:
        """Run `incident` from now on (reloaded from disk)."""
        assert self.path is not None
        self.incident = incident
        self.session = Session(incident, self.clock)
        self.journal = JournalTail(self.store.path if self.store else self.path, self.state.extra)

    # -- a big incident opened tail-first -----------------------------------------
    @property
    def loading(self) -> int:
        """While a big file's earlier entries are read: the whole count; else 0."""
        return self.store.loading if self.store is not None else 0

    def read_rest(self, done: Callable[[], object]) -> None:
        """Start reading the earlier entries on a thread; `done` is called there after."""
        if self._loader is None and self.loading and self.incident is not None:
            assert self.store is not None
            self._loader = RestLoader(self.store, self.incident, done)
            self._loader.start()

    def finish_loading(self) -> bool:
        """Make a tail-first incident whole, waiting if need be; False if it is broken
        (`load_error` says why: nothing is saved over the file)."""
        if not self.loading or self.load_error is not None:
            return self.load_error is None
        self.read_rest(lambda: None)
        assert self._loader is not None and self.store is not None and self.incident is not None
        rest = self._loader.wait()
        if not isinstance(rest, tuple):
            self.load_error = str(rest)
            return False
        self.store.finish_loading(self.incident, rest)
        self._loader.result = None
        return True

    # -- changes ------------------------------------------------------------------
    def apply(self, intent: Callable[[], Change], *, own: bool = True) -> Change:
        """Run a session intent (InputError when refused) and make it durable: the
        IC's own (`own`) as journal ops when this returns, and the TOML checkpoint."""
        assert not self.loading, "finish_loading first"
        self._undone = None
        self.kept_at = None
        change = intent()
        if own:
            self._journal(change)
        self.persist()
        return change

    def _key(self) -> str:
        """A new op's id: this process's milliseconds, rising (entries of one second sort
        in the order they were made), and a random tag of this process (unique across
        clones)."""
        self._key_ms = max(int(time.time() * 1000), self._key_ms + 1)
        return f"{self._key_ms:012x}{self._tag}"

    def _journal(self, change: Change) -> None:
        """Append what `change` did to this pmtui's journal file and fold it back in,
        so the model, its LWW ledger and its ids are what every clone folds. If the
        journal cannot be written the change stays as the session made it, and the
        TOML save keeps it."""
        session, journal, incident = self.session, self.journal, self.incident
        if self.writer is None or session is None or journal is None or incident is None:
            return
        own = self._undone or change  # an undo's own change says what it did
        planned = plan(own, incident, restoring=self._undone is not None)
        if not planned.ops:
            return
        try:
            # each op its own random id: an offset in the file is only unique while the
            # file is (a TOML copied without its journal, a journal folder removed,
            # would make ids already folded in, and the new entries would be lost)
            keyed = [(op, data, self._key()) for op, data in planned.ops]
            records, start, end = append_span(
                journal.folder, keyed, writer=self.writer, seen=journal.seen
            )
        except JournalError as error:
            change.message = "; ".join(filter(None, [change.message, f"journal: {error}"]))
            return
        # on disk now (fsync'd): what the save line says, before the TOML checkpoint
        self.kept_at = incident.local(self.clock()).strftime("%H:%M:%S")
        session.put_back(own)
        journal.own(incident, records, (f"{self.writer}.jsonl", start, end))
        names = planned.renamed(records)
        if names:
            for which in {id(own): own, id(change): change}.values():
                which.added = [names.get(ident, ident) for ident in which.added]
            if change.focus_entry is not None:
                change.focus_entry = names.get(change.focus_entry, change.focus_entry)
            for local, ident in names.items():
                change.message = re.sub(rf"\b{re.escape(local)}\b", ident, change.message)

    def persist(self) -> None:
        """The one place a change becomes durable: a background save of the TOML.
        A view writes nothing."""
        if self.saver is not None and self.store is not None and self.incident is not None:
            self.saver.request(self.store.snapshot(self.incident))

    def undoing(self, redo: bool = False) -> Callable[[], Change]:
        """The intent that undoes (redoes) the IC's last change, saying which."""
        session = self.session
        assert session is not None
        word = "Redone" if redo else "Undone"
        stack = session.redo_stack if redo else session.undo_stack
        what = session.describe(stack[-1]) if stack else ""

        def step() -> Change:
            change = session.redo() if redo else session.undo()
            if change is None:
                raise InputError(f"nothing to {'redo' if redo else 'undo'}")
            self._undone = session.undo_stack[-1] if redo else session.redo_stack[-1]
            hint = "ctrl+z undoes it again" if redo else "ctrl+y redoes it"
            change.message = f"{word}: {what} ({hint})"
            change.focus_entry = change.removed[0].id if change.removed else None
            return change

        return step

    def export(self) -> tuple[str, str]:
        """The postmortem as it stands, written beside the incident (a view writes
        nothing); the Markdown and where it went (or why it could not)."""
        assert self.incident is not None and self.path is not None
        markdown = export_markdown(self.incident, now=self.clock())
        if self.read_only:
            return markdown, "a view: nothing written"
        target = self.path.with_suffix(".md")
        try:
            write_atomic(target, markdown.encode("utf-8"))
        except PmtuiError as error:
            return markdown, str(error)
        return markdown, f"written to {target}"

    def fold_journal(self) -> Change | None:
        """Fold what others appended to the journal; None when nothing is new (one scandir)."""
        session, journal = self.session, self.journal
        if session is None or journal is None or self.loading or not journal.grown():
            return None
        return self.apply(lambda: session.fold_journal(journal) or Change("journal"), own=False)

    def follow_file(self) -> bool:
        """A view: take the file again when the IC saved it; True when it changed.
        PmtuiError (a file mid-write by hand, or broken): what is shown stays."""
        assert self.path is not None
        seen = _stamp(self.path)
        if seen is None or seen == self._seen:
            return False
        self._seen = seen
        incident, self._state = load_whole_state(self.path)
        self._take(incident)
        return True

    # -- saves --------------------------------------------------------------------
    def received(self, result: SaveResult) -> SaveReport:
        """Sort a save's result (on the UI's thread)."""
        if result.conflict:
            ask, self.asking = not self.asking, True
            return SaveReport(Saved.CONFLICT, result.error or "", ask=ask)
        if result.error is not None:
            return SaveReport(Saved.FAILED, result.error)
        assert self.incident is not None
        newer = self.saver is not None and result.generation < self.saver.requested
        at = self.incident.local(self.clock()).strftime("%H:%M:%S")
        return SaveReport(Saved.SAVED, at=at, newer=newer)

    def conflict_question(self) -> str:
        return (
            f"{shown(str(self.path), 300)} was changed on disk by someone else since pmtui "
            "saved it.\n"
            "ctrl+k: keep mine (the other version is saved beside it)\n"
            "ctrl+r: reload theirs (my version is saved beside it)"
        )

    def resolve(self, choice: str | None) -> Notice:
        """The IC's answer to a conflict: "r" reloads theirs, anything else keeps mine."""
        store, incident, path = self.store, self.incident, self.path
        assert store is not None and incident is not None and path is not None
        self.asking = False
        now = incident.local(self.clock())
        try:
            if choice == "r":
                mine = beside(path, "mine", now)
                write_atomic(mine, store.dumps(incident).encode("utf-8"))
                self._take(store.reload())
                notice = Notice(f"Reloaded {path}; your version is in {mine}", reloaded=True)
            else:
                theirs = beside(path, "theirs", now)
                write_atomic(theirs, path.read_bytes())
                store.accept_disk()
                notice = Notice(f"Kept yours; the other version is in {theirs}")
        except (PmtuiError, OSError) as error:
            return Notice(f"Could not keep both versions: {error}", error=True)
        self.persist()
        return notice

    def check_lock(self) -> Notice | None:
        """A deleted lock file lets a second pmtui in: lock it again, or say so loudly."""
        if self.store is None:
            return None
        lock = self.store.lock
        said = lock.check()
        notice = None
        if said is not None and said != self._lock_said:
            bad = lock.problem is not None
            title = "Lock lost" if bad else "Lock taken again"
            notice = Notice(said[:1].upper() + said[1:], error=bad, title=title)
        self._lock_said = said if lock.problem is not None else None
        return notice

    # -- quitting -----------------------------------------------------------------
    def quit_save(self, timeout: float = 10) -> str | None:
        """Wait for the last save; None when all is on disk, else the problem
        (a fresh saver keeps trying while the IC chooses where to rescue it)."""
        assert self.saver is not None and self.store is not None and self.incident is not None
        if self.saver.stop(timeout):
            return None
        problem = f"Could not save {self.path}: {self.saver.last_error or 'the disk refused'}."
        self.saver = Saver(self.store, self.on_save)
        self.persist()
        return problem

    def keep_title(self, title: str) -> None:
        """Stopped while a new incident's title was typed: the title makes the incident."""
        if not title or self.make_incident is None:
            return
        try:
            self.create(title)
        except (PmtuiError, OSError) as error:
            self.lost = f"the incident {title!r} could not be created: {error}"
            return
        assert self.store is not None
        self.store.close()
        self.created = self.path

    def rescue_path(self) -> Path:
        assert self.incident is not None
        name = self.path.name if self.path else "incident.toml"
        return beside(Path.home() / name, "rescued", self.incident.local(self.clock()))

    def _text(self) -> bytes:
        assert self.incident is not None and self.store is not None
        return self.store.dumps(self.incident).encode("utf-8")

    def rescue_to(self, target: Path) -> None:
        """Write the incident to `target` (the IC named it); PmtuiError if it cannot."""
        write_atomic(target, self._text())
        self.rescued = target

    def rescue_anywhere(self, first: Path) -> None:
        """Write the incident to `first`, else to the temp folder; `lost` says if neither."""
        problems = []
        for target in (first, Path(tempfile.gettempdir()) / first.name):
            try:
                self.rescue_to(target)
            except (PmtuiError, OSError, RuntimeError) as error:
                problems.append(str(error))
                continue
            return
        reason = self.saver.last_error if self.saver is not None else None
        self.lost = (
            f"{self.path} could not be saved ({reason or 'the disk refused'}) and no rescue "
            f"file could be written ({'; '.join(problems)}): the latest changes are LOST"
        )

    def finish(self) -> tuple[Path | None, str | None]:
        """Saved or rescued: write the postmortem (unless rescued) and let the file go.
        The Markdown written, and the error if it could not be."""
        assert self.incident is not None and self.store is not None and self.saver is not None
        self.saver.stop(1)
        written, error = None, None
        if self.rescued is None and self.lost is None and self.path is not None:
            markdown = export_markdown(self.incident, now=self.clock())
            target = self.path.with_suffix(".md")
            try:
                write_atomic(target, markdown.encode("utf-8"))
                written = target
            except PmtuiError as problem:
                error = str(problem)
        self.store.close()
        return written, error

    def keep_typed(self, typed: Typed) -> None:
        """The incident cannot take what was typed (its file is broken): a text file."""
        path = self.path or Path("incident.toml")
        local = self.incident.local(typed.at) if self.incident else typed.at
        name = f"{path.stem}.typed-{local:%H%M%S}.txt"
        line = f"{local.isoformat()} {typed.text}\n".encode()
        problems = []
        for folder in (path.parent, Path.home(), Path(tempfile.gettempdir())):
            try:
                write_atomic(folder / name, line)
            except (PmtuiError, OSError) as error:
                problems.append(str(error))
                continue
            self.typed_to = folder / name
            return
        self.lost = f"what was typed could not be kept ({'; '.join(problems)}): {typed.text!r}"

    def on_crash(self, error: BaseException, typed: Typed | None) -> None:
        """An unexpected error is ending the app: what was typed goes in first."""
        if self.crashed is None:
            self.crashed = f"{type(error).__name__}: {error}"[:300]
        if typed is None:
            return
        session = self.session
        try:
            assert session is not None and self.saver is not None
            if not self.finish_loading():
                raise PmtuiError(self.load_error or "")
            self.apply(lambda: session.log_verbatim(typed.text, typed.at))
        except Exception:  # whatever broke, the words go to a file
            self.keep_typed(typed)

    def settle(self) -> None:
        """After the app ended, however it ended: every change on a disk, or `lost` says why."""
        if self.saver is None or self.incident is None or self.load_error is not None:
            return
        if self.saver.stop(10) or self.rescued is not None or self.lost is not None:
            return
        self.rescue_anywhere(self.rescue_path())

    def close(self) -> None:
        """Let everything go (after `settle`)."""
        if self.saver is not None:
            self.saver.stop()
        if self.store is not None:
            self.store.close()

    def outcome(self, written: Path | None) -> tuple[int, str | None]:
        """The exit status and the last line: 0 only when everything typed is saved."""
        crash = f"pmtui stopped on an unexpected error ({self.crashed}); " if self.crashed else ""
        if self.load_error is not None:
            typed = f"; what you typed is in {self.typed_to}" if self.typed_to else ""
            return 2, f"pmtui: {self.load_error}{typed}"
        if self.lost is not None:
            return 1, f"pmtui: {crash}{self.lost}"
        if self.rescued is not None:
            where = f"the incident was written to {self.rescued}"
            return 1, f"{crash}{self.path} could not be saved; {where}"
        if self.crashed is not None:
            return 1, f"{crash}everything typed is saved in {self.path}"
        if self.created is not None:
            return (
                0,
                f"Incident created in {self.created}, with the title typed before pmtui stopped",
            )
        if written is not None:
            return 0, f"Postmortem written to {written}"
        if self.incident is not None:
            return 0, f"Incident saved to {self.path}"
        return 0, None
