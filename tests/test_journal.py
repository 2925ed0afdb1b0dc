"""The journal: appends from many processes stay whole; folding is order-free."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.core import journal
from pmtui.core.fold import fold, folded_offsets, load_whole, load_whole_state, set_offsets
from pmtui.core.journal import Record
from pmtui.core.model import Incident
from pmtui.core.store import IncidentStore, load, load_state
from tests.conftest import NOW


def _entry(text: str, minutes: int = 0) -> dict[str, object]:
    return {"at": (NOW + timedelta(minutes=minutes)).isoformat(), "kind": "note", "text": text}


def test_append_is_durable_json_lines_and_read_returns_them(tmp_path: Path) -> None:
    folder = tmp_path / "inc.journal"
    made = journal.append(folder, [("entry", _entry("one"), None), ("entry", _entry("two"), "k")])
    assert made[0].id == f"{made[0].writer}:{made[0].hlc}" and made[1].id == "k"
    records, offsets = journal.read(folder)
    assert [r.data["text"] for r in records] == ["one", "two"]
    assert made[0].hlc < made[1].hlc
    (name,) = offsets
    assert offsets[name] == (folder / name).stat().st_size
    assert oct((folder / name).stat().st_mode & 0o777) == "0o600"
    assert journal.read(folder, offsets)[0] == []  # nothing new after the offsets


def test_a_torn_line_is_skipped_and_the_next_writer_starts_a_fresh_line(tmp_path: Path) -> None:
    folder = tmp_path / "inc.journal"
    journal.append(folder, [("entry", _entry("whole"), None)], writer="w")
    with (folder / "w.jsonl").open("ab") as stream:
        stream.write(b'{"v":1,"id":"w:torn","hlc":1,"w":"w","op":"entry","text":"to')
    records, _ = journal.read(folder)
    assert [r.data["text"] for r in records] == ["whole"]  # the torn tail is not read yet
    journal.append(folder, [("entry", _entry("after"), None)], writer="w")
    records, _ = journal.read(folder)
    assert [r.data["text"] for r in records] == ["whole", "after"]


def _hammer(folder: str, writer: str, count: int) -> None:
    for n in range(count):
        journal.append(
            folder, [("entry", _entry(f"{writer}-{n}" + "x" * 3000), None)], writer=writer
        )


def test_many_processes_appending_to_one_file_never_interleave(tmp_path: Path) -> None:
    folder = str(tmp_path / "inc.journal")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_hammer, args=(folder, "shared", 40)) for _ in range(4)]
    workers += [context.Process(target=_hammer, args=(folder, "own", 40))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    records, _ = journal.read(folder)
    assert len(records) == 200
    assert len({r.id for r in records}) == 200
    assert all(r.data["text"].endswith("x" * 3000) for r in records)
    lines = Path(folder, "shared.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 161


def _incident() -> Incident:
    return Incident(title="Checkout down", timezone="GMT", started_at=NOW, detected_at=NOW)


_RECORDS = [
    Record(f"w{n % 3}:{n}", 1000 + n // 2, f"w{n % 3}", "entry", _entry(f"e{n}", n % 7))
    for n in range(12)
] + [Record("key-1", 5, "w9", "entry", _entry("keyed")), Record("x", 1, "w0", "future-op", {})]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_RECORDS), min_size=0, max_size=30), st.randoms())
def test_folding_in_any_order_with_repeats_gives_the_same_incident(picked, random) -> None:
    once = _incident()
    fold(once, sorted(set(picked), key=Record.order))
    shuffled = list(picked) * 2
    random.shuffle(shuffled)
    twice = _incident()
    fold(twice, shuffled[: len(shuffled) // 2])
    fold(twice, shuffled)
    assert [e.model_dump() for e in twice.timeline] == [e.model_dump() for e in once.timeline]


def test_export_and_open_include_entries_not_yet_folded(tmp_path: Path) -> None:
    path = tmp_path / "inc.toml"
    store = IncidentStore(path)
    store.create(_incident())
    store.close()
    journal.append(journal.folder_of(path), [("entry", _entry("from a script", 1), "deploy-1")])
    whole, state = load_whole_state(path)
    assert load_whole(path).timeline == whole.timeline
    assert [e.text for e in whole.timeline] == ["from a script"]
    assert load(path).timeline == []  # the TOML itself is untouched
    offsets = folded_offsets(state.extra)
    assert offsets == {
        name: os.path.getsize(journal.folder_of(path) + "/" + name) for name in offsets
    }


def test_offsets_round_trip_through_the_toml(tmp_path: Path) -> None:
    path = tmp_path / "inc.toml"
    incident = _incident()
    extra: dict[str, object] = {}
    set_offsets(extra, {"ana@box.jsonl": 181})
    store = IncidentStore(path)
    store.create(incident, extra)
    store.close()
    assert folded_offsets(load_state(path)[1].extra) == {"ana@box.jsonl": 181}


def test_a_tail_folds_only_what_is_new_and_records_how_far(tmp_path: Path) -> None:
    from pmtui.core.tail import JournalTail

    path = tmp_path / "inc.toml"
    incident = _incident()
    extra: dict[str, object] = {}  # the file's other tables: the offsets go there
    tail = JournalTail(path, extra)
    assert not tail.grown() and tail.poll(incident).added == []
    folder = journal.folder_of(path)
    journal.append(folder, [("entry", _entry("from deploy", 2), None)], writer="deploy@ci")
    journal.append(folder, [("entry", _entry("from ana", 1), None)], writer="ana@box")
    assert tail.grown()
    added = tail.poll(incident).added
    assert sorted(e.text for e in added) == ["from ana", "from deploy"]
    assert [e.text for e in incident.timeline] == ["from ana", "from deploy"]  # time order
    assert not tail.grown() and tail.poll(incident).added == []
    assert folded_offsets(extra) == tail.offsets
    reopened = JournalTail(path, extra)  # a new pmtui starts from the recorded offsets
    assert not reopened.grown()


def test_an_entry_logged_after_the_journal_was_removed_is_not_taken_for_an_old_one(
    tmp_path: Path,
) -> None:
    """The journal folder removed by hand (or the TOML copied elsewhere without it): the
    next line starts a new file at offset 0, and must not share an id with a line already
    folded into the TOML, or it is dropped as a duplicate."""
    path = tmp_path / "inc.toml"
    store = IncidentStore(path)
    store.create(Incident(title="x", timezone="GMT", started_at=NOW))
    store.close()
    folder = journal.folder_of(path)
    journal.append(
        folder,
        [("entry", {"at": NOW.isoformat(), "text": t}) for t in ("one", "and one more")],
        writer="w",
    )
    store = IncidentStore(path)
    incident = store.open()
    records, offsets = journal.read(folder, folded_offsets(store.state.extra))
    fold(incident, records, store.state.extra)
    set_offsets(store.state.extra, offsets)
    store.save(store.snapshot(incident))  # the checkpoint holds "one"
    store.close()
    shutil.rmtree(folder)
    journal.append(folder, [("entry", {"at": NOW.isoformat(), "text": "two"})], writer="w")
    assert [e.text for e in load_whole(path).timeline] == ["one", "and one more", "two"]
