"""Background sync of a shared incident, in a thread of its own.

A few seconds after this clone's journal grows (what the IC, a view or
`pmtui log` wrote here), and every POLL seconds for what the others pushed,
it runs one `gitsync.sync` and hands the result to a callback. Typing never
waits on it: git runs in this thread, and the callback is the caller's to
bring back to its UI thread. Whatever fails (the link, git itself) becomes an
offline result, never an exception in the caller.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pmtui.core import gitsync
from pmtui.core.journal import folder_of

DELAY = 2.0  # seconds after this clone writes: bursts of typing go in one commit
POLL = 5.0  # seconds between looks at the remote for the others' entries
WATCH = 0.5  # seconds between looks at our own journal files


class Syncer:
    def __init__(
        self,
        path: Path,
        on_result: Callable[[gitsync.SyncResult], None],
        *,
        delay: float | None = None,
        poll: float | None = None,
        watch: float | None = None,
    ) -> None:
        self.path = path
        self.on_result = on_result
        self.delay = DELAY if delay is None else delay
        self.poll = POLL if poll is None else poll
        self.watch = WATCH if watch is None else watch
        self.folder = folder_of(path)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pmtui-sync", daemon=True)
        self.syncs = 0

    def start(self) -> Syncer:
        self._thread.start()
        return self

    def poke(self) -> None:
        """Sync now (after `delay`), not at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 0.0) -> None:
        """Stop; a sync under way finishes (or is killed with the process: that is safe)."""
        self._stop.set()
        self._wake.set()
        if timeout:
            self._thread.join(timeout)

    def _sizes(self) -> dict[str, int]:
        try:
            with os.scandir(self.folder) as found:
                return {e.name: e.stat().st_size for e in found if e.name.endswith(".jsonl")}
        except OSError:
            return {}

    def _run(self) -> None:
        sizes = self._sizes()
        due = time.monotonic()  # at once: show where we stand
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= due:
                self._sync_once()
                sizes = self._sizes()  # the others' files the sync wrote are not news
                due = time.monotonic() + self.poll
                continue
            woken = self._wake.wait(min(self.watch, max(0.0, due - now)))
            if self._stop.is_set():
                return
            if woken:
                self._wake.clear()
                due = min(due, time.monotonic() + self.delay)
            seen = self._sizes()
            if seen != sizes:
                sizes = seen
                due = min(due, time.monotonic() + self.delay)

    def _sync_once(self) -> None:
        try:
            result = gitsync.sync(self.path)
        except gitsync.NotShared:  # a git work tree without a remote: nothing to sync with
            self._stop.set()
            return
        except (gitsync.GitError, OSError) as error:
            result = gitsync.SyncResult(False, datetime.now(UTC), reason=str(error), offline=False)
        self.syncs += 1
        if not self._stop.is_set():
            self.on_result(result)
