"""Open an incident file for reading without trusting what the path is.

A FIFO named `inc.toml` would block a plain `open` for ever (nobody writes
to it), and a link to /dev/zero would be read until memory runs out: only
regular files are read. Standard library only (`pmtui log` uses it).
"""

from __future__ import annotations

import errno
import os
import stat


class NotRegular(OSError):
    """The path is a FIFO, a device or a socket, not a file to read."""


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The whole file; NotRegular for anything but a regular file (never blocks)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
            raise NotRegular(errno.EINVAL, f"is {kind}, not an incident file")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(fd)


def why_unreadable(error: OSError) -> str:
    """What to tell the user when `read_regular` failed, after the path."""
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not an incident file"
    if isinstance(error, NotRegular):
        return str(error.strerror)
    return f"cannot read: {error.strerror}"
