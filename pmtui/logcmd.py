"""`pmtui log PATH TEXT...`: add entries to an incident from a script, a bot, a shell.

It appends to the incident's journal (pmtui.core.journal), never to the TOML and
never waiting on the TUI's lock, so it works whether or not a pmtui has the
incident open. Standard library only: it starts as fast as Python does.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmtui.core.files import read_regular, why_unreadable
from pmtui.core.journal import JournalError, append, clean, folder_of, writer_name
from pmtui.core.timeparse import TimeError, local_zone, parse_time_field

TYPE_CHECKING = False  # importing typing for it costs every `pmtui log` ~3 ms

if TYPE_CHECKING:  # argparse, typing and pathlib would cost every call ~10 ms
    from collections.abc import Iterator, Sequence
    from typing import Any


KINDS = ("note", "detection", "action", "decision", "comms")
_FIELDS = ("text", "at", "kind", "author", "source", "id")
_ZONE = re.compile(r'^\s*timezone\s*=\s*"([^"\\]+)"', re.MULTILINE)
_TABLE = re.compile(r"^\s*\[", re.MULTILINE)

USAGE = """\
usage: pmtui log PATH TEXT...        add one entry to the incident
       pmtui log PATH -              one entry per line of standard input
       pmtui log PATH - --json       JSON Lines: {"text", "at", "kind", "author", "source", "id"}

options:
  --at TIME       when it happened: 19:39, 7:39 PM, -5m, or 2026-11-21T19:39:00+00:00
  --kind KIND     note (default), detection, action, decision, comms
  --author NAME   who (default: your login name)
  --source NAME   what sent it: alertmanager, deploy, a bot...
  --id KEY        an idempotency key: the same key is never added twice

Works whether or not a pmtui has the incident open; it shows there within a
second. Exit 0: every entry is on disk. 2: a bad argument or line (the lines
before it are kept, and it says how many). 1: the disk refused the write.
"""


class Refused(ValueError):
    """A bad argument or input line: one line for the user, exit 2."""


class Options:
    """The parsed command line (argparse alone would cost every call ~5 ms)."""

    VALUED = ("at", "kind", "author", "source", "id")

    def __init__(self) -> None:
        self.path = ""
        self.text: list[str] = []
        self.at: str | None = None
        self.kind = "note"
        self.author: str | None = None
        self.source: str | None = None
        self.key: str | None = None
        self.json = False
        self.not_utf8: list[int] = []  # stdin lines whose bad bytes were logged as U+FFFD

    @classmethod
    def parse(cls, argv: Sequence[str]) -> Options:
        """Options anywhere among the words; `--at -5m` and `--at=-5m` both work."""
        options, words, rest = cls(), [], list(argv)
        while rest:
            word = rest.pop(0)
            name, eq, value = word[2:].partition("=")
            if word == "--":
                words += rest
                break
            if word == "--json":
                options.json = True
            elif word.startswith("--") and name in cls.VALUED:
                if not eq:
                    if not rest:
                        raise Refused(f"{word} needs a value (see pmtui log --help)")
                    value = rest.pop(0)
                setattr(options, "key" if name == "id" else name, value)
            elif word.startswith("-") and word != "-" and not words[1:]:
                raise Refused(f"unknown option {word} (see pmtui log --help)")
            else:
                words.append(word)
        if not words:
            raise Refused("which incident? pmtui log PATH TEXT... (see pmtui log --help)")
        options.path, options.text = words[0], words[1:]
        return options


def incident_zone(path: str) -> ZoneInfo:
    """The incident's timezone, read from its [incident] table without a TOML parser."""
    try:
        head = read_regular(path)[:65536].decode("utf-8-sig", "replace")
    except FileNotFoundError:
        raise Refused(f"{path}: no such incident file") from None
    except OSError as error:
        raise Refused(f"{path}: {why_unreadable(error)}") from None
    start = head.find("[incident]")
    if start < 0:
        raise Refused(f"{path}: not an incident file (no [incident] table)")
    body = head[start + len("[incident]") :]
    following = _TABLE.search(body)
    found = _ZONE.search(body[: following.start()] if following else body)
    try:
        return ZoneInfo(found[1] if found else local_zone())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(value: str | None, now: datetime, zone: ZoneInfo) -> datetime:
    """--at: the entry bar's grammar (19:39, 7:39 PM, -5m, 2026-11-21 19:39, ISO 8601)."""
    if value is None or not value.strip():
        return now
    try:
        return parse_time_field(value, now, zone)
    except TimeError as error:
        raise Refused(f"--at: {error}") from None


def _entry(
    fields: dict[str, Any], defaults: Options, now: datetime, zone: ZoneInfo
) -> tuple[dict[str, Any], str | None]:
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused("no text to log")
    for name in ("at", "kind", "author", "source", "id"):
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise Refused(f"{name}: must be a string")
    kind = fields.get("kind") or defaults.kind
    if kind not in KINDS:
        raise Refused(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    moment = when(fields.get("at") or defaults.at, now, zone).astimezone(zone)
    data: dict[str, Any] = {
        "at": moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds"),
        "kind": kind,
        "author": clean(fields.get("author") or defaults.author or ""),
        "text": clean(text.strip()),
    }
    source = fields.get("source") or defaults.source
    if source:
        data["source"] = clean(source)
    key = fields.get("id") or None
    return data, clean(key) if key else None


def _stdin(args: Options) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, fields) for each entry of standard input, as lines arrive."""
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:  # kept, and said: a lost line would be worse
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            args.not_utf8.append(number)
        if not line.strip():
            continue
        if not args.json:
            yield number, {"text": line}
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            raise Refused(f"line {number} of standard input: not JSON ({error.msg})") from None
        if not isinstance(fields, dict):
            raise Refused(f"line {number} of standard input: not a JSON object")
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            known = ", ".join(_FIELDS)
            raise Refused(
                f"line {number} of standard input: unknown field {unknown[0]!r} (known: {known})"
            )
        yield number, fields


def _more_waiting() -> bool:
    """Is more of standard input there already? (A pipe from `tail -f` waits.)"""
    import select

    try:
        return bool(select.select([sys.stdin], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _from_stdin(args: Options, folder: str, zone: ZoneInfo) -> int:
    """Log each line; lines that arrive together go in one write. Returns how many."""
    batch: list[tuple[str, dict[str, Any], str | None]] = []
    logged = 0
    try:
        for number, fields in _stdin(args):
            try:
                batch.append(("entry", *_entry(fields, args, datetime.now(UTC), zone)))
            except Refused as error:
                raise Refused(f"line {number} of standard input: {error}") from None
            if not _more_waiting():
                append(folder, batch)
                logged, batch = logged + len(batch), []
    except Refused as error:
        if batch:
            append(folder, batch)
            logged += len(batch)
        if not logged:
            raise Refused(f"{error}; nothing was logged") from None
        lines = "the line before it is" if logged == 1 else f"the {logged} lines before it are"
        raise Refused(f"{error}; {lines} logged") from None
    if batch:
        append(folder, batch)
    return logged + len(batch)


def _say_not_utf8(numbers: list[int]) -> None:
    if numbers:
        more = f" (and {len(numbers) - 1} more)" if len(numbers) > 1 else ""
        print(
            f"pmtui log: line {numbers[0]} of standard input{more} was not UTF-8; "
            "its bad bytes were logged as \ufffd",
            file=sys.stderr,
        )


def run(argv: Sequence[str]) -> int:
    args = Options.parse(argv)
    args.author = args.author or writer_name().split("@")[0]
    zone = incident_zone(args.path)
    folder = folder_of(args.path)
    if args.text == ["-"]:
        if args.key:
            raise Refused("--id names one entry; give each line its own with --json")
        try:
            _from_stdin(args, folder, zone)
        finally:
            _say_not_utf8(args.not_utf8)
        return 0
    if args.json:
        raise Refused("--json reads standard input: pmtui log PATH - --json")
    fields = {"text": " ".join(args.text), "id": args.key}
    append(folder, [("entry", *_entry(fields, args, datetime.now(UTC), zone))])
    return 0


def main(argv: Sequence[str]) -> int:
    if list(argv[:1]) in (["-h"], ["--help"]):
        print(USAGE, end="")
        return 0
    try:
        return run(argv)
    except Refused as error:
        print(f"pmtui log: {error}", file=sys.stderr)
        return 2
    except JournalError as error:
        print(f"pmtui log: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
