"""The open pmtui (and `pmtui view`) of a shared incident syncs in the background.

One call from the app: `attach(app, path)`. When the incident's folder is a
git work tree, a `Syncer` thread syncs a few seconds after this clone's
journal grows and polls for the others' entries; each result is shown in the
status bar ('synced 12:01:03 · also here: bo', 'offline, 5 queued'). What the
sync brings lands in the journal folder, where the app's journal poll folds
it like any other writer's lines. Outside a git work tree nothing starts.
"""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path
from typing import Any

from textual.app import App
from textual.containers import Horizontal
from textual.css.query import NoMatches

from pmtui.core.gitsync import SyncResult
from pmtui.core.journal import folder_of, git_dir_of
from pmtui.core.syncer import Syncer
from pmtui.widgets import SaveIndicator, SyncStatus


def attach(app: App[Any], path: Path, zone: tzinfo | None = None) -> Syncer | None:
    """Start syncing `path` in the background when it is in a git work tree."""
    if git_dir_of(os.path.dirname(folder_of(path))) is None:
        return None
    status = SyncStatus(zone, id="sync")

    latest: list[SyncResult] = []  # what a retry shows
    retrying: list[bool] = []

    def retry() -> None:
        retrying.clear()
        shown(latest[0])

    def shown(result: SyncResult) -> None:
        latest[:] = [result]
        if not status.is_attached:
            for screen in reversed(app.screen_stack):  # under a dialog, too
                try:
                    bar = screen.query_one("#statusbar", Horizontal)
                    saved = bar.query_one(SaveIndicator)
                except NoMatches:
                    continue
                bar.mount(status, before=saved)
                break
            else:  # the main screen is not up yet (still opening)
                if not retrying:
                    retrying.append(True)
                    app.set_timer(0.5, retry)
                return
        status.show(result)

    def arrived(result: SyncResult) -> None:
        if not app.is_running:  # the app has exited: so does this thread
            syncer.stop()
            return
        try:
            app.call_from_thread(shown, result)
        except RuntimeError:  # it exited just now
            syncer.stop()

    syncer = Syncer(path, arrived)
    return syncer.start()
