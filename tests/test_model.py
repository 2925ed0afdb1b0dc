from datetime import timedelta

import pytest
from pydantic import ValidationError

from pmtui.core.model import (
    ActionKind,
    EntryKind,
    Incident,
    Status,
    TimelineEntry,
    format_duration,
)
from tests.conftest import NOW


def test_entries_stay_sorted_by_time_then_id(incident):
    late = incident.add_entry("late", NOW + timedelta(minutes=5))
    early = incident.add_entry("early", NOW - timedelta(minutes=5))
    same = incident.add_entry("same time as late", NOW + timedelta(minutes=5))
    assert [e.id for e in incident.timeline] == [early.id, late.id, same.id]


def test_ids_are_unique_and_continue_after_load():
    data = {
        "title": "x",
        "started_at": NOW,
        "timeline": [{"id": "t9", "at": NOW, "text": "a"}],
        "actions": [{"id": "a4", "text": "b"}],
    }
    incident = Incident.model_validate(data)
    assert incident.add_entry("next", NOW).id == "t10"
    assert incident.add_action("next").id == "a5"


def test_new_incidents_do_not_share_their_lists():
    first = Incident(title="one", started_at=NOW)
    second = Incident(title="two", started_at=NOW)
    first.add_entry("only in the first", NOW)
    first.add_action("only in the first")
    assert (len(second.timeline), len(second.actions)) == (0, 0)


def test_locate_finds_an_entry_or_its_edit_by_binary_search(incident):
    entries = [incident.add_entry(f"e{n}", NOW + timedelta(minutes=n)) for n in range(50)]
    target = entries[31]
    assert incident.locate(target) == incident.index_of(target.id)
    _old, edited = incident.replace_entry(target.id, text="reworded")
    assert incident.locate(target) == incident.index_of(edited.id)  # same time, same place
    incident.replace_entry(target.id, at=NOW - timedelta(hours=1))
    assert incident.locate(target) is None  # moved: the caller looks it up by id
    incident.remove_entry(entries[5].id)
    assert incident.locate(entries[5]) is None


def test_duplicate_ids_are_refused():
    entry = {"id": "t1", "at": NOW, "text": "a"}
    with pytest.raises(ValidationError, match="duplicate id 't1'"):
        Incident.model_validate({"title": "x", "started_at": NOW, "timeline": [entry, entry]})


def test_mitigate_then_resolve_stamps_and_logs(incident):
    later = NOW + timedelta(minutes=40)
    entry = incident.set_status(Status.MITIGATED, later)
    assert entry is not None and entry.kind is EntryKind.STATUS
    assert incident.status is Status.MITIGATED
    assert incident.mitigated_at == later
    incident.set_status(Status.RESOLVED, later + timedelta(minutes=2))
    assert incident.resolved_at == later + timedelta(minutes=2)
    assert incident.time_to_mitigate == timedelta(minutes=40)
    assert incident.time_to_resolve == timedelta(minutes=42)
    assert incident.duration() == timedelta(minutes=42)
    assert [e.text for e in incident.timeline] == ["Mitigated", "Resolved"]


def test_resolving_directly_also_mitigates(incident):
    incident.set_status(Status.RESOLVED, NOW + timedelta(minutes=3))
    assert incident.mitigated_at == incident.resolved_at == NOW + timedelta(minutes=3)


def test_recurrence_reopens_and_is_recorded(incident):
    incident.set_status(Status.RESOLVED, NOW + timedelta(minutes=10))
    entry = incident.set_status(Status.DETECTED, NOW + timedelta(minutes=20))
    assert entry is not None and "Re-opened" in entry.text
    assert incident.status is Status.DETECTED
    assert incident.resolved_at is None and incident.mitigated_at is None
    assert len([e for e in incident.timeline if e.kind is EntryKind.STATUS]) == 2


def test_same_status_is_a_no_op(incident):
    assert incident.set_status(Status.DETECTED, NOW) is None
    assert incident.timeline == []


def test_metrics_absent_until_known(incident):
    incident.detected_at = NOW + timedelta(minutes=7)
    assert incident.time_to_detect == timedelta(minutes=7)
    assert incident.time_to_mitigate is None
    assert incident.duration() is None
    assert incident.duration(NOW + timedelta(hours=1)) == timedelta(hours=1)


def test_unknown_status_and_timezone_and_severity_refused():
    with pytest.raises(ValidationError, match="status"):
        Incident(title="x", started_at=NOW, status="broken")
    with pytest.raises(ValidationError, match="unknown timezone"):
        Incident(title="x", started_at=NOW, timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="SEV1"):
        Incident(title="x", started_at=NOW, severity="SEV9")


def test_severity_is_normalised():
    assert Incident(title="x", started_at=NOW, severity="2").severity == "SEV2"
    assert Incident(title="x", started_at=NOW, severity="sev1").severity == "SEV1"


def test_naive_times_are_refused_by_the_model():
    with pytest.raises(ValidationError):
        TimelineEntry(id="t1", at=NOW.replace(tzinfo=None), text="x")


def test_lone_surrogates_are_replaced_on_entry(incident):
    entry = incident.add_entry("bad \udcff byte", NOW)
    assert entry.text == "bad \ufffd byte"
    entry.text.encode("utf-8")


def test_replace_entry_keeps_order_and_id(incident):
    a = incident.add_entry("a", NOW)
    b = incident.add_entry("b", NOW + timedelta(minutes=1))
    old, new = incident.replace_entry(a.id, at=NOW + timedelta(minutes=2), text="a2")
    assert old is a and new.id == a.id and new.text == "a2"
    assert [e.id for e in incident.timeline] == [b.id, a.id]


def test_actions(incident):
    item = incident.add_action("Add caps", ActionKind.PREVENTIVE, owner="db")
    old, new = incident.replace_action(item.id, status="done")
    assert not old.done and new.done
    assert incident.actions == [new]


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(minutes=42), "42 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=1, minutes=11), "1 hour 11 minutes"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(seconds=45), "45 seconds"),
        (timedelta(days=1, hours=3, minutes=5), "1 day 3 hours"),
    ],
)
def test_format_duration(span, words):
    assert format_duration(span) == words
