"""Conflict copies: what pmtui writes beside an incident when two versions meet or a
save fails (pmtui.guard.beside). Listed with their incident, never as incidents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Copy", "copy_of"]

# what pmtui writes beside an incident when two versions meet or a save fails
# (pmtui.guard.beside): inc.toml -> inc.theirs-194207.toml
_COPY = re.compile(r"(?P<stem>.+)\.(?P<label>theirs|mine|rescued)-\d{6}\.toml")


@dataclass(frozen=True)
class Copy:
    """A conflict copy pmtui kept beside an incident: listed with it, never as one."""

    path: Path
    name: str
    of: str  # the incident's name
    label: str  # theirs | mine | rescued


def copy_of(path: Path) -> tuple[Path, str] | None:
    """The incident file `path` is a conflict copy of, and its label; None if it is none.

    A file named like a copy whose incident is not beside it is an incident of its own.
    """
    found = _COPY.fullmatch(path.name)
    if found is None:
        return None
    base = path.with_name(found["stem"] + ".toml")
    return (base, found["label"]) if base.is_file() else None
