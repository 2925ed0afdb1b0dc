"""Roles and responders: /role, /join, /leave, /handover, /ic, and authors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pmtui.core import store
from pmtui.core.errors import LoadError
from pmtui.core.model import Incident
from pmtui.core.reader import parse
from pmtui.core.roles import holders
from pmtui.core.session import InputError, Session
from pmtui.core.writer import dumps
from tests.conftest import NOW, RAPPI
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


def fresh(commander: str | None = None) -> Session:
    incident = Incident(
        title="Checkout down", timezone="GMT", started_at=NOW, detected_at=NOW, commander=commander
    )
    return Session(incident, clock=lambda: NOW + timedelta(minutes=5), login="kim")


def people(session: Session) -> list[tuple[str, str | None, bool]]:
    return [(p.name, p.role, p.here) for p in session.incident.responders]


def test_role_join_leave_keep_a_list_with_times_and_log_each():
    session = fresh()
    session.log("/role comms Ana")
    session.log("/join Ben")
    session.log("-2m /role ops ben")  # a leading time is not a command: logged as words
    session.log("/role 20:31 ops ben")  # backdated; the name as first typed
    session.log("/leave Ana")
    inc = session.incident
    assert people(session) == [("Ana", "comms", False), ("Ben", "ops", True)]  # the role she held
    ana, ben = inc.responders
    assert ana.joined == NOW + timedelta(minutes=5) and ana.left == NOW + timedelta(minutes=5)
    assert ben.joined == NOW + timedelta(minutes=5)
    texts = [entry.text for entry in inc.timeline]
    assert texts[0] == "Ben is now ops"  # backdated to 20:31, before the others
    assert "Ana joined as comms" in texts and "Ben joined" in texts
    assert "/role ops ben" in texts  # after a leading time, a slash is words
    assert texts[-1] == "Ana left (was comms)"
    assert inc.timeline[texts.index("Ben is now ops")].at == NOW + timedelta(minutes=1)


def test_a_role_has_one_holder_and_a_person_one_role():
    session = fresh()
    session.log("/role comms Ana")
    change = session.log("/role comms Ben")
    assert session.incident.timeline[-1].text == "Ben joined as comms (was Ana)"
    assert change.message == ""  # the entry says it: no toast over the status pane
    assert people(session) == [("Ana", None, True), ("Ben", "comms", True)]
    session.log("/role scribe Ben")
    assert people(session) == [("Ana", None, True), ("Ben", "scribe", True)]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/join", "/join NAME needs a name"),
        ("/role comms", "/role ROLE NAME needs a name"),
        ("/leave Zed", "Zed is not on the incident (here: Ana)"),
        ("/join ana", "Ana is already on the incident"),
        ("/role comms Ana", "Ana is already comms"),
        ("/handover", "/handover NAME needs a name"),
        ("/ic", "/ic needs a name"),
        ("/role ana scribe", "the role comes first: /role scribe Ana"),
    ],
)
def test_bad_staffing_is_one_clear_line_and_changes_nothing(typed, says):
    session = fresh()
    session.log("/role comms Ana")
    before = session.incident.model_dump()
    with pytest.raises(InputError) as refused:
        session.log(typed)
    assert str(refused.value) == says
    assert session.incident.model_dump() == before


def test_handover_sets_the_commander_and_the_role_and_undo_takes_it_back():
    session = fresh(commander="Chris")
    session.log("/role comms Ana")
    change = session.log("/handover Dana")
    inc = session.incident
    assert inc.commander == "Dana"
    # Chris, named commander before any /role, stays on the list, without the role
    assert people(session) == [
        ("Ana", "comms", True),
        ("Chris", None, True),
        ("Dana", "commander", True),
    ]
    entry = inc.timeline[-1]
    assert entry.text == "Handover: Chris hands command to Dana"
    assert entry.author == "Chris"  # typed by the outgoing commander
    assert change.label == "handover"
    session.undo()
    assert inc.commander == "Chris" and people(session) == [("Ana", "comms", True)]
    session.redo()
    assert inc.commander == "Dana"


def test_ic_is_logged_and_gives_the_commander_role():
    session = fresh()
    session.log("/ic Chris")
    session.log("/ic Dana")
    inc = session.incident
    assert inc.commander == "Dana"
    assert [e.text for e in inc.timeline] == [
        "Chris joined as commander",
        "Dana joined as commander (was Chris)",
    ]
    assert people(session) == [("Chris", None, True), ("Dana", "commander", True)]


def test_the_ic_is_the_author_of_what_they_type_else_the_login_name():
    session = fresh()
    session.log("pagers fired")
    session.log("/ic Dana")
    session.log("rolled back")
    session.stamp()
    authors = [entry.author for entry in session.incident.timeline]
    assert authors == ["kim", "kim", "Dana", "Dana"]


def test_responders_and_updates_round_trip_through_both_readers_and_the_writer():
    session = fresh()
    session.log("/role comms Ana")
    session.log("/join Ben")
    session.log("/leave Ben")
    text = dumps(session.incident)
    assert "[[responders]]" in text
    fast = parse(text, "x.toml")  # the fast path reads the timeline
    slow = parse(text.replace('kind = "note"', "kind = 'note'  # slow"), "x.toml")
    assert fast.responders == slow.responders == session.incident.responders
    assert dumps(fast) == text


def test_an_old_file_without_responders_opens_and_saves_as_it_was(tmp_path):
    text = RAPPI.read_text(encoding="utf-8")
    assert "responders" not in text
    incident = parse(text, RAPPI)
    assert incident.responders == []
    assert "responders" not in dumps(incident) and "[updates]" not in dumps(incident)


def test_a_bad_responder_in_the_file_is_one_line_naming_it(tmp_path):
    path = tmp_path / "inc.toml"
    path.write_text(
        'schema = 1\n[incident]\ntitle = "x"\nstarted_at = 2026-11-21T19:32:00Z\n'
        "[[responders]]\nrole = 'comms'\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as error:
        store.load(path)
    assert str(error.value) == f"{path}: responders[0].name: is required"


async def test_the_status_pane_shows_who_holds_which_role(tmp_path):
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE) as pilot:
        for typed in ("/role comms Ana", "/join Ben", "/role ops Ben", "/ic Dana"):
            await type_text(pilot, typed)
            await pilot.press("enter")
        await pilot.pause()
        rows = "\n".join(screen_rows(app))
        assert "IC          Dana" in rows or "IC Dana" in " ".join(rows.split())
        squeezed = " ".join(rows.split())
        assert "Comms Ana" in squeezed and "Ops Ben" in squeezed
        incident = await saved(app, pilot)
        assert [(p.name, p.role) for p in incident.responders] == [
            ("Ana", "comms"),
            ("Ben", "ops"),
            ("Dana", "commander"),
        ]
        await type_text(pilot, "/leave Ana")
        await pilot.press("enter")
        await pilot.pause()
        assert "Comms Ana" not in " ".join("\n".join(screen_rows(app)).split())


async def test_the_timeline_shows_authors_once_a_second_one_has_written(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "kim")
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "pagers fired")
        await pilot.press("enter")
        await pilot.pause()
        rows = screen_rows(app)
        assert not any("kim" in row for row in rows)  # one author: not named
        await type_text(pilot, "/ic Dana")
        await pilot.press("enter")
        await type_text(pilot, "rolled back")
        await pilot.press("enter")
        await pilot.pause()
        rows = screen_rows(app)
        assert any("note      kim · pagers fired" in row for row in rows)
        assert any("note      Dana · rolled back" in row for row in rows)
        incident = await saved(app, pilot)
        assert [e.author for e in incident.timeline] == ["kim", "kim", "Dana"]


def test_the_commander_set_in_the_summary_editor_is_the_one_the_roles_name():
    session = fresh()
    session.log("/role comms Ana")
    session.log("/ic Chris")
    session.update_head({"commander": "Dana"})
    assert holders(session.incident) == [("commander", "Dana"), ("comms", "Ana")]
