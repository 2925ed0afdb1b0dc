"""A new incident: its first facts, its first entry, and the file it goes to."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pmtui.core.errors import LoadError
from pmtui.core.model import EntryKind, Incident


def slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return words[:40].rstrip("-") or "incident"


def default_path(incident: Incident, folder: Path = Path()) -> Path:
    started = incident.local(incident.started_at)
    return folder / f"{started:%Y-%m-%d-%H%M}-{slug(incident.title)}.toml"


def new_incident(
    title: str,
    *,
    severity: str | None = None,
    timezone: str | None = None,
    commander: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """A fresh incident, detected now; raises LoadError for bad values."""
    from pydantic import ValidationError

    from pmtui.core.store import problem_text

    now = (now or datetime.now(UTC)).replace(microsecond=0)
    fields: dict[str, object] = {"title": title, "started_at": now, "detected_at": now}
    for name, value in (("severity", severity), ("timezone", timezone), ("commander", commander)):
        if value is not None:
            fields[name] = value
    try:
        incident = Incident.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise LoadError(f"{first['loc'][0]}: {problem_text(first)}") from None
    incident.add_entry("Incident declared", now, EntryKind.STATUS)
    return incident
