"""`pmtui sync PATH`: sync a shared incident once, for scripts and cron.

Exit 0: the remote holds everything this clone wrote, and this folder holds
what the others pushed. 1: the remote could not be reached or refused us;
everything stays here, queued for the next sync. 2: bad usage (no PATH, or a
folder that is not shared). No Textual and no pydantic: it starts quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from pmtui.core.gitsync import GitError, NotShared, share, sync

USAGE = """\
usage: pmtui sync PATH                 sync the shared incident at PATH once (a file or its folder)
       pmtui sync PATH --share REMOTE  start sharing an incident already under way

Sends this clone's journal to the git remote and brings the others' entries.
Exit 0: synced. 1: offline or refused (everything is kept here, and queued).
2: bad usage, or PATH is not in a shared folder (pmtui new --share REMOTE).
"""


def _parse(args: list[str]) -> tuple[Path, str | None] | str:
    """(path, remote to share with) or what is wrong with the command line."""
    remote = None
    if "--share" in args:
        at = args.index("--share")
        if at + 1 >= len(args):
            return "--share needs a REMOTE (a git URL)"
        remote = args[at + 1]
        args = args[:at] + args[at + 2 :]
    if len(args) != 1 or args[0].startswith("-"):
        return "give one PATH (see pmtui sync --help)"
    path = Path(args[0])
    if not path.exists():
        return f"{path}: no such file or folder"
    if remote is not None and path.suffix != ".toml":
        return f"{path}: --share takes the incident's .toml file"
    return path, remote


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args[:1] in (["-h"], ["--help"]):
        print(USAGE, end="")
        return 0
    parsed = _parse(args)
    if isinstance(parsed, str):
        print(f"pmtui sync: {parsed}", file=sys.stderr)
        return 2
    path, remote = parsed
    try:
        result = share(path, remote) if remote else sync(path)
    except NotShared as error:
        print(f"pmtui sync: {error}", file=sys.stderr)
        return 2
    except GitError as error:
        print(f"pmtui sync: {error}; everything is kept here", file=sys.stderr)
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"pmtui sync: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    for note in result.notes:
        print(f"pmtui sync: {note}", file=sys.stderr)
    if not result.ok:
        said = f"{result.line()} ({result.reason})" if result.offline else result.line()
        print(f"pmtui sync: {said}", file=sys.stderr)
        return 1
    print(result.line())
    return 0
