"""The home screen's folder: does it hold incidents, and its catalog read aside.

`pmtui` with no path opens the home screen when the folder holds incidents.
Deciding must be quick (a `pmtui` in a code repository with a
`pyproject.toml` still starts a new incident): the folder and its direct
subfolders are looked at, and a `.toml` counts when its first 4 KB has an
`[incident]` table.

Reading 1,000 incidents takes about as long as importing Textual, and both
are Python (the interpreter lock): `scan_aside` reads the folder in a forked
process while this one imports Textual and builds the screen, and hands the
catalog over a pipe. To leave the CPU to the first paint (2 cores, shared)
it reads in two passes: before the paint each file's head, its timeline only
counted; after it, every timeline checked as `pmtui ls` does, and what the
check found (a file broken after all) handed over for the screen to show.
Where fork is not possible it reads in-process, checked at once.

What it read is kept in a cache (`$XDG_CACHE_HOME/pmtui/`, else
`~/.cache/pmtui/`, mode 0600): the next home screen over the folder (after an
incident is closed, the next `pmtui`) reads again only the files whose
inode, size or modification time changed, or whose journal did (a file's
error is kept too; a file only counted is checked again). What is
overdue is decided again each time. A cache that cannot be read or written
is only slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pmtui.core.catalog import Catalog, Known, Problem, Summary, order, problem_of, scan, summarise
from pmtui.core.journal import SUFFIX, folder_of

_HEAD = 4096
_CACHE_VERSION = 3  # 3: action items carry their ticket
Key = tuple[object, ...]
Cached = dict[str, tuple[Key, Summary | Problem, bool]]  # by name: (key, what, checked)


def _tomls(folder: Path) -> list[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found = [Path(e.path) for e in entries if e.name.endswith(".toml") and e.name[0] != "."]
    return [p for p in found if p.is_file()]


def holds_incidents(folder: Path) -> bool:
    """True when `folder` or a direct subfolder has a file with an [incident] table."""
    folders = [folder]
    with contextlib.suppress(OSError):
        folders += [
            Path(e.path)
            for e in os.scandir(folder)
            if e.is_dir() and e.name[0] != "." and not e.name.endswith(SUFFIX)
        ]
    for where in folders:
        for path in _tomls(where):
            try:
                with path.open("rb") as stream:
                    if b"[incident]" in stream.read(_HEAD):
                        return True
            except OSError:
                return True  # unreadable: the home screen lists it with its error
    return False


COMMANDS = ("new", "export", "log", "view", "ls", "actions", "report")


def home_folder(args: list[str]) -> Path | None:
    """Where `pmtui ARGS` opens the home screen: no path in a folder of incidents, or a
    folder named; None for everything else (a file, a command, an option)."""
    if not args:
        return Path() if holds_incidents(Path()) else None
    if len(args) == 1 and not args[0].startswith("-") and args[0] not in COMMANDS:
        return Path(args[0]) if os.path.isdir(args[0]) else None
    return None


class Aside:
    """The folder read in a forked process, in two passes: `Aside()` waits for the
    first, `checked()` for what the second found wrong in it.

    The first pass (before the first paint) reads each file's head and counts
    its timeline's tables; the second (once `go` says the screen is painted,
    while the user reads it) checks every table and every id as `pmtui ls`
    does, and says which files are broken (or differ) after all. Where fork is
    not possible the folder is read here, checked at once."""

    def __init__(self, folder: Path, now: datetime | None = None) -> None:
        self.folder, self.now = folder, now or datetime.now(UTC)
        self._first: Catalog | None = None
        self._lock, self._go = threading.Lock(), -1
        try:
            read_end, write_end = os.pipe()
            go_read, self._go = os.pipe()
            self._pid = os.fork()
        except OSError:
            self._first, self._pid = cached_scan(folder, self.now), 0
            return
        if self._pid == 0:  # the child: read, hand over, leave without running any exit handler
            code = 0
            try:
                os.close(read_end)
                os.close(self._go)
                _child(folder, self.now, write_end, go_read)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        os.close(go_read)
        self._stream = os.fdopen(read_end, "rb")

    def __call__(self) -> Catalog:
        if self._first is None:
            try:
                self._first = pickle.load(self._stream)
            except Exception:  # the child failed: read here, errors and all, checked
                self._first = cached_scan(self.folder, self.now)
                self.close()
        assert self._first is not None
        return self._first

    @property
    def pid(self) -> int:
        """The reading process while it runs (0: none)."""
        return self._pid

    def go(self) -> None:
        """The screen is painted: the child may check what it read (idempotent)."""
        with self._lock:  # from the UI and the checking thread: closed once, never reused
            fd, self._go = self._go, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def checked(self) -> Fixes:
        """Wait for the second pass: what the first catalog got wrong, by name."""
        first = self()
        if not self._pid:
            return {}
        self.go()
        try:
            found: Fixes = pickle.load(self._stream)
        except Exception:  # the child failed: check here
            found = fixes(first, cached_scan(self.folder, self.now))
        self.close()
        return found

    def close(self) -> None:
        """Let the child go on without us (it checks, caches and leaves); reaped here."""
        if self._pid:
            pid, self._pid = self._pid, 0
            self.go()
            self._stream.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def scan_aside(folder: Path, now: datetime | None = None) -> Aside:
    """Start reading `folder`; calling what is returned waits for the catalog."""
    return Aside(folder, now)


def _child(folder: Path, now: datetime, out_fd: int, go_fd: int) -> None:
    with os.fdopen(out_fd, "wb") as out:
        where = cache_file(folder)
        cached = _load(where)
        first, known = _scan_cached(folder, now, cached, check=False)
        pickle.dump(first, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        os.read(go_fd, 1)  # until the parent says go, or is gone
        os.close(go_fd)
        checked, known = _scan_cached(folder, now, known, check=True)
        if known != cached:
            _save(where, known)
        pickle.dump(fixes(first, checked), out, protocol=pickle.HIGHEST_PROTOCOL)


Fixes = dict[str, Summary | Problem | None]  # by name: what a file really is (None: gone)


def fixes(first: Catalog, checked: Catalog) -> Fixes:
    """Where `first` (read with check=False) differs from the same folder `checked`."""
    truly: dict[str, Summary | Problem] = {s.name: s for s in checked.incidents}
    truly.update((p.name, p) for p in checked.problems)
    return {s.name: truly.get(s.name) for s in first.incidents if truly.get(s.name) != s}


def fixed(current: Catalog, first: Catalog, found: Fixes) -> Catalog:
    """`current` with `fixes` applied to the incidents still as `first` read them
    (one read again since, by a reload or a change, is left as it is now)."""
    was = {s.name: s for s in first.incidents}
    result = replace(current, incidents=[], problems=list(current.problems))
    for summary in current.incidents:
        fix = found.get(summary.name, summary) if was.get(summary.name) is summary else summary
        if isinstance(fix, Summary):
            result.incidents.append(fix)
        elif isinstance(fix, Problem):
            result.problems.append(fix)
    order(result)
    return result


# -- the cache ------------------------------------------------------------------------
def as_of(summary: Summary, now: datetime) -> Summary:
    """`summary` with what is overdue decided again at `now` (a summary read yesterday)."""
    today = now.astimezone(summary.started_at.tzinfo).date()
    flags = [a.open and a.due is not None and a.due < today for a in summary.actions]
    if all(a.overdue is flag for a, flag in zip(summary.actions, flags, strict=True)):
        return summary  # as most are: nothing fell due since
    actions = tuple(replace(a, overdue=f) for a, f in zip(summary.actions, flags, strict=True))
    return replace(summary, actions=actions)


def cache_file(folder: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256(os.path.realpath(folder).encode()).hexdigest()[:24]
    return Path(base) / "pmtui" / f"home-{digest}.pickle"


def _key(path: Path) -> tuple[Key, bool]:
    """What says a file (and its journal) is as it was when it was read; has it a journal."""
    info = os.stat(path)
    journal: list[tuple[str, int, int]] = []
    found = True
    try:
        for entry in os.scandir(folder_of(path)):
            seen = entry.stat()
            journal.append((entry.name, seen.st_size, seen.st_mtime_ns))
    except FileNotFoundError:
        found = False
    except OSError:
        pass  # the reader says what is wrong with it
    return (info.st_ino, info.st_size, info.st_mtime_ns, tuple(sorted(journal))), found


def _load(where: Path) -> Cached:
    try:
        with where.open("rb") as stream:
            version, known = pickle.load(stream)
    except Exception:  # none yet, or from another version: read everything
        return {}
    return known if version == _CACHE_VERSION and isinstance(known, dict) else {}


def _save(where: Path, known: Cached) -> None:
    with contextlib.suppress(OSError):
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".home-", suffix=".tmp", dir=where.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump((_CACHE_VERSION, known), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, where)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def cached_scan(folder: Path, now: datetime | None = None) -> Catalog:
    """`scan(folder)`, reading again only the files changed since the last one."""
    where = cache_file(folder)
    known = _load(where)
    catalog, fresh = _scan_cached(folder, now, known, check=True)
    if fresh != known:
        _save(where, fresh)
    return catalog


def _scan_cached(
    folder: Path, now: datetime | None, known: Cached, check: bool
) -> tuple[Catalog, Cached]:
    """The folder's catalog and its cache, what `known` holds read from it; files read
    unchecked are cached as such (checked=False), read again when `check`."""
    fresh: Cached = {}

    def read(path: Path, name: str, moment: datetime) -> Summary:
        try:
            key, journal = _key(path)
        except OSError:
            return summarise(path, name, moment)  # the reader says what is wrong
        hit = known.get(name)
        if hit and hit[0] == key and (hit[2] or not check):
            fresh[name] = hit
            if isinstance(hit[1], Problem):
                raise Known(hit[1].error)
            return as_of(hit[1], moment)
        try:
            summary = summarise(path, name, moment, check, journal)
        except Exception as error:  # kept with its error: not read again until it changes
            problem = problem_of(path, name, error)
            if problem is not None and not isinstance(error, OSError):  # chmod keeps mtime
                fresh[name] = (key, problem, True)  # the real reader's verdict
            raise
        fresh[name] = (key, summary, check)
        return summary

    return scan(folder, now, read), fresh
