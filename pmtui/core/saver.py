"""Saves off the UI thread: bursts coalesce, order is kept, failures retry.

The UI thread hands over a snapshot (cheap: tuples of immutable entries);
one background thread renders and writes the newest snapshot. Because there
is one writer and it always takes the newest, saves are never reordered and
a burst of changes costs one write.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pmtui.core.errors import ConflictError, SaveError
from pmtui.core.store import IncidentStore, Snapshot


@dataclass(frozen=True)
class SaveResult:
    generation: int  # the newest change this save contains
    at: datetime
    error: str | None = None  # None when the save succeeded
    seconds: float = 0.0
    conflict: bool = False  # the file changed on disk: waiting for the IC


class Saver:
    """One background writer for one IncidentStore."""

    RETRY_SECONDS = 2.0
    MAX_WAIT = 10.0

    def __init__(
        self,
        store: IncidentStore,
        on_result: Callable[[SaveResult], object] | None = None,
        quiet: float = 0.0,
    ) -> None:
        """`quiet`: wait for a pause this long in the requests before writing (a
        checkpoint, when each change is already durable in the journal: a big TOML's
        fsync would hold up the next journal append); `flush` and `stop` write at once,
        and a checkpoint is never put off for more than MAX_WAIT seconds."""
        self.store = store
        self.on_result = on_result
        self.quiet = quiet
        self._hurry = 0  # callers of flush waiting: no quiet wait
        self._first = 0.0  # when the oldest unsaved request came
        self._last = 0.0  # when the newest request came
        self._cond = threading.Condition()
        self._pending: Snapshot | None = None
        self._requested = 0  # generation of the newest request
        self._saved = 0  # generation of the newest durable save
        self._failed = 0  # generation of the newest failed attempt
        self._stopping = False
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="pmtui-saver", daemon=True)
        self._thread.start()

    @property
    def requested(self) -> int:
        """The generation of the newest change handed over (SaveResult.generation)."""
        with self._cond:
            return self._requested

    @property
    def dirty(self) -> bool:
        with self._cond:
            return self._saved < self._requested

    def request(self, snap: Snapshot) -> int:
        """Queue `snap` to be written; returns its generation."""
        with self._cond:
            self._last = time.monotonic()
            if self._pending is None:
                self._first = self._last
            self._requested += 1
            self._pending = snap
            self._cond.notify_all()
            return self._requested

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every requested change is on disk; False on timeout or failure."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._hurry += 1
            self._cond.notify_all()
            try:
                while self._saved < self._requested:
                    if self._failed >= self._requested:
                        return False  # the newest change has failed to save at least once
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining if remaining is not None else 0.5)
                return True
            finally:
                self._hurry -= 1

    def stop(self, timeout: float = 10.0) -> bool:
        """Write what is pending, then end the thread. True when all was saved."""
        saved = self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)
        return saved

    def _run(self) -> None:
        failed: tuple[Snapshot, int] | None = None
        while True:
            with self._cond:
                while self._pending is None and failed is None and not self._stopping:
                    self._cond.wait()
                while self._pending is not None and not (self._stopping or self._hurry):
                    now = time.monotonic()
                    left = min(self._last + self.quiet, self._first + self.MAX_WAIT) - now
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._pending is None and failed is None:
                    return
                if self._pending is not None:
                    snap, generation = self._pending, self._requested
                    self._pending = None
                else:
                    assert failed is not None
                    snap, generation = failed
            started = time.perf_counter()
            try:
                self.store.save(snap)
            except ConflictError as error:
                # not retried: the IC chooses (keep mine / reload), then requests again
                with self._cond:
                    self.last_error = str(error)
                    self._failed = max(self._failed, generation)
                    self._cond.notify_all()
                self._report(SaveResult(generation, datetime.now(UTC), str(error), conflict=True))
                continue
            except SaveError as error:
                result = SaveResult(generation, datetime.now(UTC), str(error))
                failed = (snap, generation)
                with self._cond:
                    self.last_error = str(error)
                    self._failed = max(self._failed, generation)
                    self._cond.notify_all()
                self._report(result)
                with self._cond:
                    if self._pending is None and not self._stopping:
                        self._cond.wait(self.RETRY_SECONDS)
                    if self._stopping and self._pending is None:
                        return
                continue
            failed = None
            result = SaveResult(generation, datetime.now(UTC), None, time.perf_counter() - started)
            with self._cond:
                self._saved = max(self._saved, generation)
                self.last_error = None
                self._cond.notify_all()
            self._report(result)
            self.store.tidy()  # after the report: see IncidentStore.save
            with contextlib.suppress(OSError):
                self.store.lock.check()  # a deleted lock file is locked again at once

    def _report(self, result: SaveResult) -> None:
        if self.on_result is not None:
            with contextlib.suppress(Exception):  # a closed UI must not kill the writer
                self.on_result(result)
