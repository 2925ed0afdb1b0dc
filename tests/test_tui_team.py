"""The open pmtui of a shared incident syncs in the background: what another clone
logged shows on screen, the status bar says where the link stands, typing is
never disturbed."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from pmtui.core import gitsync, syncer
from pmtui.core.fold import load_whole
from pmtui.core.syncer import Syncer
from pmtui.screens.main import MainScreen
from pmtui.widgets import SyncStatus
from tests.team import pmtui, start_team, team_env
from tests.tui import SIZE, open_app, screen_rows, type_text

__all__ = ["team_env"]  # the fixture, used by name


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll the remote twice a second: the tests wait on what arrives, not on a clock."""
    monkeypatch.setattr(syncer, "POLL", 0.5)
    monkeypatch.setattr(syncer, "DELAY", 0.2)


async def wait_until(pilot, what, check) -> None:
    for _ in range(100):
        await pilot.pause(0.1)
        if check():
            return
    raise AssertionError(f"{what} never happened:\n" + "\n".join(screen_rows(pilot.app)))


def sync_text(app) -> str:
    found = app.screen.query(SyncStatus)
    return found.first().text if found else ""


async def test_another_clones_entry_shows_and_the_status_bar_says_synced(
    tmp_path: Path, team_env: dict[str, str], quick: None
) -> None:
    remote, (a, b, _c) = start_team(tmp_path, team_env)
    app = open_app(a)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "half a line")
        assert pmtui("log", str(b), "restarted the pods", env=team_env, user="bo").returncode == 0
        assert pmtui("sync", str(b), env=team_env, user="bo").returncode == 0
        await wait_until(
            pilot, "bo's entry", lambda: any("restarted the pods" in r for r in screen_rows(app))
        )
        await wait_until(pilot, "'also here: bo'", lambda: "also here: bo" in sync_text(app))
        assert sync_text(app).startswith("synced ")
        assert app.screen.query_one("#entry", Input).value == "half a line"  # untouched
        # the link drops: what is written here waits, and the bar says so
        remote.rename(remote.with_name("away.git"))
        assert pmtui("log", str(a), "-", stdin="one\ntwo\n", env=team_env).returncode == 0
        await wait_until(pilot, "offline", lambda: sync_text(app).startswith("offline, 2 queued"))
        remote.with_name("away.git").rename(remote)
        await wait_until(pilot, "synced again", lambda: sync_text(app).startswith("synced "))
        await pilot.press("ctrl+q")
    assert pmtui("sync", str(b), env=team_env).returncode == 0
    assert [e.text for e in load_whole(b).timeline][-2:] == ["one", "two"]


async def test_an_incident_outside_git_starts_no_sync(tmp_path: Path) -> None:
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert app.syncer is None
        assert not app.screen.query(SyncStatus)
        await pilot.press("ctrl+q")


def test_the_syncer_syncs_soon_after_this_clone_writes(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    results: list[gitsync.SyncResult] = []
    arrived = threading.Event()

    def seen(result: gitsync.SyncResult) -> None:
        results.append(result)
        arrived.set()

    running = Syncer(a, seen, delay=0.1, poll=3600, watch=0.05).start()
    try:
        assert arrived.wait(30)  # the first sync, at once
        arrived.clear()
        pmtui("log", str(a), "from the plane", env=team_env)
        assert arrived.wait(30)  # the next one: because the journal grew, not a poll
    finally:
        running.stop(timeout=30)
    assert [r.ok for r in results] == [True, True]
    assert results[-1].pushed
    gitsync.sync(b)
    assert [e.text for e in load_whole(b).timeline][-1] == "from the plane"


async def test_the_link_is_shown_even_when_a_dialog_was_open_first(
    tmp_path: Path, team_env: dict[str, str], quick: None
) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    held = os.open(a.parent / ".git" / "pmtui-sync.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # the first sync waits until the dialog is up
    app = open_app(a)
    async with app.run_test(size=SIZE) as pilot:
        app.action_help()
        await pilot.pause(0.05)
        main = next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))
        assert app.screen is not main
        assert not main.query(SyncStatus)
        os.close(held)

        def on_the_main_screen() -> bool:
            found = main.query(SyncStatus)
            return bool(found) and found.first().text.startswith("synced ")

        await wait_until(pilot, "the sync line under the dialog", on_the_main_screen)
        assert app.screen is not main  # the dialog stays up
        await pilot.press("escape")
        await pilot.press("ctrl+q")


async def test_what_the_ic_types_on_one_clone_reaches_another_and_exports_match(
    tmp_path: Path, team_env: dict[str, str], quick: None
) -> None:
    """Entries, a status change and an action typed in a full pmtui on clone A
    reach clone B through syncs, and both clones' postmortems are the same bytes."""
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    app = open_app(a)
    async with app.run_test(size=SIZE) as pilot:
        for line in ("paged the DBA", "/detected it is back", "/action Add a canary @ana"):
            await type_text(pilot, line)
            await pilot.press("enter")
        await wait_until(pilot, "a sync", lambda: sync_text(app).startswith("synced "))
        await pilot.press("ctrl+q")
    assert pmtui("sync", str(a), env=team_env).returncode == 0
    assert pmtui("sync", str(b), env=team_env, user="bo").returncode == 0
    there = load_whole(b)
    assert [e.text for e in there.timeline].count("paged the DBA") == 1
    assert there.status.value == "detected"
    assert [item.text for item in there.actions].count("Add a canary") == 1
    assert there.actions[-1].owner == "ana"
    exports = [pmtui("export", str(path), "-o", "-", env=team_env) for path in (a, b)]
    assert [e.returncode for e in exports] == [0, 0]
    assert exports[0].stdout == exports[1].stdout
