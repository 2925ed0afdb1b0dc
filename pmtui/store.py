"""Load and save incident files (schema 1) without ever losing data.

Reading: tomli (a UTF-8 BOM is accepted), then pydantic; every failure is one
line naming the file and the line/column or the field. Writing: each entry's
TOML text is cached (entries are immutable, so identity says it is current);
a save joins the blocks, writes a 0600 temp file beside the incident, fsyncs
it, replaces the incident file and fsyncs the folder. A `flock` on
`<name>.toml.lock` keeps a second pmtui out.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import socket
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli
import tomli_w
from pydantic import ValidationError

from pmtui.errors import ConflictError, LoadError, LockedError, SaveError
from pmtui.fastload import count_tables, read_timeline, split_timeline, tail_start
from pmtui.model import SCHEMA, ActionItem, Incident, TimelineEntry, WholeTimeline, local_zone

_LISTS = ("actions", "timeline")
_SKIP_IF_EMPTY = {"summary", "impact", "root_cause", "resolution"}


# -- reading ------------------------------------------------------------------
def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a folder, not an incident file") from None
    except OSError as error:
        raise LoadError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LoadError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x})") from None


def _field_name(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    if loc and loc[0] in _LISTS:
        name = str(loc[0])
        if len(loc) > 1 and isinstance(loc[1], int):
            items = data.get(name) or []
            item = items[loc[1]] if loc[1] < len(items) else None
            ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
            name += f"[{loc[1]}]" + (f" (id {ident})" if isinstance(ident, str) else "")
            rest = loc[2:]
        else:
            rest = loc[1:]
        return ".".join([name, *map(str, rest)])
    return ".".join(["incident", *map(str, loc)])


def problem_text(error: Any) -> str:
    kind = error["type"]
    if kind == "enum":
        return "must be one of " + ", ".join(re.findall(r"'([^']*)'", error["ctx"]["expected"]))
    if kind == "missing":
        return "is required"
    if kind == "timezone_aware":
        return "needs a time with a UTC offset"
    message = str(error["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _attach_zone(table: dict[str, Any], zone: ZoneInfo) -> None:
    for key, value in table.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            table[key] = value.replace(tzinfo=zone)


def _toml(text: str, name: str | Path) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        message = error.msg[:1].lower() + error.msg[1:]
        raise LoadError(f"{name}:{error.lineno}:{error.colno}: {message}") from None


def _zone_of(table: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(str(table.get("timezone") or local_zone()))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # the model reports the bad name itself


def _by_id(blocks: list[tuple[TimelineEntry, str]]) -> dict[str, tuple[TimelineEntry, str]]:
    """Canonical (entry, TOML block) pairs keyed as the writer's cache keys them."""
    return {entry.id: (entry, block) for entry, block in blocks}


@dataclass(frozen=True)
class Rest:
    """The earlier timeline tables of a file opened tail-first, still to read."""

    text: str
    name: str | Path
    start: int  # where the first [[timeline]] table begins
    end: int  # where the tables already read begin

    def read(
        self, zone: ZoneInfo, tail: list[TimelineEntry]
    ) -> tuple[WholeTimeline, dict[str, tuple[TimelineEntry, str]]]:
        """The whole timeline (earlier entries + `tail`) and the canonical blocks by id.

        Safe on another thread: it reads text and makes new objects. When the
        earlier tables are not in pmtui's shape, the whole file is read the
        slow way, which also finds any error in it (LoadError).
        """
        found = read_timeline(self.text, self.start, zone, self.end)
        if found is None:
            entries, blocks = parse(self.text, self.name).timeline, []
        else:
            entries, blocks = found[0] + tail, found[1]
        try:
            return WholeTimeline.of(entries), _by_id(blocks)
        except ValueError as error:
            raise LoadError(f"{self.name}: timeline: {error}") from None


def _read_fast(
    text: str, name: str | Path, tail: int = 0
) -> tuple[dict[str, Any], list[TimelineEntry], list[Any], Rest | None] | None:
    """The fast path (pmtui.fastload) when the file is in pmtui's own shape.

    With `tail`, only the last `tail` timeline tables are read; the Rest says
    where the others are.
    """
    head, start = split_timeline(text)
    if start < 0:
        return None
    try:
        data = tomli.loads(head)
    except tomli.TOMLDecodeError:
        return None
    table = data.get("incident")
    if "timeline" in data or not isinstance(table, dict):
        return None
    begin = tail_start(text, start, tail) if tail else start
    found = read_timeline(text, begin, _zone_of(table))
    if found is None:
        return None
    return data, *found, Rest(text, name, start, begin) if begin > start else None


def parse(text: str, name: str | Path, tail: int = 0) -> Incident:
    """Parse and validate an incident file's text; LoadError on any problem.

    With `tail` (a big file in pmtui's own shape), only the last `tail`
    entries are read: the incident is `loading` until `finish_loading`.
    """
    fast = _read_fast(text, name, tail)
    data = fast[0] if fast else _toml(text, name)
    schema = data.pop("schema", SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise LoadError(f"{name}: schema: must be {SCHEMA}")
    if schema > SCHEMA:
        raise LoadError(
            f"{name}: schema {schema} is newer than this pmtui understands ({SCHEMA}); "
            "upgrade pmtui to open it"
        )
    table = data.pop("incident", None)
    if not isinstance(table, dict):
        raise LoadError(f"{name}: no [incident] table")
    for key in _LISTS:
        items = data.pop(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise LoadError(f"{name}: {key}: must be a list of [[{key}]] tables")
        table[key] = items
    zone = _zone_of(table)
    _attach_zone(table, zone)
    if fast:
        table["timeline"] = fast[1]
    else:
        for entry in table["timeline"]:
            _attach_zone(entry, zone)
        _fill_missing_ids(table["timeline"], "t")
    _fill_missing_ids(table["actions"], "a")
    try:
        incident = Incident.model_validate(table)
    except ValidationError as error:
        first = error.errors()[0]
        raise LoadError(
            f"{name}: {_field_name(first['loc'], table)}: {problem_text(first)}"
        ) from None
    incident._file_extra = data
    incident._canonical_blocks = fast[2] if fast else []
    if fast is not None and fast[3] is not None:
        rest = incident._rest = fast[3]
        incident._loading = count_tables(text, rest.start, rest.end) + len(fast[1])
    return incident


def _fill_missing_ids(items: list[dict[str, Any]], prefix: str) -> None:
    used = {str(item["id"]) for item in items if "id" in item}
    number = 1
    for item in items:
        if "id" not in item:
            while f"{prefix}{number}" in used:
                number += 1
            item["id"] = f"{prefix}{number}"
            used.add(item["id"])


def load(path: Path, tail: int = 0) -> Incident:
    """Read an incident without locking it (export, preview)."""
    text = read_text(path)
    # a load allocates an object graph that lives as long as the incident;
    # the cyclic collector walking it over and over cost a third of the time
    enabled = gc.isenabled()
    gc.disable()
    try:
        return parse(text, path, tail)
    finally:
        if enabled:
            gc.enable()


# -- writing ------------------------------------------------------------------
def _plain(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(zone)
    return value


def _table(record: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    return {
        key: _plain(value, zone)
        for key, value in record.items()
        if value is not None and not (key in _SKIP_IF_EMPTY and value == "")
    }


_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*\Z')


def toml_string(value: str) -> str:
    """A TOML basic string; the common case skips tomli-w's escaping loop."""
    if _PLAIN.match(value):
        return f'"{value}"'
    return tomli_w.dumps({"x": value})[4:-1]


def entry_block(entry: TimelineEntry, zone: ZoneInfo) -> str:
    """One [[timeline]] table, as tomli-w would write it, about ten times faster."""
    if entry.model_extra:
        return "\n[[timeline]]\n" + tomli_w.dumps(_table(entry.model_dump(), zone))
    at = entry.at.astimezone(zone).isoformat(sep=" ")
    author = f"author = {toml_string(entry.author)}\n" if entry.author is not None else ""
    return (
        f"\n[[timeline]]\nid = {toml_string(entry.id)}\nat = {at}\n"
        f'kind = "{entry.kind.value}"\n{author}text = {toml_string(entry.text)}\n'
    )


@dataclass(frozen=True)
class Snapshot:
    """What a save writes: cheap to take on the UI thread, rendered elsewhere."""

    timezone: str
    head: dict[str, Any]
    extra: dict[str, Any]
    actions: tuple[ActionItem, ...]
    timeline: tuple[TimelineEntry, ...]


def snapshot(incident: Incident) -> Snapshot:
    if incident.loading:
        # a save now would drop every entry not read yet
        raise RuntimeError("snapshot of an incident still loading")
    head = incident.model_dump(exclude=set(_LISTS))
    return Snapshot(
        incident.timezone,
        head,
        dict(incident._file_extra),
        tuple(incident.actions),
        tuple(incident.timeline),
    )


@dataclass
class TomlWriter:
    """Renders snapshots to TOML, caching each entry's block by identity.

    It also keeps the last timeline it rendered and that text: a save after
    a stamp (the timeline grew at its end) costs one new block and a copy,
    not a walk over every entry. The saver renders on its own thread, and a
    walk over 10,000 entries held the interpreter lock long enough to make
    the UI miss a frame.
    """

    _zone_name: str = ""
    _blocks: dict[str, tuple[TimelineEntry, str]] = field(default_factory=dict)
    _actions: dict[str, tuple[ActionItem, str]] = field(default_factory=dict)
    _head: tuple[dict[str, Any], dict[str, Any], str] | None = None
    _body: tuple[tuple[TimelineEntry, ...], bytes] = ((), b"")

    def seed(self, incident: Incident) -> None:
        """Start warm: take the blocks the fast loader found canonical."""
        self._zone_name = incident.timezone
        self.warm(_by_id(incident._canonical_blocks))
        incident._canonical_blocks = []

    def warm(self, blocks: dict[str, tuple[TimelineEntry, str]]) -> None:
        """Take more canonical blocks, by entry id (a tail-first load's rest)."""
        self._blocks.update(blocks)

    def render(self, snap: Snapshot) -> str:
        return self.render_bytes(snap).decode("utf-8")

    def render_bytes(self, snap: Snapshot) -> bytes:
        """The file's UTF-8 bytes: what a save writes."""
        zone = ZoneInfo(snap.timezone)
        if snap.timezone != self._zone_name:
            self._blocks.clear()
            self._actions.clear()
            self._head, self._body = None, ((), b"")
            self._zone_name = snap.timezone
        parts = [self._render_head(snap, zone)]
        actions = self._actions
        for item in snap.actions:
            done = actions.get(item.id)
            if done is None or done[0] is not item:
                text = "\n[[actions]]\n" + tomli_w.dumps(_table(item.model_dump(), zone))
                done = actions[item.id] = (item, text)
            parts.append(done[1])
        return "".join(parts).encode("utf-8") + self._render_timeline(snap.timeline, zone)

    def _render_head(self, snap: Snapshot, zone: ZoneInfo) -> str:
        if self._head is not None and self._head[:2] == (snap.head, snap.extra):
            return self._head[2]
        table = _table(snap.head, zone)
        # multi-line free text reads best as """...""", but TOML may turn a
        # raw CR LF inside one into LF: keep such text on one escaped line
        readable = not any(isinstance(v, str) and "\r" in v for v in table.values())
        text = tomli_w.dumps({"schema": SCHEMA, "incident": table}, multiline_strings=readable)
        if snap.extra:
            text += "\n" + tomli_w.dumps(snap.extra)
        self._head = (snap.head, snap.extra, text)
        return text

    def _render_timeline(self, timeline: tuple[TimelineEntry, ...], zone: ZoneInfo) -> bytes:
        done, body = self._body
        # the tuples compare item by item, identity first: C speed, no Python loop
        if len(timeline) >= len(done) and timeline[: len(done)] == done:
            start = len(done)
        else:
            start, body = 0, b""
        blocks = self._blocks
        parts = []
        for entry in timeline[start:]:
            hit = blocks.get(entry.id)
            if hit is None or hit[0] is not entry:
                hit = blocks[entry.id] = (entry, entry_block(entry, zone))
            parts.append(hit[1])
        body += "".join(parts).encode("utf-8")
        self._body = (timeline, body)
        if len(blocks) > 2 * len(timeline) + 64:
            live = {entry.id for entry in timeline}
            self._blocks = {k: v for k, v in blocks.items() if k in live}
        return body


def dumps(incident: Incident) -> str:
    return TomlWriter().render(snapshot(incident))


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


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file.

    A device or FIFO (`-o /dev/null`) is refused: replacing it would put a
    plain file where the device was. Callers that mean to stream into one
    check `is_special` first.
    """
    if is_special(path):
        raise SaveError(f"could not save {path}: not a regular file")
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise SaveError(f"could not save {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_folder(folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(f"could not save {path}: {error.strerror or error}") from None


def remove_leftovers(path: Path) -> list[Path]:
    """Remove temp files left by a save that was killed; returns what went."""
    removed = []
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        try:
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

    def acquire(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as error:
            raise LockedError(f"cannot lock {self.incident_path}: {error.strerror}") from None
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
        try:
            info = tomli.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
            since = info["since"].astimezone().strftime("%H:%M")
            return f"pid {info['pid']} on {info['host']}, since {since}"
        except (OSError, KeyError, AttributeError, tomli.TOMLDecodeError):
            return "holder unknown"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _fingerprint(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class IncidentStore:
    """An incident file held open by one pmtui: locked, loaded, saved.

    It remembers the file as it last read or wrote it; a save finding the
    file changed by someone else raises ConflictError instead of clobbering.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = IncidentLock(path)
        self.writer = TomlWriter()
        self._seen: tuple[int, int, int] | None = None

    def open(self, tail: int = 0) -> Incident:
        """Lock and load the file. The lock is released again on failure.

        With `tail`, a big file is opened tail-first: see `parse`. Nothing is
        saved from an incident until `finish_loading` has made it whole.
        """
        self.lock.acquire()
        try:
            remove_leftovers(self.path)
            return self.reload(tail)
        except BaseException:
            self.lock.release()
            raise

    def reload(self, tail: int = 0) -> Incident:
        """Read the file as it is on disk now, and take it as the one to save over."""
        seen = _fingerprint(self.path)
        incident = load(self.path, tail)
        self.writer.seed(incident)
        self._seen = seen
        return incident

    @staticmethod
    def read_rest(incident: Incident) -> tuple[WholeTimeline, dict[str, Any]]:
        """Read what a tail-first load left (any thread); LoadError if broken."""
        rest = incident._rest
        assert isinstance(rest, Rest)
        return rest.read(incident.zone, list(incident.timeline))

    def finish_loading(
        self, incident: Incident, read: tuple[WholeTimeline, dict[str, Any]]
    ) -> None:
        """Make a tail-first incident whole with what `read_rest` returned."""
        whole, blocks = read
        incident.adopt_timeline(whole)
        self.writer.warm(blocks)

    def accept_disk(self) -> None:
        """Overwrite whatever is on disk at the next save (after keeping a copy)."""
        self._seen = _fingerprint(self.path)

    def create(self, incident: Incident) -> None:
        """Lock a new file and write `incident` to it; refuses an existing file."""
        if self.path.exists():
            raise SaveError(f"{self.path} already exists")
        self.lock.acquire()
        try:
            self.save(snapshot(incident))
        except BaseException:
            self.lock.release()
            raise

    def save(self, snap: Snapshot) -> None:
        current = _fingerprint(self.path)
        if self._seen is not None and current is not None and current != self._seen:
            raise ConflictError(f"{self.path} was changed on disk by someone else")
        write_atomic(self.path, self.writer.render_bytes(snap))
        self._seen = _fingerprint(self.path)

    def close(self) -> None:
        self.lock.release()
