"""The journal: many writers feed one incident, and no two ever write one file.

Beside `inc.toml`, the folder `inc.journal/` holds one append-only JSON Lines
file per writer (`<user>@<host>.jsonl`). Each line is one operation with a
unique id and a hybrid-logical-clock stamp. A writer appends under `flock` on
its own file, in one `write`, then `fsync`s: when `append` returns, the lines
are on disk. A line without its final newline is a torn write (the writer was
killed mid-line); readers skip it and the next writer starts a fresh line.

This module is the standard library only: `pmtui log` imports it and must
start as fast as Python does (no pydantic, no Textual).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import time

TYPE_CHECKING = False  # importing typing for it costs every `pmtui log` ~3 ms

if TYPE_CHECKING:  # typing, dataclasses and pathlib would cost `pmtui log` ~10 ms
    from collections.abc import Iterable, Iterator
    from typing import Any

SUFFIX = ".journal"
VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_TAIL = 64 * 1024  # enough of a file's end to find its last whole line


class JournalError(OSError):
    """The journal could not be written; str() is one line for the user."""


def folder_of(incident_path: str | os.PathLike[str]) -> str:
    """inc.toml -> inc.journal/ beside it (beside the file a link names, as the store
    saves to that file)."""
    path = os.fspath(incident_path)
    if os.path.islink(path):
        path = os.path.realpath(path)
    base, _ext = os.path.splitext(path)
    return base + SUFFIX


def writer_name(user: str | None = None, host: str | None = None) -> str:
    """'ana@laptop': who writes a journal file; safe as a file name."""
    user = user or os.environ.get("LOGNAME") or os.environ.get("USER") or _login()
    host = host or os.uname().nodename.split(".")[0] or "host"
    name = f"{_UNSAFE.sub('-', user)}@{_UNSAFE.sub('-', host)}"
    return name.strip(".-")[:120] or "writer"


CLONE_ID = "pmtui-clone-id"  # in .git: this clone's part of its writers' names


# at the top of a work tree pmtui shares (written and committed by `--share`, so
# every clone has it): a repository that merely holds incident files, pmtui's own
# samples included, is never shared, and never pushed to
SHARED_MARK = ".pmtui-shared"


def git_dir_of(folder: str) -> str | None:
    """The `.git` folder of the shared work tree holding `folder`; None outside one,
    or in one that was not shared (no SHARED_MARK at its top)."""
    here = os.path.abspath(folder)
    while True:
        dot = os.path.join(here, ".git")
        if os.path.exists(dot) and not os.path.exists(os.path.join(here, SHARED_MARK)):
            return None
        if os.path.isdir(dot):
            return dot
        if os.path.isfile(dot):  # a linked work tree: "gitdir: PATH"
            try:
                with open(dot, encoding="utf-8") as stream:
                    target = stream.read().strip().removeprefix("gitdir:").strip()
            except OSError:
                return None
            return os.path.join(here, target) if target else None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def clone_id(git_dir: str) -> str:
    """This clone's id (8 hex digits), made on first use and kept in `.git`.

    Two clones of one incident by one user on one host must not share a journal
    file: each writer's file name carries its clone's id. A copy of a clone's
    folder would share it; `pmtui sync` notices and refuses.
    """
    path = os.path.join(git_dir, CLONE_ID)
    for _ in range(50):
        try:
            with open(path, encoding="ascii") as stream:
                found = stream.read().strip()
            if re.fullmatch(r"[0-9a-f]{8}", found):
                return found
        except (OSError, UnicodeDecodeError):
            pass
        made = os.urandom(4).hex()
        temp = f"{path}.{os.getpid()}.tmp"
        try:
            with open(temp, "w", encoding="ascii") as stream:
                stream.write(made + "\n")
            os.link(temp, path)  # atomic, and never replaces another process's id
            return made
        except FileExistsError:
            time.sleep(0.002)
        except OSError:
            return made  # a read-only .git: this process's own id
        finally:
            try:  # noqa: SIM105 (contextlib would cost every `pmtui log` ~1 ms)
                os.unlink(temp)
            except OSError:
                pass
    return os.urandom(4).hex()


def writer_for(folder: str) -> str:
    """The writer name for a journal in `folder`: 'ana@laptop', plus '+<clone id>'
    when the folder is in a git work tree (a shared incident)."""
    found = git_dir_of(folder)
    return f"{writer_name()}+{clone_id(found)}" if found else writer_name()


def _login() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # no entry for this uid (a container)
        return f"uid{os.getuid()}"


def clean(text: str) -> str:
    """Lone surrogates (bad terminal bytes) cannot be written as UTF-8."""
    return _SURROGATES.sub("\ufffd", text)


class Record:
    """One journal line: an operation by `writer`, ordered by (hlc, writer, id).

    `hlc` is a hybrid logical clock: milliseconds * 1000 + a counter.
    """

    __slots__ = ("data", "hlc", "id", "op", "writer")

    def __init__(
        self, id: str, hlc: int, writer: str, op: str, data: dict[str, Any] | None = None
    ) -> None:
        self.id, self.hlc, self.writer, self.op = id, hlc, writer, op
        self.data = data if data is not None else {}

    def order(self) -> tuple[int, str, str]:
        return (self.hlc, self.writer, self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and (self.order(), self.op, self.data) == (
            other.order(),
            other.op,
            other.data,
        )

    def __hash__(self) -> int:
        return hash(self.order())

    def __repr__(self) -> str:
        return f"Record({self.id!r}, {self.hlc}, {self.writer!r}, {self.op!r}, {self.data!r})"


def now_hlc(last: int = 0) -> int:
    """A stamp after `last` and not behind this machine's clock."""
    return max(int(time.time() * 1000) * 1000, last + 1)


def _lock(fd: int, wait: float) -> None:
    """Take the file's lock, waiting at most `wait` seconds for another writer."""
    deadline = time.monotonic() + wait
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise JournalError(
                    errno.EWOULDBLOCK, f"another writer held the journal for {wait:g} s"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.02)


def _tail(fd: int, size: int) -> bytes:
    start = max(0, size - _TAIL)
    return os.pread(fd, size - start, start)


def _last_hlc(tail: bytes) -> int:
    """The stamp of the last line in `tail` that has one, 0 when none has. A torn
    last line counts: cut just before its newline it is whole once the next append
    starts a fresh line, and a new line must not take its stamp (a line's id)."""
    lines = tail.split(b"\n")
    for line in reversed(lines):
        try:
            stamp = json.loads(line).get("hlc")
        except (ValueError, AttributeError):
            continue
        if isinstance(stamp, int):
            return stamp
    return 0


def last_hlc(path: str | os.PathLike[str]) -> int:
    """The stamp of the last whole line of a journal file, 0 when it has none."""
    try:
        with open(path, "rb") as stream:
            return _last_hlc(_tail(stream.fileno(), os.fstat(stream.fileno()).st_size))
    except OSError:
        return 0


def _make_folder(folder: str) -> None:
    if os.path.isdir(folder):
        return
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise JournalError(errno.ENOTDIR, f"{folder} exists and is not a folder") from None
        return
    except OSError as error:
        raise JournalError(error.errno, f"{folder}: {error.strerror}") from None
    fd = os.open(os.path.dirname(folder) or ".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append(
    folder: str | os.PathLike[str],
    operations: Iterable[tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str | None]],
    *,
    writer: str | None = None,
    wait: float = 2.0,
    seen: int = 0,
) -> list[Record]:
    """Append (op, data) or (op, data, key) operations (pmtui.core.ops makes
    them) as one durable write; returns their records.

    `key` is the caller's idempotency key (`pmtui log --id`); without one the
    record's id is `writer:<its stamp>`, unique for the writer even when its
    file is removed and begun again. Nothing
    is half-written: the lines go in one write, fsync'd before returning.
    Stamps go past this writer's last one and past `seen`, the newest stamp the
    caller has read from others (the receive rule of a hybrid clock: a clone
    whose clock is behind still writes after what it has seen).
    """
    return append_span(folder, operations, writer=writer, wait=wait, seen=seen)[0]


def append_span(
    folder: str | os.PathLike[str],
    operations: Iterable[tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str | None]],
    *,
    writer: str | None = None,
    wait: float = 2.0,
    seen: int = 0,
) -> tuple[list[Record], int, int]:
    """`append`, and the bytes of the file it wrote: (records, start, end)."""
    folder = os.fspath(folder)
    writer = writer or writer_for(folder)
    _make_folder(folder)
    path = os.path.join(folder, f"{writer}.jsonl")
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        raise JournalError(error.errno, f"{path}: {error.strerror}") from None
    try:
        _lock(fd, wait)
        size = os.fstat(fd).st_size
        tail = _tail(fd, size) if size else b""
        out = bytearray(b"\n" if tail and not tail.endswith(b"\n") else b"")
        stamp = max(_last_hlc(tail), seen)
        records = []
        for op, data, *keyed in operations:
            key = keyed[0] if keyed else None
            stamp = now_hlc(stamp)
            # the line's own stamp, not its place in the file: a place repeats when the
            # file is removed or a TOML is copied without it, and a new entry under an
            # id already folded in would be taken for that one and lost
            ident = key if key else f"{writer}:{stamp}"
            record = Record(ident, stamp, writer, op, data)
            line = {"v": VERSION, "id": ident, "hlc": stamp, "w": writer, "op": op, **data}
            out += json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            records.append(record)
        view = memoryview(out)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as error:
        if isinstance(error, JournalError):
            raise
        raise JournalError(error.errno, f"{path}: {error.strerror}") from None
    finally:
        os.close(fd)  # closing drops the lock
    return records, size, size + len(out)


_ENVELOPE = ("v", "id", "hlc", "w", "op")


def _record(line: bytes) -> Record | None:
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    ident, stamp, writer, op = raw.get("id"), raw.get("hlc"), raw.get("w"), raw.get("op")
    if not (
        isinstance(ident, str)
        and isinstance(stamp, int)
        and isinstance(writer, str)
        and isinstance(op, str)
    ):
        return None
    data = {k: v for k, v in raw.items() if k not in _ENVELOPE}
    return Record(ident, stamp, writer, op, data)


def read(
    folder: str | os.PathLike[str], offsets: dict[str, int] | None = None
) -> tuple[list[Record], dict[str, int]]:
    """Every whole line after `offsets` (file name -> bytes already folded).

    Returns the records and the new offsets. A torn last line is left for
    later (its writer may still be writing it); an unreadable line is skipped.
    """
    offsets = dict(offsets or {})
    records: list[Record] = []
    for name in sorted(_files(os.fspath(folder))):
        start = offsets.get(name, 0)
        try:
            with open(os.path.join(folder, name), "rb") as stream:
                if os.fstat(stream.fileno()).st_size < start:
                    # shorter than what was folded: the file was removed and begun
                    # again; read it whole (what was folded already is known by id)
                    start = 0
                stream.seek(start)
                chunk = stream.read()
        except OSError:
            continue
        end = chunk.rfind(b"\n") + 1
        for line in chunk[:end].split(b"\n"):
            record = _record(line) if line.strip() else None
            if record is not None:
                records.append(record)
        offsets[name] = start + end
    records.sort(key=Record.order)
    return records, offsets


def _files(folder: str) -> Iterator[str]:
    try:
        with os.scandir(folder) as found:
            names = [e.name for e in found if e.name.endswith(".jsonl") and e.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return iter(())
    return iter(names)
