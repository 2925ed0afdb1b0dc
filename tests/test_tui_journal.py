"""Entries others log (`pmtui log`, a real process) show in the open pmtui."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pmtui.core import store
from pmtui.core.journal import append, folder_of
from pmtui.core.ops import op_action_done, op_entry_edit
from tests.conftest import RAPPI, ROOT
from tests.tui import SIZE, open_app, saved, screen_rows, type_text

LAUNCH = "import sys; from pmtui.launch import main; sys.exit(main())"


def pmtui_log(path: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOGNAME": "dana"}
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, "log", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr


async def wait_for_row(pilot, text: str) -> list[str]:
    for _ in range(40):
        await pilot.pause(0.1)
        rows = screen_rows(pilot.app)
        if any(text in row for row in rows):
            return rows
    raise AssertionError(f"{text!r} never showed:\n" + "\n".join(screen_rows(pilot.app)))


async def test_an_entry_logged_elsewhere_shows_marked_and_typing_is_undisturbed(tmp_path):
    path = tmp_path / "inc.toml"
    app = open_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "half a line")
        pmtui_log(path, "rolled back 4512", "--source", "deploy")
        pmtui_log(path, "paged the DBA")
        rows = await wait_for_row(pilot, "dana · paged the DBA")
        assert any("deploy · rolled back 4512" in row for row in rows)
        assert app.screen.query_one("#entry").value == "half a line"  # the bar is untouched
        timeline = app.screen.query_one("#timeline")
        assert timeline.follow and timeline.cursor == len(app.incident.timeline) - 1
        await pilot.press("enter")
        incident = await saved(app, pilot)
        texts = [e.text for e in incident.timeline]
        # in time order: the line was begun before the others logged theirs
        assert texts[-3:] == ["half a line", "rolled back 4512", "paged the DBA"]
        # the TOML records how far it folded: a reopen adds nothing twice
        pmtui_log(path, "after the save")
        await wait_for_row(pilot, "after the save")
        await pilot.press("ctrl+q")
    again = store.load(path)
    texts = [e.text for e in again.timeline]
    assert texts.count("paged the DBA") == 1 and "after the save" in texts
    assert "after the save" in path.with_suffix(".md").read_text()


async def test_the_quit_postmortem_holds_what_others_logged_just_before(tmp_path):
    path = tmp_path / "inc.toml"
    app = open_app(path)
    async with app.run_test(size=SIZE) as pilot:
        append(
            folder_of(path), [("entry", {"at": "2026-11-21T20:30:00+00:00", "text": "bot"}, None)]
        )
        await pilot.press("ctrl+q")  # before the next poll: quitting folds it in
    assert "bot" in path.with_suffix(".md").read_text()
    assert [e.text for e in store.load(path).timeline][-1] == "bot"


async def test_a_journal_entry_already_folded_is_never_added_twice(tmp_path):
    """A pmtui killed after folding but before saving, reopened: the entry comes back
    once, from the journal; one saved with its offsets is not read again."""
    path = tmp_path / "inc.toml"
    app = open_app(path)
    async with app.run_test(size=SIZE) as pilot:
        pmtui_log(path, "once", "--id", "alert-7")
        pmtui_log(path, "once again", "--id", "alert-7")  # a retried webhook
        await wait_for_row(pilot, "dana · once")
        await pilot.press("ctrl+q")
    first = store.load(path)
    assert [e.text for e in first.timeline].count("once") == 1
    reopened = open_app(path)
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause(1)
        assert [e.text for e in reopened.incident.timeline].count("once") == 1
        await pilot.press("ctrl+q")


async def test_an_edit_and_an_action_done_from_another_writer_are_redrawn(tmp_path):
    """Not only new entries: another writer's edit and action done show within a
    second, and what the IC is typing and where the cursor is stay as they were."""
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "half a line")
        timeline = app.screen.query_one("#timeline")
        cursor = timeline.cursor
        first = app.incident.timeline[0]
        item = app.incident.actions[1]
        folder = folder_of(path)
        append(folder, [op_entry_edit(first.id, text="reworded by dana")], writer="dana@box")
        append(folder, [op_action_done(item.id)], writer="dana@box")
        for _ in range(20):
            await pilot.pause(0.1)
            if app.incident.actions[1].done:
                break
        await pilot.pause(0.2)
        rows = screen_rows(app)
        assert any("reworded by dana" in row for row in rows), "\n".join(rows)
        assert any("☑ Make rollback" in row for row in rows), "\n".join(rows)
        assert app.screen.query_one("#entry").value == "half a line"
        assert timeline.cursor == cursor
        await pilot.press("ctrl+q")
