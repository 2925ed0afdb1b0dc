"""Keep incident files (schema 1) on disk without ever losing data.

A save writes a 0600 temp file beside the incident, fsyncs it, replaces the
incident file and fsyncs the folder. A `flock` on `<name>.toml.lock` keeps a
second pmtui out. Reading is in `pmtui.core.reader`, rendering TOML in
`pmtui.core.writer`; their public names are here too, as `pmtui.core.store` is what
the rest of pmtui and its users' scripts import.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli
import tomli_w

from pmtui.core.errors import ConflictError, LockedError, SaveError
from pmtui.core.model import Incident, WholeTimeline
from pmtui.core.reader import (
    FileState,
    Rest,
    load,
    load_state,
    parse,
    parse_state,
    problem_text,
    read_text,
)
from pmtui.core.writer import Snapshot, TomlWriter, dumps, entry_block, snapshot, toml_string

__all__ = [
    "ConflictError",
    "FileState",
    "IncidentLock",
    "IncidentStore",
    "LockedError",
    "Rest",
    "SaveError",
    "Snapshot",
    "TomlWriter",
    "dumps",
    "entry_block",
    "glob_escape",
    "is_special",
    "load",
    "load_state",
    "parse",
    "parse_state",
    "problem_text",
    "read_text",
    "remove_leftovers",
    "snapshot",
    "toml_string",
    "write_atomic",
]


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_special(path: Path) -> bool:
    """True for a device, FIFO or socket: something to write into, never to replace."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode))


def _write_all(fd: int, chunks: Iterable[bytes]) -> None:
    """Write every chunk, in order, in as few system calls as the kernel allows:
    each call lets go of the interpreter lock, and getting it back can wait
    for the UI's frame."""
    pending = [memoryview(chunk) for chunk in chunks if chunk]
    while pending:
        written = os.writev(fd, pending[:_IOV_MAX])
        if not written:
            raise OSError(errno.EIO, "the disk took no bytes")
        while pending and written >= len(pending[0]):
            written -= len(pending.pop(0))
        if pending and written:
            pending[0] = pending[0][written:]


_IOV_MAX = 512  # chunks per writev; Linux allows 1024


def write_atomic(path: Path, data: bytes | Sequence[bytes]) -> None:
    """Replace `path` with `data` (bytes, or chunks written in order) so that a
    crash leaves the old or the new file.

    A device or FIFO (`-o /dev/null`) is refused: replacing it would put a
    plain file where the device was. Callers that mean to stream into one
    check `is_special` first.
    """
    if is_special(path):
        raise SaveError(f"could not save {path}: not a regular file")
    os.close(replace_durably(path, [data] if isinstance(data, bytes | bytearray) else data))


def replace_durably(path: Path, chunks: Sequence[bytes], folder_fd: int | None = None) -> int:
    """Temp file, fsync, `os.replace`, fsync the folder; returns the new file, open.

    The caller closes the descriptor it gets. Called from the saver's thread,
    every system call lets go of the interpreter lock, and taking it back can
    wait for the UI's frame (up to 5 ms each): the steps before the file is
    durable are kept to five, with the folder's descriptor held open by the
    store (`folder_fd`).
    """
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise SaveError(f"could not save {path}: {error.strerror or error}") from None
    try:
        _write_all(fd, chunks)
        os.fsync(fd)
        os.replace(tmp, path)
        if folder_fd is None:
            _fsync_folder(folder)
        else:
            os.fsync(folder_fd)
        return fd
    except OSError as error:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(f"could not save {path}: {error.strerror or error}") from None


def remove_leftovers(path: Path, older_than: float = 0.0) -> list[Path]:
    """Remove temp files left by a save that was killed; returns what went.

    With `older_than`, only those not written to for that many seconds (a
    postmortem may be being written right now by `pmtui export`)."""
    removed = []
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        try:
            if older_than and time.time() - leftover.stat().st_mtime < older_than:
                continue
            leftover.unlink()
            removed.append(leftover)
        except OSError:
            pass
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


# -- locking ------------------------------------------------------------------
class IncidentLock:
    """An exclusive `flock` on `<name>.toml.lock`, naming its holder inside."""

    def __init__(self, path: Path) -> None:
        self.incident_path = path
        self.path = path.with_name(path.name + ".lock")
        self._fd: int | None = None
        self._mutex = threading.Lock()  # check() runs on the UI's timer and the saver
        self.problem: str | None = None  # the lock was lost and could not be re-taken

    def acquire(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as error:
            raise LockedError(f"cannot lock {self.incident_path}: {error.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device planted there
            os.close(fd)
            raise LockedError(f"cannot lock {self.incident_path}: {self.path} is not a file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = self._holder(fd)
            os.close(fd)
            raise LockedError(f"{self.incident_path} is open in another pmtui ({holder})") from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now().astimezone(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, tomli_w.dumps(info).encode(), 0)
        self._fd = fd

    @staticmethod
    def _holder(fd: int) -> str:
        # the holder writes its name just after taking the lock: a start race's
        # loser can read the file before that (empty, or naming a holder that
        # died), so it looks again for a moment
        for _ in range(25):
            try:
                info = tomli.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
                since = info["since"].astimezone().strftime("%H:%M")
                if info["host"] != socket.gethostname() or _alive(info["pid"]):
                    return f"pid {info['pid']} on {info['host']}, since {since}"
            except (OSError, KeyError, AttributeError, TypeError, tomli.TOMLDecodeError):
                pass
            time.sleep(0.02)
        return "holder unknown"

    def check(self) -> str | None:
        """Is the lock file still the one locked? If someone deleted or replaced it
        (a second pmtui would get in), lock it again. Says what happened, if anything;
        `problem` stays set while another pmtui holds the new lock file."""
        with self._mutex:
            if self._fd is None:
                return None
            try:
                on_disk = os.lstat(self.path)
                mine = os.fstat(self._fd)
                if (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino):
                    return None
            except OSError:
                pass  # gone: take it again
            old, self._fd = self._fd, None
            try:
                self.acquire()
            except LockedError as error:
                self._fd = old
                self.problem = (
                    f"the lock file {self.path} was deleted and could not be taken again "
                    f"({error}): another pmtui may be changing this incident"
                )
                return self.problem
            os.close(old)  # its lock ends with it; the new file is locked
            self.problem = None
            return f"the lock file {self.path} was deleted; pmtui locked it again"

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):  # no name left for the next one to misread
                os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def _fingerprint(path: Path) -> tuple[int, int, int] | None:
    try:
        return _print_of(os.stat(path))
    except FileNotFoundError:
        return None


def _print_of(info: os.stat_result) -> tuple[int, int, int]:
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class IncidentStore:
    """An incident file held open by one pmtui: locked, loaded, saved.

    It remembers the file as it last read or wrote it; a save finding the
    file changed by someone else raises ConflictError instead of clobbering.
    """

    def __init__(self, path: Path) -> None:
        # a symlink is followed: saves replace, and the lock guards, the file it
        # names, so the link stays a link and its target is the one kept current
        if path.is_symlink():
            path = Path(os.path.realpath(path))
        self.path = path
        self.lock = IncidentLock(path)
        self.writer = TomlWriter()
        self.state = FileState()  # what the file held besides the incident
        self._seen: tuple[int, int, int] | None = None
        self._folder_fd: int | None = None
        self._written: int | None = None  # the file last saved, held open (see save)
        self._superseded: list[int] = []

    def open(self, tail: int = 0) -> Incident:
        """Lock and load the file. The lock is released again on failure.

        With `tail`, a big file is opened tail-first (`loading`): see
        `parse_state`. Nothing is saved from an incident until
        `finish_loading` has made it whole.
        """
        self.lock.acquire()
        try:
            remove_leftovers(self.path)
            remove_leftovers(self.path.with_suffix(".md"), older_than=60)  # a killed export
            return self.reload(tail)
        except BaseException:
            self.lock.release()
            raise

    def reload(self, tail: int = 0) -> Incident:
        """Read the file as it is on disk now, and take it as the one to save over."""
        seen = _fingerprint(self.path)
        incident, state = load_state(self.path, tail)
        self.writer.seed(incident.timezone, state.blocks)
        state.blocks = []
        self.state = state
        self._seen = seen
        return incident

    @property
    def loading(self) -> int:
        """While a big file's earlier entries are read: the whole count; else 0."""
        return self.state.loading

    def snapshot(self, incident: Incident) -> Snapshot:
        """What a save of `incident` to this file writes (its other tables kept)."""
        if self.state.loading:
            # a save now would drop every entry not read yet
            raise RuntimeError("snapshot of an incident still loading")
        return snapshot(incident, self.state.extra)

    def dumps(self, incident: Incident) -> str:
        """The file's text for `incident` (a rescue copy), its other tables kept."""
        return TomlWriter().render(self.snapshot(incident))

    def read_rest(self, incident: Incident) -> tuple[WholeTimeline, dict[str, Any]]:
        """Read what a tail-first load left (the loader's thread); LoadError if broken.

        It also renders the whole timeline's text, so that the first save
        (the first stamp) writes 100,000 entries instead of rendering them
        too. Safe: nothing is saved from an incident still loading.
        """
        rest = self.state.rest
        assert rest is not None, "not opened tail-first"
        whole, blocks = rest.read(incident.zone, list(incident.timeline))
        self.writer.prepare(tuple(whole.entries), blocks, incident.timezone)
        return whole, blocks

    def finish_loading(
        self, incident: Incident, read: tuple[WholeTimeline, dict[str, Any]]
    ) -> None:
        """Make a tail-first incident whole with what `read_rest` returned."""
        incident.adopt_timeline(read[0])
        self.state.loading, self.state.rest = 0, None

    def accept_disk(self) -> None:
        """Overwrite whatever is on disk at the next save (after keeping a copy)."""
        self._seen = _fingerprint(self.path)

    def create(self, incident: Incident, extra: dict[str, Any] | None = None) -> None:
        """Lock a new file and write `incident` (and `extra` tables) to it; refuses an
        existing file."""
        if self.path.exists():
            raise SaveError(f"{self.path} already exists")
        self.lock.acquire()
        self.state = FileState(dict(extra or {}))
        try:
            self.save(self.snapshot(incident))
        except BaseException:
            self.lock.release()
            raise

    def save(self, snap: Snapshot) -> None:
        try:
            info: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise SaveError(f"could not save {self.path}: not a regular file")
        current = None if info is None else _print_of(info)
        if self._seen is not None and current is not None and current != self._seen:
            raise ConflictError(f"{self.path} was changed on disk by someone else")
        self.tidy()
        chunks = self.writer.render_chunks(snap)
        fd = replace_durably(self.path, chunks, self._folder())
        self._seen = _print_of(os.fstat(fd))
        # the file just replaced was held open: freeing its blocks cost ~10 ms
        # inside os.replace at 10 MB. Its last close, in `tidy`, frees them
        # once the save is durable and reported.
        if self._written is not None:
            self._superseded.append(self._written)
        self._written = fd

    def tidy(self) -> None:
        """Close the files earlier saves replaced (the saver calls it after reporting)."""
        while True:
            try:
                fd = self._superseded.pop()  # one at a time: close() may race the saver
            except IndexError:
                return
            with contextlib.suppress(OSError):
                os.close(fd)

    def _folder(self) -> int | None:
        """The folder, held open to fsync it after each replace (None if it cannot be)."""
        if self._folder_fd is None:
            with contextlib.suppress(OSError):
                self._folder_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        return self._folder_fd

    def close(self) -> None:
        self.tidy()
        for fd in (self._written, self._folder_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._written = self._folder_fd = None
        self.lock.release()
