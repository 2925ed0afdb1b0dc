"""Undo and redo without a terminal: every kind of change, and typing in a field."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from pmtui.core.model import ActionKind, Incident, Status
from pmtui.core.session import Change, Session
from pmtui.widgets.typing_history import TypingHistory
from tests.conftest import NOW


def fresh() -> Session:
    incident = Incident(title="Checkout down", timezone="GMT", started_at=NOW, detected_at=NOW)
    session = Session(incident, clock=lambda: NOW + timedelta(minutes=5))
    session.log("pagers fired")
    session.log("TODO page the DBA @ana")
    return session


CHANGES: dict[str, Callable[[Session], Change]] = {
    "log": lambda s: s.log("-2m error rate at 40%"),
    "marker": lambda s: s.stamp(),
    "delete": lambda s: s.delete_entry("t1"),
    "edit": lambda s: s.edit_entry("t1", text="pagers fired for checkout"),
    "status": lambda s: s.set_status(Status.MITIGATED, "rolled back"),
    "facts": lambda s: s.update_head({"title": "Checkout 500s", "severity": "SEV1"}),
    "add action": lambda s: s.add_action("cap the pool", ActionKind.PREVENTIVE),
    "edit action": lambda s: s.edit_action("a1", owner="bob"),
    "toggle action": lambda s: s.toggle_action("a1"),
    "delete action": lambda s: s.delete_action("a1"),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_undo_then_redo_of_every_change_round_trips(kind):
    session = fresh()
    before = session.incident.model_dump()
    CHANGES[kind](session)
    after = session.incident.model_dump()
    assert after != before
    assert session.undo() is not None
    assert session.incident.model_dump() == before
    assert session.redo() is not None
    assert session.incident.model_dump() == after
    assert session.undo() is not None  # and the redone change undoes again
    assert session.incident.model_dump() == before


def test_redo_walks_back_through_several_undos_and_a_new_change_clears_it():
    session = fresh()
    states = [session.incident.model_dump()]
    for text in ("one", "two", "three"):
        session.log(text)
        states.append(session.incident.model_dump())
    for expected in reversed(states[:-1]):
        session.undo()
        assert session.incident.model_dump() == expected
    for expected in states[1:]:
        session.redo()
        assert session.incident.model_dump() == expected
    assert session.redo() is None
    session.undo()
    session.log("four")
    assert session.redo() is None


def test_describe_names_the_entry():
    session = fresh()
    session.delete_entry("t1")
    assert session.describe(session.undo_stack[-1]) == "delete “pagers fired”"


def test_typing_is_undone_a_word_at_a_time():
    history = TypingHistory("")
    value = ""
    for character in "half a line":
        value += character
        history.changed(value)
    assert history.undo() == "half a "
    assert history.undo() == "half "
    assert history.redo() == "half a "
    history.changed("half a x")  # typing again clears what redo had
    assert history.redo() is None
    history.changed("half")  # a delete is a step of its own
    assert history.undo() == "half a x"
