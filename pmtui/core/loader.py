"""Reading the rest of a big incident opened tail-first, on a thread of its own.

`IncidentStore.open(tail=N)` reads the head, the actions and the last N
entries; after first paint a `RestLoader` reads and checks the earlier ones,
and the controller (pmtui.core.control) makes the incident whole with them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pmtui.core.errors import PmtuiError
from pmtui.core.model import Incident, WholeTimeline
from pmtui.core.store import IncidentStore


class RestLoader:
    """Reads what a tail-first load left, once, on a thread of its own."""

    def __init__(self, store: IncidentStore, incident: Incident, done: Callable[[], object]):
        self.store, self.incident = store, incident
        self.done = done  # called on the loader thread when the read ends
        self.result: tuple[WholeTimeline, dict[str, Any]] | PmtuiError | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="pmtui-loader", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        try:
            self.result = self.store.read_rest(self.incident)
        except PmtuiError as error:
            self.result = error
        self.done()

    def wait(self) -> tuple[WholeTimeline, dict[str, Any]] | PmtuiError | None:
        """The read's result (a PmtuiError if the file is broken), waiting for it."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        return self.result
