"""Follow-up from outside an incident: mark an action item done (or open again).

The home screen lists action items across incidents; changing one goes
through the same path as the app: the incident's lock (an incident open in
another pmtui is refused, naming who holds it), the session's change, an
atomic save, the lock released. Nothing else in the file changes.
"""

from __future__ import annotations

from pathlib import Path

from pmtui.core.errors import SaveError
from pmtui.core.model import ActionStatus
from pmtui.core.session import Session, utc_now
from pmtui.core.store import IncidentStore


def set_action_done(path: Path, action_id: str, done: bool) -> str:
    """Mark `action_id` in the incident at `path` done (or open); says what it did.

    LockedError when another pmtui holds the incident; LoadError when it cannot be
    read; SaveError when the item is gone or the file cannot be written.
    """
    store = IncidentStore(path)
    incident = store.open()
    try:
        try:
            item = incident.actions[incident.action_index(action_id)]
        except KeyError:
            raise SaveError(f"{path}: no action item {action_id} any more") from None
        status = ActionStatus.DONE if done else ActionStatus.OPEN
        if item.status is status:
            return f"{action_id} in {path} was already {status.value}"
        Session(incident, utc_now).edit_action(action_id, status=status)
        store.save(store.snapshot(incident))  # with the file's other tables
        return f"{action_id} in {path} marked {status.value}"
    finally:
        store.close()
