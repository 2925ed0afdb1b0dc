"""Every kind of change as a journal op: last writer wins, exactly once, in any order."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.core import fold as folding
from pmtui.core import journal, ops
from pmtui.core.fold import Folded, create, load_whole_state
from pmtui.core.journal import Record
from pmtui.core.model import ActionItem, Incident, Status, TimelineEntry
from pmtui.core.reader import parse_state
from pmtui.core.store import IncidentStore
from pmtui.core.writer import dumps, snapshot
from tests.conftest import NOW


def _at(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


class Doc:
    """An incident and its file's other tables (where folding keeps its ledger), as a
    store holds them; reads fall through to the incident."""

    def __init__(self, incident: Incident, extra: dict[str, Any] | None = None) -> None:
        self.incident, self.extra = incident, {} if extra is None else extra

    def __getattr__(self, name: str) -> Any:
        return getattr(self.incident, name)


def fold(doc: Doc, records: list[Record]) -> Folded:
    return folding.fold(doc.incident, records, doc.extra)


def load_whole(path: Path) -> Doc:
    incident, state = load_whole_state(path)
    return Doc(incident, state.extra)


def _base() -> Doc:
    return Doc(_incident())


def _incident() -> Incident:
    return Incident(
        title="Checkout down",
        timezone="GMT",
        started_at=NOW,
        detected_at=NOW,
        timeline=[
            TimelineEntry(id="t1", at=NOW, text="first"),
            TimelineEntry(id="t2", at=NOW + timedelta(minutes=1), text="second"),
        ],
        actions=[ActionItem(id="a1", text="add an alert")],
    )


def _rec(ident: str, hlc: int, writer: str, pair: tuple[str, dict[str, object]]) -> Record:
    return Record(ident, hlc, writer, pair[0], pair[1])


def _at_dt(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# a pool of ops touching every kind; stamps collide on purpose (ties go to the writer id)
_POOL = [
    _rec("w1:0", 10, "w1", ops.op_entry("from w1", _at_dt(3), author="ana")),
    _rec("w2:0", 11, "w2", ops.op_entry("from w2", _at_dt(2), source="deploy")),
    _rec("hook-1", 12, "w1", ops.op_entry("alert fired", _at_dt(4))),
    _rec("hook-1", 9, "w2", ops.op_entry("alert fired (other copy)", _at_dt(5))),
    _rec("w1:1", 20, "w1", ops.op_entry_edit("t1", text="first, by w1")),
    _rec("w2:1", 20, "w2", ops.op_entry_edit("t1", text="first, by w2")),
    _rec("w3:0", 15, "w3", ops.op_entry_edit("t1", at=_at_dt(9), kind="decision")),
    _rec("w3:1", 30, "w3", ops.op_entry_edit("j:w1:0", text="from w1, fixed")),
    _rec("w2:2", 25, "w2", ops.op_entry_delete("j:w1:0")),
    _rec("w1:2", 26, "w1", ops.op_entry_delete("t2")),
    _rec("w2:3", 24, "w2", ops.op_entry_edit("t2", text="edited before the delete")),
    _rec("w3:2", 40, "w3", ops.op_entry_edit("j:hook-1", author="bot")),
    _rec("w1:3", 13, "w1", ops.op_status("mitigated", _at_dt(6), author="ana")),
    _rec("w2:4", 14, "w2", ops.op_status("resolved", _at_dt(8))),
    _rec("w1:4", 16, "w1", ops.op_head(severity="SEV2", summary="w1 says")),
    _rec("w2:5", 17, "w2", ops.op_head(severity="SEV1", customer_facing=True)),
    _rec("w3:3", 5, "w3", ops.op_head(title="Checkout down for everyone")),
    _rec("w1:5", 18, "w1", ops.op_action("roll back faster", owner="ana")),
    _rec("w2:6", 18, "w2", ops.op_action("page sooner", kind="preventive")),
    _rec("w3:4", 22, "w3", ops.op_action_done("a:w1:5")),
    _rec("w1:6", 23, "w1", ops.op_action_edit("a1", owner="bo", text="alert on p99")),
    _rec("w2:7", 21, "w2", ops.op_action_delete("a:w2:6")),
    _rec("w3:5", 19, "w3", ops.op_action_reopen("a:w2:6")),
    _rec("w1:7", 3, "w1", ops.op_entry_edit("nowhere", text="waits forever")),
    _rec("w1:8", 1, "w1", ("some-future-op", {"x": 1})),
]


def _text(doc: Doc) -> str:
    return dumps(doc.incident, doc.extra)


def _checkpoint(doc: Doc) -> Doc:
    """What a save and a reopen make of it: the TOML is all that carries over."""
    incident, state = parse_state(_text(doc), "inc.toml")
    return Doc(incident, state.extra)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_POOL), max_size=40),
    st.randoms(),
    st.lists(st.integers(0, 40), max_size=5),
    st.booleans(),
)
def test_any_order_repeats_batches_and_checkpoints_give_the_same_incident(
    picked, random, cuts, checkpoint
) -> None:
    once = _base()
    fold(once, sorted(set(picked), key=Record.order))
    shuffled = list(picked) + random.sample(picked, len(picked) // 2)
    random.shuffle(shuffled)
    other = _base()
    start = 0
    for cut in [*sorted(cuts), len(shuffled)]:
        fold(other, shuffled[start:cut])
        start = max(start, cut)
        if checkpoint:
            other = _checkpoint(other)
    assert _text(other) == _text(once)  # a checkpoint (save, reopen) changes nothing either


def test_the_whole_pool_settles_last_writer_wins() -> None:
    incident = _base()
    fold(incident, list(reversed(_POOL)))
    entries = {e.id: e for e in incident.timeline}
    assert entries["t1"].text == "first, by w2"  # same hlc: the writer id breaks the tie
    assert entries["t1"].kind == "decision"
    assert "t2" not in entries  # deleted after its edit
    assert entries["j:w1:0"].text == "from w1, fixed"  # an edit newer than the delete
    assert entries["j:hook-1"].text == "alert fired"  # the same --id twice: the earlier `at`
    assert entries["j:hook-1"].author == "bot"
    assert incident.severity == "SEV1" and incident.summary == "w1 says"
    assert incident.model_extra == {"customer_facing": True}
    assert incident.title == "Checkout down for everyone"
    assert incident.status is Status.RESOLVED
    assert incident.mitigated_at == _at_dt(6) and incident.resolved_at == _at_dt(8)
    assert [(a.id, a.text, a.owner, a.status) for a in incident.actions] == [
        ("a1", "alert on p99", "bo", "open"),
        ("a:w1:5", "roll back faster", "ana", "done"),
    ]  # a:w2:6 was deleted (21) after its reopen (19)
    history = incident.extra["history"]["edits"]
    assert {"of": "entry/t1", "field": "text", "value": "first, by w1"} | {
        "hlc": 20,
        "by": "w1",
        "op": "w1:1",
    } in history  # the losing value stays visible
    assert {"of": "entry/t1", "field": "text", "value": "first"} in history  # before edits
    assert {"of": "incident", "field": "severity", "value": "SEV2"} | {
        "hlc": 16,
        "by": "w1",
        "op": "w1:4",
    } in history


def test_an_older_edit_arriving_after_a_checkpoint_still_loses(tmp_path: Path) -> None:
    path = tmp_path / "inc.toml"
    store = IncidentStore(path)
    store.create(_incident())
    store.close()
    folder = journal.folder_of(path)
    journal.append(folder, [ops.op_entry_edit("t1", text="newer")], writer="b@x")
    store = IncidentStore(path)
    whole = Doc(store.open(), store.state.extra)
    fold(whole, journal.read(folder)[0])
    store.save(
        snapshot(whole.incident, whole.extra)
    )  # the checkpoint: the TOML now holds the edit and its stamp
    store.close()
    late = Record("a@y:0", 1, "a@y", *ops.op_entry_edit("t1", text="older, arrived late"))
    reopened = load_whole(path)
    fold(reopened, [late])
    assert reopened.timeline[0].text == "newer"
    assert {"of": "entry/t1", "field": "text", "value": "older, arrived late"} | {
        "hlc": 1,
        "by": "a@y",
        "op": "a@y:0",
    } in reopened.extra["history"]["edits"]


def test_an_edit_of_something_not_seen_yet_waits_across_a_checkpoint() -> None:
    incident = _base()
    fold(incident, [_rec("w2:9", 50, "w2", ops.op_entry_edit("j:w1:0", text="fixed"))])
    assert [e.id for e in incident.timeline] == ["t1", "t2"]
    incident = _checkpoint(incident)
    fold(incident, [_POOL[0]])
    assert incident.find_entry("j:w1:0") is not None
    assert incident.timeline[-1].text == "fixed"
    assert "pending" not in incident.extra["journal"]


def test_an_incident_made_from_its_journal_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    folder = journal.folder_of(path)
    journal.append(
        folder,
        [
            ops.op_incident("Queue stuck", NOW, severity="SEV3", timezone="Europe/Paris"),
            ops.op_entry("it started", NOW + timedelta(minutes=1)),
        ],
        writer="ana@box",
    )
    incident = load_whole(path)
    assert (incident.title, incident.severity, incident.timezone) == (
        "Queue stuck",
        "SEV3",
        "Europe/Paris",
    )
    assert [e.text for e in incident.timeline] == ["it started"]
    assert create([]) is None


def test_bad_ops_are_skipped_and_change_nothing() -> None:
    incident = _base()
    before = _text(incident)
    bad = [
        Record("w:1", 5, "w", *ops.op_head(severity="SEV9")),
        Record("w:2", 6, "w", ops.HEAD, {"set": {"timeline": []}}),
        Record("w:3", 7, "w", ops.ENTRY_EDIT, {"target": "t1", "set": {"at": "yesterday"}}),
        Record("w:4", 8, "w", ops.ENTRY_EDIT, {"target": "t1", "set": {"id": "t9"}}),
        Record("w:5", 9, "w", ops.STATUS, {"status": "gone", "at": _at(1)}),
        Record("w:6", 9, "w", ops.HEAD, {"set": {"zone": "x"}}),
    ]
    assert fold(incident, bad).skipped == len(bad)
    assert _text(incident) == before


def test_constructors_refuse_what_no_op_can_carry() -> None:
    with pytest.raises(ValueError, match="no field 'colour'"):
        ops.op_entry_edit("t1", colour="red")
    with pytest.raises(ValueError, match="nothing to change"):
        ops.op_entry_edit("t1")
    with pytest.raises(ValueError, match="not a field"):
        ops.op_head(timeline=[])
    with pytest.raises(ValueError, match="no status"):
        ops.op_status("fixed", NOW)
    with pytest.raises(ValueError, match="sets no 'summary'"):
        ops.op_status("resolved", NOW, times={"summary": NOW})


def test_a_tie_on_the_clock_goes_to_the_writer_id_whichever_arrives_first() -> None:
    by_w1, by_w2 = _POOL[4], _POOL[5]  # both hlc 20
    for batches in ([[by_w1], [by_w2]], [[by_w2], [by_w1]], [[by_w1, by_w2]]):
        incident = _base()
        for batch in batches:
            fold(incident, batch)
            incident = _checkpoint(incident)
        assert incident.timeline[0].text == "first, by w2"


def test_the_tail_folds_edits_and_says_what_changed(tmp_path: Path) -> None:
    from pmtui.core.tail import JournalTail

    path = tmp_path / "inc.toml"
    incident = _base()
    tail = JournalTail(path, incident.extra)
    folder = journal.folder_of(path)
    journal.append(folder, [ops.op_entry_edit("t2", text="second, fixed")], writer="bo@box")
    journal.append(folder, [ops.op_head(severity="SEV1"), ops.op_action_done("a1")])
    folded = tail.poll(incident.incident)
    assert [e.text for e in folded.removed] == ["second"]
    assert folded.entry_ids == ["t2"] and folded.head and folded.actions
    assert incident.timeline[1].text == "second, fixed"
    assert incident.severity == "SEV1" and incident.actions[0].done
    assert not tail.grown() and tail.poll(incident.incident) == type(folded)()


_CREATES = [_POOL[0], _POOL[1], _rec("w3:2", 7, "w3", ops.op_action("made by w3"))]
_TEXTS = st.sampled_from(["a", "b", "c"])
_OP = st.one_of(
    st.builds(
        lambda target, fields: ops.op_entry_edit(target, **fields),
        st.sampled_from(["t1", "t2", "j:w1:0", "j:w2:0"]),
        st.dictionaries(
            st.sampled_from(["text", "at", "kind", "author"]),
            st.one_of(_TEXTS, st.sampled_from([_at(1), _at(2)])),
            min_size=1,
        ).map(
            lambda f: {
                k: (_at(1) if k == "at" else "note" if k == "kind" else v) for k, v in f.items()
            }
        ),
    ),
    st.builds(ops.op_entry_delete, st.sampled_from(["t1", "t2", "j:w1:0", "j:w2:0"])),
    st.builds(lambda v: ops.op_head(severity=v), st.sampled_from(["SEV1", "SEV2", "SEV3"])),
    st.builds(lambda v: ops.op_head(summary=v), _TEXTS),
    st.builds(
        lambda s, m: ops.op_status(s, _at_dt(m)),
        st.sampled_from(list(ops.STATUS_TIMES)),
        st.integers(0, 3),
    ),
    st.builds(
        lambda target, v: ops.op_action_edit(target, owner=v),
        st.sampled_from(["a1", "a:w3:2"]),
        _TEXTS,
    ),
    st.builds(ops.op_action_done, st.sampled_from(["a1", "a:w3:2"])),
    st.builds(ops.op_action_delete, st.sampled_from(["a1", "a:w3:2"])),
)
_GENERATED = st.lists(
    st.tuples(_OP, st.integers(1, 12), st.sampled_from(["w1", "w2", "w3"])), max_size=25
).map(lambda specs: [_rec(f"{w}:{100 + n}", hlc, w, op) for n, (op, hlc, w) in enumerate(specs)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _GENERATED,
    st.lists(st.sampled_from(_CREATES), max_size=3),
    st.randoms(),
    st.lists(st.integers(0, 30), max_size=4),
)
def test_generated_ops_settle_the_same_in_any_order(records, creates, random, cuts) -> None:
    picked = records + creates
    once = _base()
    fold(once, picked)
    shuffled = picked + random.sample(picked, len(picked) // 2)
    random.shuffle(shuffled)
    other = _base()
    start = 0
    for cut in [*sorted(cuts), len(shuffled)]:
        fold(other, shuffled[start:cut])
        start = max(start, cut)
        other = _checkpoint(other)
    assert _text(other) == _text(once)


def test_the_ops_import_only_the_standard_library() -> None:
    """`pmtui log` (and anything else that must start fast) may build ops (typing: the
    editable install's hook loads it anyway; see test_logcmd)."""
    import subprocess
    import sys

    code = (
        "import sys; import pmtui.core.ops; "
        "print(sorted(m for m in ('pydantic', 'textual', 'rich', 'tomli', 'tomli_w') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
