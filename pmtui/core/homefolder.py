"""The home screen's folder: does it hold incidents, and its catalog read aside.

`pmtui` with no path opens the home screen when the folder holds incidents.
Deciding must be quick (a `pmtui` in a code repository with a
`pyproject.toml` still starts a new incident): the folder and its direct
subfolders are looked at, and a `.toml` counts when its first 4 KB has an
`[incident]` table.

Reading 1,000 incidents takes about as long as importing Textual, and both
are Python (the interpreter lock): `scan_aside` reads the folder in a forked
process while this one imports Textual and builds the screen, and hands the
catalog over a pipe. Where fork is not possible it reads in-process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pmtui.core.catalog import Catalog, scan
from pmtui.core.journal import SUFFIX

_HEAD = 4096


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


def scan_aside(folder: Path, now: datetime | None = None) -> Callable[[], Catalog]:
    """Start reading `folder`; the function returned waits for the catalog."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        catalog = scan(folder, now)
        return lambda: catalog
    if pid == 0:  # the child: read, hand over, leave without running any exit handler
        code = 0
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(scan(folder, now), out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)

    def wait() -> Catalog:
        try:
            with os.fdopen(read_end, "rb") as stream:
                catalog: Catalog = pickle.load(stream)
        except Exception:  # the child failed: read here, errors and all
            catalog = scan(folder, now)
        finally:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        return catalog

    return wait
