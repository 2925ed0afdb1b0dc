"""A team's folder of incidents for the cross-incident tests: real files, as pmtui writes
them, plus the ones a real folder also holds (hand edits, broken files, a pyproject.toml).

`now` is tests.conftest.NOW, 2026-11-21 20:30 UTC: in Tokyo it is already the 22nd.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pmtui.core import store
from pmtui.core.journal import append, folder_of
from pmtui.core.model import ActionKind, EntryKind, Incident, Status
from tests.conftest import RAPPI

HAND_EDITED = """\
# kept by hand: comments, no ids, a quote escaped, a time without an offset
schema = 1

[incident]
title = "Status page \\"green\\" during the outage"
status = "mitigated"
timezone = "UTC"
started_at = 2026-09-14T10:00:00
detected_at = 2026-09-14T10:20:00Z
mitigated_at = 2026-09-14T12:00:00Z

[[actions]]
text = "Drive the status page from the probes"
owner = "comms"
due = 2026-09-30
ticket = "https://tracker.example.com/OPS-12"

[[timeline]]
at = 2026-09-14T10:20:00Z
text = "customers report \\"everything is down\\""
"""

NOT_AN_INCIDENT = '[project]\nname = "runbooks"\nversion = "1.0"\n'


def _incident(
    title: str,
    zone: str,
    severity: str | None,
    started: datetime,
    minutes: tuple[int | None, int | None, int | None],
    entries: int = 3,
) -> Incident:
    incident = Incident(title=title, timezone=zone, severity=severity, started_at=started)
    detect, mitigate, resolve = (
        None if m is None else started + timedelta(minutes=m) for m in minutes
    )
    incident.detected_at = detect
    for n in range(entries):
        incident.add_entry(f"step {n} | of {title}", started + timedelta(minutes=n), EntryKind.NOTE)
    if mitigate:
        incident.mitigated_at, incident.status = mitigate, Status.MITIGATED
    if resolve:
        incident.resolved_at, incident.status = resolve, Status.RESOLVED
    return incident


def _save(incident: Incident, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_atomic(path, store.dumps(incident).encode())
    return path


def _action(incident: Incident, text: str, owner: str | None, due: date | None, done: bool) -> None:
    item = incident.add_action(text, ActionKind.CORRECTIVE, owner=owner, due=due)
    if done:
        incident.replace_action(item.id, status="done")


def build(folder: Path) -> Path:
    """Fill `folder` with the test incidents; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(RAPPI, folder / "rappi-orders-api.toml")

    checkout = _incident(
        "Checkout returns 500", "Europe/London", "SEV1",
        datetime(2026, 11, 20, 9, 0, tzinfo=UTC), (5, 35, 120),
    )  # fmt: skip
    _action(checkout, "Add a canary for the payment path", "ana", date(2026, 11, 15), False)
    _action(checkout, "Alert on 5xx per region", "@Ana", date(2026, 12, 1), False)
    _action(checkout, "Cap the connection pool", "db-team", date(2026, 11, 10), True)
    _save(checkout, folder / "2026-11-20-0900-checkout-returns-500.toml")

    dns = _incident(
        "DNS flaps in eu-west", "America/New_York", "SEV2",
        datetime(2026, 10, 3, 14, 0, tzinfo=UTC), (12, 50, None), entries=40,
    )  # fmt: skip
    _action(dns, "Lower the resolver TTL", None, date(2026, 10, 20), False)
    _action(dns, "Write the resolver runbook", "db-team", None, False)
    path = _save(dns, folder / "2026-10-03-1000-dns-flaps.toml")
    entries = [
        ("entry", {"at": "2026-10-03T15:00:00+00:00", "text": f"bot {n}"}, None) for n in (1, 2)
    ]
    append(folder_of(path), entries, writer="bot@ci")  # logged by a script, not folded yet

    search = _incident(
        "Search is slow", "Asia/Tokyo", "SEV3",
        datetime(2026, 11, 21, 19, 0, tzinfo=UTC), (4, None, None),
    )  # fmt: skip
    # due "yesterday" in Tokyo (it is the 22nd there), still today in London
    _action(search, "Add an index on orders.created", "ana", date(2026, 11, 21), False)
    _save(search, folder / "2026-11-22-0400-search-is-slow.toml")

    old = _incident(
        "Deploys stuck", "UTC", "SEV2", datetime(2025, 6, 1, 8, 0, tzinfo=UTC), (30, 90, 240)
    )
    _action(old, "Time out stuck deploys", "release", date(2025, 7, 1), True)
    _save(old, folder / "2025" / "2025-06-01-0800-deploys-stuck.toml")

    (folder / "status-page.toml").write_text(HAND_EDITED)
    # conflict copies pmtui kept beside an incident (pmtui.guard.beside): not incidents
    shutil.copy(
        folder / "2026-11-20-0900-checkout-returns-500.toml",
        folder / "2026-11-20-0900-checkout-returns-500.theirs-091500.toml",
    )
    (folder / "status-page.mine-120000.toml").write_text(HAND_EDITED)
    (folder / "pyproject.toml").write_text(NOT_AN_INCIDENT)
    broken = (folder / "2026-11-20-0900-checkout-returns-500.toml").read_text()
    (folder / "broken-cut.toml").write_text(broken[: broken.index("[[actions]]") + 5])
    (folder / "bad-zone.toml").write_text(
        broken.replace('timezone = "Europe/London"', 'timezone = "Mars/Olympus"')
    )
    (folder / "dup-ids.toml").write_text(broken.replace('id = "t2"', 'id = "t1"'))
    (folder / "latin1.toml").write_bytes(b'schema = 1\n[incident]\ntitle = "caf\xe9"\n')
    hidden = folder / ".git"
    hidden.mkdir()
    (hidden / "config.toml").write_text("not = [ toml")
    return folder
