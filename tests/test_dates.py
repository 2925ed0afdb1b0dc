from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pmtui.core.dates import parse_due

GMT = ZoneInfo("GMT")
# Saturday 21 November 2026, 20:30 GMT
NOW = datetime(2026, 11, 21, 20, 30, tzinfo=GMT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 21)),
        ("tomorrow", date(2026, 11, 22)),
        ("Tomorrow ", date(2026, 11, 22)),
        ("fri", date(2026, 11, 27)),  # a past weekday means the next one
        ("friday", date(2026, 11, 27)),
        ("sat", date(2026, 11, 21)),  # today's name is today
        ("sun", date(2026, 11, 22)),
        ("mon", date(2026, 11, 23)),
        ("+3d", date(2026, 11, 24)),
        ("+2w", date(2026, 12, 5)),
        ("+10 days", date(2026, 12, 1)),
        ("2026-12-01", date(2026, 12, 1)),
        ("dec 1", date(2026, 12, 1)),
        ("December 1st", date(2026, 12, 1)),
        ("1 dec", date(2026, 12, 1)),
        ("nov 21", date(2026, 11, 21)),
        ("nov 20", date(2027, 11, 20)),  # passed this year: next year's
        ("feb 29", date(2028, 2, 29)),
        ("jan 5", date(2027, 1, 5)),
    ],
)
def test_due_words(text, expected):
    assert parse_due(text, NOW, GMT) == expected


@pytest.mark.parametrize(
    "text", ["", "fry", "hand", "by hand", "2026-13-01", "dec 32", "+3x", "soon", "fr", "+", "12"]
)
def test_what_is_not_a_date(text):
    assert parse_due(text, NOW, GMT) is None


def test_dates_resolve_in_the_incidents_timezone():
    # 22:30 GMT on Saturday is already Sunday in Nairobi (UTC+3)
    late = datetime(2026, 11, 21, 22, 30, tzinfo=GMT)
    nairobi = ZoneInfo("Africa/Nairobi")
    assert parse_due("today", late, nairobi) == date(2026, 11, 22)
    assert parse_due("tomorrow", late, nairobi) == date(2026, 11, 23)
    assert parse_due("sat", late, nairobi) == date(2026, 11, 28)
    assert parse_due("today", late, GMT) == date(2026, 11, 21)


def _session():
    from pmtui.core.model import Incident
    from pmtui.core.session import Session

    incident = Incident(title="x", timezone="GMT", started_at=NOW, detected_at=NOW)
    return incident, Session(incident, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("typed", "text", "owner", "due"),
    [
        ("/action Add caps @db due:fri", "Add caps", "db", date(2026, 11, 27)),
        ("/action Add caps due:dec 1 @db", "Add caps", "db", date(2026, 12, 1)),
        ("/prevent Stage rollouts due:+2w", "Stage rollouts", None, date(2026, 12, 5)),
        ("/action Pay what is due today", "Pay what is due today", None, None),
        ("/action Roll back by hand @ops", "Roll back by hand", "ops", None),
        ("TODO page the DBA @ana due:tomorrow", "page the DBA", "ana", date(2026, 11, 22)),
        ("19:40 TODO: audit it due:2026-12-01", "audit it", None, date(2026, 12, 1)),
    ],
)
def test_a_due_date_on_the_command_line(typed, text, owner, due):
    incident, session = _session()
    session.log(typed)
    item = incident.actions[-1]
    assert (item.text, item.owner, item.due) == (text, owner, due)


@pytest.mark.parametrize("typed", ["/action Add caps due:fry", "TODO add caps @db due:someday"])
def test_a_bad_due_date_is_refused_and_nothing_changes(typed):
    from pmtui.core.session import InputError

    incident, session = _session()
    with pytest.raises(InputError, match="is not a date: try fri, tomorrow"):
        session.log(typed)
    assert incident.actions == [] and incident.timeline == []


async def test_the_action_editor_takes_due_words_and_shows_the_date(tmp_path):
    from textual.widgets import Input

    from pmtui.screens import ActionEditor
    from pmtui.widgets import ActionList
    from tests.tui import SIZE, open_app, saved

    app = open_app(tmp_path / "inc.toml")  # the clock reads Saturday 21 Nov 2026, 20:30 GMT
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(ActionList.Requested("add", None))  # as the pane's add key does
        await pilot.pause()
        assert isinstance(app.screen, ActionEditor)
        app.screen.query_one("#text", Input).value = "Cap the pool"
        app.screen.query_one("#due", Input).value = "fri"
        await pilot.pause()
        assert "Fri 27 Nov 2026 (in 6 days)" in str(app.screen.query_one("#due-shown").render())
        await pilot.press("ctrl+s")
        assert (await saved(app, pilot)).actions[0].due == date(2026, 11, 27)
        app.post_message(ActionList.Requested("edit", app.incident.actions[0].id))
        await pilot.pause()
        app.screen.query_one("#due", Input).value = "+2w"
        await pilot.press("ctrl+s")
        assert (await saved(app, pilot)).actions[0].due == date(2026, 12, 5)


def test_the_ic_is_told_the_date_a_due_word_meant():
    _incident, session = _session()
    assert session.log("/action Add caps @db due:fri").message.endswith("(due Fri 27 Nov 2026)")
    assert session.log("TODO rotate keys due:+3d").message.endswith("(due Tue 24 Nov 2026)")


def test_a_due_date_already_past_is_taken_and_said():
    """A year typed wrong (due:2020-01-01) made an item overdue at once, silently."""
    incident, session = _session()
    message = session.log("/action Rotate keys due:2020-01-01").message
    assert message.endswith("(due Wed 1 Jan 2020: already past)")
    assert incident.actions[-1].due == date(2020, 1, 1)
