"""Saves that fail, files changed behind pmtui's back, quitting when the disk refuses."""

import errno
import os
from pathlib import Path

import pytest
from textual import events

from pmtui.core import store
from pmtui.core.saver import Saver
from pmtui.screens import ChoiceScreen, RescuePrompt
from tests.conftest import RAPPI
from tests.tui import SIZE, open_app, saved, type_text

_real_replace = os.replace


@pytest.fixture
def disk_full(monkeypatch):
    """Make replacing incident files fail as a full disk would, until switched off."""
    state = {"on": False}

    def replace(src, dst, *args, **kwargs):
        if state["on"] and str(dst).endswith(".toml"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Saver, "RETRY_SECONDS", 0.05)
    return state


async def wait_for(pilot, condition, tries=100):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


async def test_failed_save_keeps_the_old_file_warns_and_retries(tmp_path, disk_full):
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    before = path.read_bytes()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        disk_full["on"] = True
        await type_text(pilot, "written while the disk is full")
        await pilot.press("enter")
        indicator = app.screen.query_one("SaveIndicator")
        await wait_for(pilot, lambda: indicator.has_class("-failed"))
        assert "NOT SAVED" in indicator.text and "No space left" in indicator.text
        assert any("No space left" in n.message for n in app._notifications)
        assert path.read_bytes() == before  # the old file is intact
        assert app.incident.timeline[-1].text == "written while the disk is full"
        disk_full["on"] = False  # the disk has room again: the retry saves it
        await wait_for(pilot, lambda: not indicator.has_class("-failed"))
        assert store.load(path).timeline[-1].text == "written while the disk is full"
    assert list(tmp_path.glob(".*.tmp")) == []  # failed attempts cleaned up after themselves


async def test_quitting_with_unsaved_changes_offers_another_path(tmp_path, disk_full):
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    rescue = tmp_path / "elsewhere" / "rescued.toml"
    rescue.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        disk_full["on"] = True
        await type_text(pilot, "must not be lost")
        await pilot.press("enter")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, RescuePrompt))
        field = app.screen.query_one("#rescue")
        field.value = str(rescue)
        disk_full["on"] = False  # the rescue file is a .toml too: let it through
        await pilot.press("enter")
    assert app.control.rescued == rescue
    assert store.load(rescue).timeline[-1].text == "must not be lost"


async def log_after_an_edit_elsewhere(app, pilot, path):
    """Someone else edits the file, then the IC logs: pmtui asks what to keep."""
    theirs = path.read_text().replace("Rappi Orders API", "Edited elsewhere")
    path.write_text(theirs)
    await type_text(pilot, "mine")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    return theirs


async def test_a_file_changed_on_disk_is_not_clobbered_keep_mine(tmp_path):
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        theirs = await log_after_an_edit_elsewhere(app, pilot, path)
        assert path.read_text() == theirs  # nothing written over it yet
        await pilot.press("ctrl+k")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "mine"
        kept = list(tmp_path.glob("inc.theirs-*.toml"))
        assert len(kept) == 1 and kept[0].read_text() == theirs


async def test_a_file_changed_on_disk_can_be_reloaded(tmp_path):
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await log_after_an_edit_elsewhere(app, pilot, path)
        bar = app.main.query_one("#entry")
        bar.value = "half typed"  # what the IC had begun when the question came
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.incident.title.startswith("Edited elsewhere")
        assert app.screen.query_one("#entry").value == "half typed"
        bar.value = ""
        for kind in ("TimelineView", "StatusPanel", "ActionList", "EntryBar"):
            assert app.screen.query_one(kind).incident is app.incident, kind
        assert app.screen.title.startswith("Edited elsewhere")
        mine = list(tmp_path.glob("inc.mine-*.toml"))
        assert len(mine) == 1 and store.load(mine[0]).timeline[-1].text == "mine"
        await type_text(pilot, "after reload")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.title.startswith("Edited elsewhere")
        assert incident.timeline[-1].text == "after reload"


def test_a_planted_lock_symlink_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "inc.toml"
    path.write_bytes(RAPPI.read_bytes())
    Path(str(path) + ".lock").symlink_to(victim)
    with pytest.raises(store.LockedError, match="cannot lock"):
        store.IncidentStore(path).open()
    assert victim.read_text() == "precious"


async def test_a_deleted_lock_file_is_noticed_while_pmtui_runs(tmp_path):
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        Path(str(path) + ".lock").unlink()  # nothing is typed: no save will notice
        await wait_for(pilot, lambda: bool(app._notifications), tries=200)
        assert any("locked it again" in n.message for n in app._notifications)
        with pytest.raises(store.LockedError, match="is open in another pmtui"):
            store.IncidentStore(path).open()


@pytest.fixture
def gated_disk(monkeypatch):
    """Each replace of an incident file waits for a token: saves land when the test says."""
    import threading

    gate = threading.Semaphore(0)

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(".toml"):
            gate.acquire(timeout=10)
        return _real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return gate


async def test_a_change_in_the_journal_is_saved_before_its_checkpoint(tmp_path, gated_disk):
    """The journal append is fsync'd when the change is made: the line says saved at once,
    while the TOML checkpoint still waits at the gate."""
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("SaveIndicator")), tries=500)
        indicator = app.screen.query_one("SaveIndicator")
        app.control.saver.quiet = 0
        await type_text(pilot, "first")
        await pilot.press("enter")  # its checkpoint waits at the gate
        assert indicator.text.startswith("saved ")
        assert "first" in (tmp_path / "inc.journal" / f"{app.control.writer}.jsonl").read_text()
        gated_disk.release(5)


async def test_the_save_line_never_says_saved_beside_an_unsaved_change(tmp_path, gated_disk):
    """With the journal refused (its folder's name taken by a file), only the TOML save
    makes a change durable, and the line waits for it."""
    path = tmp_path / "inc.toml"
    (tmp_path / "inc.journal").write_text("not a folder")
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        indicator = app.screen.query_one("SaveIndicator")
        app.control.saver.quiet = 0  # each entry's checkpoint at once, not after a pause
        gated_disk.release()
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: indicator.text.startswith("saved"))
        await type_text(pilot, "second")
        await pilot.press("enter")  # its save waits at the gate
        assert app.incident.timeline[-1].text == "second"
        assert indicator.text == "saving…"  # not the first entry's "saved"
        await type_text(pilot, "third")
        await pilot.press("enter")  # handed over while the second is being written
        gated_disk.release()  # the second lands; the third is not in it
        await wait_for(pilot, lambda: store.load(path).timeline[-1].text == "second")
        await pilot.pause(0.1)
        assert indicator.text == "saving…"
        gated_disk.release()  # the third lands
        await wait_for(pilot, lambda: indicator.text.startswith("saved"))
        assert store.load(path).timeline[-1].text == "third"
        gated_disk.release(5)  # nothing may wait at the gate on the way out


async def test_typing_when_the_conflict_question_opens_neither_answers_nor_is_lost(tmp_path):
    """The question can open mid-sentence: 'kubectl rollout undo' used to answer
    'keep mine' with its k, the next k crashed the app, and the rest was lost."""
    path = tmp_path / "inc.toml"
    app = open_app(path, sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        theirs = await log_after_an_edit_elsewhere(app, pilot, path)
        await pilot.press(*"kk rollback ok", "enter")
        app.post_message(events.Paste(" (pasted)"))
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)  # still asking: no letter answered it
        assert path.read_text() == theirs
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert app.screen.query_one("#entry").value == "kk rollback ok (pasted)"
        await pilot.press("enter")
        incident = await saved(app, pilot)
    assert [e.text for e in incident.timeline[-2:]] == ["mine", "kk rollback ok (pasted)"]
