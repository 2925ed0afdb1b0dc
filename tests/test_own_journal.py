"""The IC's own changes travel as journal ops (pmtui.core.ownops, IncidentControl.apply).

Every change is in this pmtui's journal file when `apply` returns; the TOML is a
checkpoint. A controller abandoned without any save (what a kill -9 leaves) and
a fresh open show every change exactly once, the same as the live model.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from pmtui.core import journal, store
from pmtui.core.control import IncidentControl
from pmtui.core.fold import load_whole_state
from pmtui.core.model import Incident, Status
from tests.conftest import NOW, RAPPI


def clock():
    return NOW


def running(path: Path) -> IncidentControl:
    holder = store.IncidentStore(path)
    incident = holder.open()
    control = IncidentControl(path, incident, holder, clock=clock)
    control.start(lambda _result: None)
    return control


def shape(incident: Incident) -> str:
    """The incident as its file would hold it, without the tables folding keeps."""
    return incident.model_dump_json()


@pytest.fixture
def rappi(tmp_path: Path) -> Path:
    path = tmp_path / "inc.toml"
    shutil.copy(RAPPI, path)
    return path


def every_kind(control: IncidentControl) -> None:
    """One of each change the IC makes, undo and redo included."""
    session = control.session
    assert session is not None
    control.apply(lambda: session.log("first words"))
    control.apply(lambda: session.log("19:00 backdated words"))
    control.apply(lambda: session.log("/mitigated rolled back"))
    control.apply(lambda: session.update_head({"summary": "A summary", "severity": "SEV2"}))
    logged = control.apply(lambda: session.log("to be edited"))
    control.apply(lambda: session.edit_entry(logged.added[0], text="edited words"))
    gone = control.apply(lambda: session.log("to be deleted"))
    control.apply(lambda: session.delete_entry(gone.added[0]))
    control.apply(lambda: session.add_action("Add an alert @ana due:2026-12-01 ticket:OPS-7"))
    item = control.incident.actions[-1].id  # type: ignore[union-attr]
    control.apply(lambda: session.toggle_action(item))
    control.apply(lambda: session.add_action("Delete me"))
    control.apply(lambda: session.delete_action(control.incident.actions[-1].id))  # type: ignore[union-attr]
    control.apply(control.undoing())  # the action comes back
    control.apply(control.undoing())
    control.apply(control.undoing(redo=True))
    control.apply(lambda: session.log("/resolved"))
    control.apply(control.undoing())


def test_every_change_is_in_the_journal_when_apply_returns(rappi: Path) -> None:
    control = running(rappi)
    assert control.saver is not None
    control.saver.stop()
    control.saver = None  # no TOML save at all: what a kill -9 before any checkpoint leaves
    every_kind(control)
    assert control.incident is not None
    live = shape(control.incident)
    # abandoned without any save: the TOML is what it was, the journal has it all
    assert rappi.read_bytes() == RAPPI.read_bytes()
    control.store.close()  # type: ignore[union-attr]
    reopened, _state = load_whole_state(rappi)
    assert shape(reopened) == live
    assert reopened.status is Status.MITIGATED
    assert [i.text for i in reopened.actions][-1] == "Delete me"
    assert reopened.actions[-2].done and reopened.actions[-2].due is not None
    texts = [entry.text for entry in reopened.timeline]
    assert texts.count("edited words") == 1 and "to be deleted" not in texts


def test_a_checkpoint_then_more_changes_show_each_change_once(rappi: Path) -> None:
    control = running(rappi)
    session = control.session
    assert session is not None and control.saver is not None
    control.apply(lambda: session.log("before the checkpoint"))
    assert control.saver.stop(10)  # the TOML checkpoint, with how far it folded
    control.saver = None
    control.apply(lambda: session.log("after the checkpoint"))
    assert control.incident is not None
    live = shape(control.incident)
    control.store.close()  # type: ignore[union-attr]
    reopened, _state = load_whole_state(rappi)
    assert shape(reopened) == live
    texts = [entry.text for entry in reopened.timeline]
    assert texts.count("before the checkpoint") == 1
    assert texts.count("after the checkpoint") == 1


def test_ids_the_ic_makes_are_unique_across_clones(
    rappi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "b" / "inc.toml"
    other.parent.mkdir()
    shutil.copy(RAPPI, other)
    made = []
    for path, user in ((rappi, "ana"), (other, "bo")):
        monkeypatch.setenv("LOGNAME", user)
        control = running(path)
        session = control.session
        assert session is not None
        made.append(control.apply(partial(session.log, "same words")).added[0])
        control.apply(partial(session.add_action, "same action"))
        assert control.incident is not None
        made.append(control.incident.actions[-1].id)
        control.close()
    assert len(set(made)) == 4
    assert all(ident.startswith(("j:", "a:")) for ident in made)


KILLED = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from pmtui.core import store
    from pmtui.core.control import IncidentControl
    path = Path(sys.argv[1])
    holder = store.IncidentStore(path)
    control = IncidentControl(path, holder.open(), holder)
    control.start(lambda _r: None)
    session = control.session
    for n in range(40):
        control.apply(lambda n=n: session.log(f"typed {n}"))
        if n == 20:
            control.apply(lambda: session.log("/mitigated"))
        print(n, flush=True)
    control.saver.stop(10)
    control.saver = None
    control.apply(lambda: session.add_action("after the checkpoint"))
    print("acked", flush=True)
    sys.stdin.read()
    """
)


def test_kill_9_between_append_and_checkpoint(rappi: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(rappi)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    while (line := child.stdout.readline()) and line.strip() != "acked":
        pass
    assert line.strip() == "acked"  # every change acknowledged: in the journal, fsync'd
    child.send_signal(signal.SIGKILL)
    child.wait()
    reopened, _state = load_whole_state(rappi)
    texts = [entry.text for entry in reopened.timeline]
    assert all(texts.count(f"typed {n}") == 1 for n in range(40))
    assert reopened.status is Status.MITIGATED
    assert [item.text for item in reopened.actions].count("after the checkpoint") == 1


def test_an_unwritable_journal_keeps_the_change_for_the_toml(rappi: Path) -> None:
    folder = Path(journal.folder_of(rappi))
    folder.write_text("not a folder")
    control = running(rappi)
    session = control.session
    assert session is not None
    change = control.apply(lambda: session.log("still kept"))
    assert "journal" in change.message
    assert control.saver is not None and control.saver.stop(10)
    control.saver = None
    assert "still kept" in rappi.read_text()
    control.close()


def test_the_clock_behind_still_stamps_past_what_it_has_seen(rappi: Path) -> None:
    """The HLC receive rule: a writer far ahead, then the IC's edit wins on every clone."""
    control = running(rappi)
    session = control.session
    assert session is not None and control.incident is not None
    first = control.incident.timeline[0].id
    ahead = journal.now_hlc() + int(timedelta(hours=1).total_seconds() * 1000) * 1000
    folder = journal.folder_of(rappi)
    line = {"v": 1, "id": "zed@far:0", "hlc": ahead, "w": "zed@far", "op": "entry.edit"}
    line |= {"target": first, "set": {"text": "theirs"}}  # from a clock an hour ahead
    Path(folder).mkdir(exist_ok=True)
    Path(folder, "zed@far.jsonl").write_text(json.dumps(line) + "\n")
    control.fold_journal()
    assert control.incident.find_entry(first).text == "theirs"  # type: ignore[union-attr]
    control.apply(lambda: session.edit_entry(first, text="mine, later"))
    assert control.incident.find_entry(first).text == "mine, later"  # type: ignore[union-attr]
    control.close()
    reopened, _state = load_whole_state(rappi)
    assert reopened.find_entry(first).text == "mine, later"  # type: ignore[union-attr]


def test_folding_the_ics_ops_gives_what_the_session_made(rappi: Path, tmp_path: Path) -> None:
    """The same changes with the journal off (as before it) give the same incident,
    but for the ids the journal gives what the IC makes."""
    plain_path = tmp_path / "plain" / "inc.toml"
    plain_path.parent.mkdir()
    shutil.copy(RAPPI, plain_path)
    results = []
    for path, journaled in ((rappi, True), (plain_path, False)):
        control = running(path)
        if not journaled:
            control.writer = None  # the session's changes only
        every_kind(control)
        assert control.incident is not None
        data = control.incident.model_dump(mode="json")
        data["timeline"] = [{k: v for k, v in e.items() if k != "id"} for e in data["timeline"]]
        data["actions"] = [{k: v for k, v in a.items() if k != "id"} for a in data["actions"]]
        results.append(data)
        control.close()
    assert results[0] == results[1]
    assert not Path(journal.folder_of(plain_path)).exists()


def test_a_journal_removed_after_a_checkpoint_loses_nothing_typed_next(rappi: Path) -> None:
    """Ids from offsets in the file would repeat in a new journal file and the new
    entries would be taken for ones already folded in."""
    control = running(rappi)
    session = control.session
    assert session is not None
    control.apply(lambda: session.log("before"))
    control.close()
    shutil.rmtree(journal.folder_of(rappi))  # the TOML copied alone, the folder tidied away
    control = running(rappi)
    again = control.session
    assert again is not None
    control.apply(lambda: again.log("after"))
    assert control.incident is not None
    assert [e.text for e in control.incident.timeline][-2:] == ["before", "after"]
    control.close()
    reopened, _state = load_whole_state(rappi)
    assert [e.text for e in reopened.timeline][-2:] == ["before", "after"]
