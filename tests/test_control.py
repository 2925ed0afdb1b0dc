"""The incident controller without a terminal: saves, conflicts, rescue, loading, exit.

Real files throughout: a conflict is someone writing the file from outside,
a refusing disk is the incident's folder taken away (the tests run as root,
for whom a read-only folder refuses nothing), a place nothing can be
written is a path under a regular file.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
from pathlib import Path

import pytest

from pmtui.core import journal, store
from pmtui.core.control import IncidentControl, Saved, Typed
from pmtui.core.new import new_incident
from pmtui.core.saver import Saver, SaveResult
from tests.conftest import NOW, RAPPI
from tests.test_tailload import TAIL, big_file


def clock():
    return NOW


class Results:
    """What the saver reports, as the app's message queue would hand it over."""

    def __init__(self) -> None:
        self.queue: queue.Queue[SaveResult] = queue.Queue()

    def __call__(self, result: SaveResult) -> None:
        self.queue.put(result)

    def next(self) -> SaveResult:
        return self.queue.get(timeout=10)


def running(path: Path, results: Results | None = None, tail: int = 0) -> IncidentControl:
    holder = store.IncidentStore(path)
    incident = holder.open(tail=tail)
    control = IncidentControl(path, incident, holder, clock=clock)
    control.start(results or Results())
    return control


@pytest.fixture
def rappi(tmp_path: Path) -> Path:
    path = tmp_path / "inc.toml"
    shutil.copy(RAPPI, path)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def log(control: IncidentControl, text: str) -> None:
    session = control.session
    assert session is not None
    control.apply(lambda: session.log(text, NOW))


def test_a_change_is_saved_and_reported_saved(rappi: Path) -> None:
    results = Results()
    control = running(rappi, results)
    log(control, "the cache is cold")
    report = control.received(results.next())
    assert report.kind is Saved.SAVED and report.at == "20:30:00"
    assert store.load(rappi).timeline[-1].text == "the cache is cold"
    written, error = control.finish()
    assert error is None and written == rappi.with_suffix(".md")
    assert "the cache is cold" in written.read_text()
    assert control.outcome(written) == (0, f"Postmortem written to {written}")


def someone_else_edits(path: Path) -> str:
    theirs = path.read_text().replace("Rappi Orders API", "Edited elsewhere")
    path.write_text(theirs)
    return theirs


def test_a_conflict_is_asked_once_and_keep_mine_saves_theirs_beside(rappi: Path) -> None:
    results = Results()
    control = running(rappi, results)
    theirs = someone_else_edits(rappi)
    log(control, "mine")
    report = control.received(results.next())
    assert report.kind is Saved.CONFLICT and report.ask
    assert rappi.read_text() == theirs  # not clobbered
    log(control, "mine again")  # a second change while the question is open: asked once
    again = control.received(results.next())
    assert again.kind is Saved.CONFLICT and not again.ask
    notice = control.resolve("k")
    assert not notice.error and not notice.reloaded
    (kept,) = rappi.parent.glob("inc.theirs-203000.toml")
    assert kept.read_text() == theirs
    assert control.received(results.next()).kind is Saved.SAVED
    assert [e.text for e in store.load(rappi).timeline[-2:]] == ["mine", "mine again"]
    control.close()


def test_reload_theirs_takes_the_file_and_keeps_mine_beside(rappi: Path) -> None:
    results = Results()
    control = running(rappi, results)
    before = control.incident
    someone_else_edits(rappi)
    log(control, "mine")
    assert control.received(results.next()).kind is Saved.CONFLICT
    notice = control.resolve("r")
    assert notice.reloaded and "inc.mine-203000.toml" in notice.text
    assert control.incident is not before and control.incident is not None
    assert control.incident.title.startswith("Edited elsewhere")
    assert control.session is not None and control.session.incident is control.incident
    assert store.load(rappi.with_name("inc.mine-203000.toml")).timeline[-1].text == "mine"
    log(control, "after the reload")  # the new incident is the one saved
    assert control.saver is not None and control.saver.flush(10)
    on_disk = store.load(rappi)
    assert on_disk.title.startswith("Edited elsewhere")
    assert on_disk.timeline[-1].text == "after the reload"
    control.close()


def refuse_saves(path: Path) -> None:
    """The disk refuses: the incident's folder is gone (mkstemp finds no folder)."""
    shutil.rmtree(path.parent)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Saver, "RETRY_SECONDS", 0.05)


def test_a_refused_save_is_failed_and_quitting_rescues_it(
    tmp_path: Path, home: Path, quick_retries: None
) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    path = folder / "inc.toml"
    shutil.copy(RAPPI, path)
    results = Results()
    control = running(path, results)
    refuse_saves(path)
    log(control, "must not be lost")
    report = control.received(results.next())
    assert report.kind is Saved.FAILED and "could not save" in report.error
    problem = control.quit_save(timeout=5)
    assert problem is not None and problem.startswith(f"Could not save {path}")
    rescue = control.rescue_path()
    assert rescue == home / "inc.rescued-203000.toml"
    control.rescue_anywhere(rescue)
    assert store.load(rescue).timeline[-1].text == "must not be lost"
    written, _error = control.finish()
    assert written is None  # no postmortem from an incident that is not saved
    code, line = control.outcome(written)
    assert code == 1 and line == f"{path} could not be saved; the incident was written to {rescue}"


def test_nowhere_to_rescue_says_the_changes_are_lost(
    tmp_path: Path, home: Path, quick_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    path = folder / "inc.toml"
    shutil.copy(RAPPI, path)
    control = running(path)
    refuse_saves(path)
    log(control, "no disk takes this")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))  # TMPDIR refuses too
    assert control.quit_save(timeout=5) is not None
    control.rescue_anywhere(blocker / "rescued.toml")
    assert control.rescued is None
    code, line = control.outcome(None)
    assert code == 1 and line is not None
    assert line.startswith(f"pmtui: {path} could not be saved") and "LOST" in line
    control.close()


def test_settle_rescues_what_an_ended_app_left_unsaved(
    tmp_path: Path, home: Path, quick_retries: None
) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    path = folder / "inc.toml"
    shutil.copy(RAPPI, path)
    control = running(path)
    refuse_saves(path)
    log(control, "typed just before the end")
    control.settle()  # the app ended some other way (a crash, a kill of the UI)
    assert control.rescued is not None and control.rescued.parent == home
    assert store.load(control.rescued).timeline[-1].text == "typed just before the end"
    assert control.outcome(None)[0] == 1
    control.close()


def test_a_crash_logs_what_was_typed_and_says_so(rappi: Path) -> None:
    control = running(rappi)
    control.on_crash(ValueError("a bug"), Typed("words in the bar", NOW))
    control.settle()
    assert store.load(rappi).timeline[-1].text == "words in the bar"
    code, line = control.outcome(None)
    assert code == 1
    assert line == (
        "pmtui stopped on an unexpected error (ValueError: a bug); "
        f"everything typed is saved in {rappi}"
    )
    control.close()


def test_a_tail_first_incident_is_whole_before_a_change(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    control = running(path, tail=TAIL)
    assert control.loading == 600 and control.incident is not None
    assert len(control.incident.timeline) == TAIL
    data = {"at": NOW.isoformat(), "kind": "note", "author": "ana", "text": "from ana"}
    journal.append(journal.folder_of(path), [("entry", data, None)])
    assert control.fold_journal() is None  # nothing folds into part of a timeline
    assert control.finish_loading()
    assert control.loading == 0 and len(control.incident.timeline) == 600
    folded = control.fold_journal()
    assert folded is not None and folded.message == "an entry from ana"
    log(control, "after all of them")
    assert control.saver is not None and control.saver.flush(10)
    assert len(store.load(path).timeline) == 602
    control.close()


def test_a_broken_file_found_later_keeps_what_was_typed_apart(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    path.write_text(path.read_text().replace('id = "t7"\n', 'id = "t590"\n'))
    before = path.read_bytes()
    control = running(path, tail=TAIL)
    assert not control.finish_loading()
    assert control.load_error is not None and "duplicate id 't590'" in control.load_error
    control.keep_typed(Typed("typed into a broken file", NOW))
    control.settle()
    control.close()
    assert path.read_bytes() == before  # never written over
    typed = tmp_path / "inc.typed-203000.txt"
    assert typed.read_text() == "2026-11-21T20:30:00+00:00 typed into a broken file\n"
    code, line = control.outcome(None)
    assert code == 2 and line is not None
    assert line.startswith("pmtui: ") and line.endswith(f"what you typed is in {typed}")


def test_a_title_typed_when_stopped_makes_the_incident(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    control = IncidentControl(
        path, clock=clock, new_incident=lambda title: new_incident(title, now=NOW)
    )
    control.keep_title("Search is slow")
    assert store.load(path).title == "Search is slow"
    again = store.IncidentStore(path)
    again.open()  # the lock was let go
    again.close()
    assert control.outcome(None) == (
        0,
        f"Incident created in {path}, with the title typed before pmtui stopped",
    )


def test_a_lost_lock_file_is_locked_again_and_told_once(rappi: Path) -> None:
    control = running(rappi)
    assert control.check_lock() is None
    rappi.with_name("inc.toml.lock").unlink()
    notice = control.check_lock()
    assert notice is not None and notice.title == "Lock taken again" and not notice.error
    assert control.check_lock() is None
    control.close()


def test_a_view_takes_no_lock_and_follows_the_file_and_the_journal(rappi: Path) -> None:
    view = IncidentControl.view(rappi, clock=clock)
    view.start()
    assert view.saver is None and view.store is None
    ic = running(rappi)  # the IC's pmtui can still open it
    log(ic, "from the IC")
    assert ic.saver is not None and ic.saver.flush(10)
    saved = rappi.read_bytes()
    assert view.follow_file()
    assert view.incident is not None and view.incident.timeline[-1].text == "from the IC"
    assert not view.follow_file()  # nothing new
    at = NOW.isoformat()
    data = {"at": at, "kind": "note", "author": "ana", "text": "from a script"}
    journal.append(journal.folder_of(rappi), [("entry", data, None)])
    change = view.fold_journal()
    assert change is not None and change.message == "an entry from ana"
    assert view.fold_journal() is None
    ic.close()
    assert rappi.read_bytes() == saved  # the view wrote nothing


def test_undo_names_what_it_undid_and_redo_brings_it_back(rappi: Path) -> None:
    control = running(rappi)
    log(control, "a wrong line")
    undone = control.apply(control.undoing())
    assert undone.message == "Undone: log “a wrong line” (ctrl+y redoes it)"
    assert control.incident is not None
    assert control.incident.timeline[-1].text != "a wrong line"
    redone = control.apply(control.undoing(redo=True))
    assert redone.message.startswith("Redone: ")
    assert control.incident.timeline[-1].text == "a wrong line"
    control.close()


def test_the_preview_is_written_beside_except_from_a_view(rappi: Path) -> None:
    view = IncidentControl.view(rappi, clock=clock)
    markdown, note = view.export()
    assert markdown.startswith("# Postmortem: ") and note == "a view: nothing written"
    assert not rappi.with_suffix(".md").exists()
    control = running(rappi)
    markdown, note = control.export()
    assert note == f"written to {rappi.with_suffix('.md')}"
    assert rappi.with_suffix(".md").read_text() == markdown
    control.close()
