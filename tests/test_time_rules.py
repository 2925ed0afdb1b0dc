"""Time that is never silently wrong (issue 12, items 7 to 13): the core rules.

The session is driven as the app drives it, with a clock the test sets.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pmtui.core.export import export_markdown
from pmtui.core.model import EntryKind, Incident, Status, format_duration
from pmtui.core.session import InputError, Session
from pmtui.core.stamps import order_problem, stamp_entry
from pmtui.core.timeparse import SKEW, TimeError, local_zone, parse_leading_time, parse_time_field
from tests.conftest import NOW

GMT = ZoneInfo("GMT")
LONDON = ZoneInfo("Europe/London")


def session_at(now: datetime, zone: str = "GMT", started: datetime | None = None) -> Session:
    incident = Incident(
        title="Checkout down",
        timezone=zone,
        started_at=started or now - timedelta(minutes=30),
        detected_at=started or now - timedelta(minutes=30),
    )
    return Session(incident, clock=lambda: now)


# -- item 7: skew, the date shown, what cannot be meant is refused -------------
def test_a_time_a_few_minutes_ahead_is_today_not_yesterday():
    session = session_at(NOW.replace(hour=9, minute=8))
    change = session.log("9:15 db failover finished")
    entry = session.incident.timeline[-1]
    assert entry.at == NOW.replace(hour=9, minute=15)
    assert "Logged at 09:15:00, 7 min ahead of this clock (skew)" in change.message
    assert session.incident.time_to_detect == timedelta(0)


def test_skew_window_is_fifteen_minutes():
    assert timedelta(minutes=15) == SKEW
    now = NOW.replace(hour=9, minute=8)
    assert parse_leading_time("9:23 x", now, GMT)[0] == now.replace(minute=23)
    with pytest.raises(TimeError, match="9:24 is 16 min from now"):
        parse_leading_time("9:24 x", now, GMT)


def test_a_time_well_ahead_is_refused_and_nothing_is_logged():
    session = session_at(NOW.replace(hour=9, minute=8))
    with pytest.raises(InputError, match=r"09:30 is 22 min from now.*2026-11-20 09:30"):
        session.log("9:30 paged the DBA")
    for line in ("9:30 TODO page the DBA", "/mitigated 9:30", "/decision 9:30 roll back"):
        with pytest.raises(InputError, match="22 min from now"):
            session.log(line)
    assert session.incident.timeline == []
    assert session.undo_stack == []


def test_a_time_on_the_previous_day_says_its_date():
    # just after midnight, 23:50 is ten minutes before midnight: yesterday, said so
    now = datetime(2026, 11, 22, 0, 5, tzinfo=UTC)
    session = session_at(now, started=now - timedelta(hours=1))
    change = session.log("23:50 error rate climbing")
    assert session.incident.timeline[-1].at == datetime(2026, 11, 21, 23, 50, tzinfo=UTC)
    assert "Backdated to Sat 21 Nov 23:50:00" in change.message


def test_a_full_date_in_the_future_is_refused():
    session = session_at(NOW)
    with pytest.raises(InputError, match="in the future"):
        session.log("2026-11-22 09:00 tomorrow's thing")
    with pytest.raises(InputError, match="in the future"):
        session.log("/mitigated 2026-11-21 22:00")
    assert session.incident.timeline == []


# -- item 8: one grammar and one rule for every time field ----------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:32", datetime(2026, 11, 21, 19, 32, tzinfo=UTC)),
        ("7:32 PM", datetime(2026, 11, 21, 19, 32, tzinfo=UTC)),
        ("-5m", NOW - timedelta(minutes=5)),
        ("2026-11-20 19:32", datetime(2026, 11, 20, 19, 32, tzinfo=UTC)),
        ("2026-11-20 19:32:05", datetime(2026, 11, 20, 19, 32, 5, tzinfo=UTC)),
        ("2026-11-21T19:32:00+03:00", datetime(2026, 11, 21, 16, 32, tzinfo=UTC)),
        ("20:40", datetime(2026, 11, 21, 20, 40, tzinfo=UTC)),  # skew
    ],
)
def test_a_time_field_follows_the_entry_bar(text, expected):
    assert parse_time_field(text, NOW, GMT) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("21:00", "30 min from now"),
        ("2026-11-21 22:00", "in the future"),
        ("19:32 and more", "Not a time"),
        ("25:00", "Not a time"),
        ("", "Not a time"),
    ],
)
def test_a_time_field_refuses_what_cannot_be_meant(text, why):
    with pytest.raises(TimeError, match=why):
        parse_time_field(text, NOW, GMT)


# -- item 9: out of order is warned when logged, never a negative duration ------
def test_mitigated_before_detected_is_logged_with_a_warning():
    session = session_at(NOW)  # started and detected at 20:00
    session.log("/detect pagers")  # detection logged at 20:30 does not move 20:00
    change = session.log("/mitigated 19:50 rolled back")
    inc = session.incident
    assert inc.mitigated_at == NOW.replace(hour=19, minute=50)
    assert "Impact start moved to 19:50:00" in change.message
    assert "Warning: Mitigated at 19:50:00 is before detected at 20:00:00" in change.message
    assert format_duration(inc.time_to_mitigate) == "0 seconds"


def test_no_negative_duration_is_ever_printed():
    assert format_duration(timedelta(minutes=-5)) == "out of order"
    # a hand-edited file: resolved before it started, mitigated before detected
    incident = Incident(
        title="x",
        timezone="GMT",
        status=Status.RESOLVED,
        started_at=NOW,
        detected_at=NOW + timedelta(minutes=9),
        mitigated_at=NOW - timedelta(minutes=20),
        resolved_at=NOW - timedelta(minutes=10),
    )
    text = export_markdown(incident, now=NOW)
    assert "-" not in "".join(line for line in text.splitlines() if "minute" in line)
    assert "| Time to mitigate | out of order |" in text
    assert "the recorded end is before the start" in text
    assert order_problem(incident) == ("Mitigated at 20:10:00 is before detected at 20:39:00")


# -- item 10: every status time can be corrected; entry and stamp stay one -------
def test_status_again_with_a_time_corrects_it_and_moves_its_entry():
    session = session_at(NOW)
    session.log("/mitigated rolled back")
    with pytest.raises(InputError, match=r"already mitigated since 20:30:00: /mitigated 20:05"):
        session.log("/mitigated")
    change = session.log("/mitigated 20:12 rolled back the config")
    inc = session.incident
    assert inc.mitigated_at == NOW.replace(minute=12)
    [entry] = [e for e in inc.timeline if e.kind is EntryKind.STATUS]
    assert entry.at == inc.mitigated_at
    assert entry.text == "Mitigated: rolled back the config"
    assert "Mitigated time moved to 20:12:00" in change.message
    session.undo()
    assert inc.mitigated_at == NOW
    assert [e.at for e in inc.timeline] == [NOW]


def test_editing_the_status_entry_moves_the_stamp_and_undo_restores_both():
    session = session_at(NOW)
    session.log("/mitigated")
    session.log("/resolved")
    inc = session.incident
    resolved = stamp_entry(inc, "resolved_at")
    assert resolved is not None
    session.edit_entry(resolved.id, at=NOW + timedelta(minutes=4))
    assert inc.resolved_at == NOW + timedelta(minutes=4)
    assert stamp_entry(inc, "resolved_at") is not None
    session.undo()
    assert inc.resolved_at == NOW
    assert inc.timeline[inc.index_of(resolved.id)].at == NOW


def test_editing_a_stamp_moves_its_status_entry_and_undo_restores_both():
    session = session_at(NOW + timedelta(minutes=30))
    session.log("/mitigated")
    inc = session.incident
    entry = stamp_entry(inc, "mitigated_at")
    assert entry is not None
    session.update_head({"mitigated_at": NOW + timedelta(minutes=12)})
    assert inc.timeline[inc.index_of(entry.id)].at == NOW + timedelta(minutes=12)
    session.undo()
    assert inc.mitigated_at == NOW + timedelta(minutes=30)
    assert inc.timeline[inc.index_of(entry.id)].at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ({"mitigated_at": NOW - timedelta(hours=1)}, "Mitigated at 19:30:00 is before"),
        ({"resolved_at": NOW}, "Not resolved yet: /resolved marks it"),
        ({"mitigated_at": None}, "The incident is mitigated: mitigated needs a time"),
        ({"detected_at": NOW + timedelta(hours=1)}, "Mitigated at 20:30:00 is before detected"),
    ],
)
def test_stamps_out_of_order_are_refused_and_nothing_changes(values, why):
    session = session_at(NOW)
    session.log("/mitigated")
    before = session.incident.model_dump()
    with pytest.raises(InputError, match=why):
        session.update_head(values)
    assert session.incident.model_dump() == before


def test_moving_a_status_entry_out_of_order_is_refused():
    session = session_at(NOW)
    session.log("/mitigated")
    entry = stamp_entry(session.incident, "mitigated_at")
    assert entry is not None
    with pytest.raises(InputError, match="before detected"):
        session.edit_entry(entry.id, at=NOW - timedelta(hours=1))
    assert session.incident.mitigated_at == NOW


# -- item 11: DST, Europe/London, counted in real instants -----------------------
def test_a_wall_time_the_clocks_jumped_over_is_refused_not_moved_a_day():
    now = datetime(2026, 3, 29, 1, 10, tzinfo=UTC)  # 02:10 BST
    with pytest.raises(TimeError, match="01:30 did not exist on Sun 29 Mar"):
        parse_leading_time("01:30 x", now, LONDON)
    assert parse_leading_time("00:30 x", now, LONDON)[0] == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert parse_leading_time("02:05 x", now, LONDON)[0] == datetime(2026, 3, 29, 1, 5, tzinfo=UTC)


def test_on_the_night_the_clocks_go_back_the_most_recent_moment_wins():
    now = datetime(2026, 10, 25, 1, 45, tzinfo=UTC)  # 01:45 GMT, after 01:59 BST
    moment, _ = parse_leading_time("01:40 x", now, LONDON)
    assert moment is not None and moment.astimezone(UTC) == now - timedelta(minutes=5)
    assert moment.tzname() == "GMT"
    # before the change, 01:40 is 01:40 BST
    early = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 01:45 BST
    moment, _ = parse_leading_time("01:40 x", early, LONDON)
    assert moment is not None and moment.astimezone(UTC) == early - timedelta(minutes=5)
    assert moment.tzname() == "BST"


def test_entries_across_the_change_sort_in_real_order():
    now = datetime(2026, 10, 25, 1, 45, tzinfo=UTC)
    session = session_at(now, zone="Europe/London", started=now - timedelta(hours=2))
    session.log("-60m an hour ago, BST")  # 01:45 BST
    session.log("2026-10-25T01:50:00+01:00 five minutes later, BST")
    session.log("01:40 five minutes ago, GMT")  # 01:40 GMT: after both
    texts = [entry.text for entry in session.incident.timeline]
    assert texts == ["an hour ago, BST", "five minutes later, BST", "five minutes ago, GMT"]


def test_the_export_names_the_offset_where_it_changes():
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    incident = Incident(title="DST night", timezone="Europe/London", started_at=start)
    incident.add_entry("before the change", start + timedelta(minutes=29))  # 01:59 BST
    incident.add_entry("after the change", start + timedelta(minutes=30))  # 01:00 GMT
    incident.add_entry("still GMT", start + timedelta(minutes=40))  # 01:10 GMT
    text = export_markdown(incident, now=start + timedelta(hours=1))
    assert "## Timeline (times in BST, UTC+1; then GMT, UTC+0 where marked)" in text
    assert "- 1:59 AM: before the change" in text
    assert "- 1:00 AM GMT: after the change" in text
    assert "- 1:10 AM: still GMT" in text
    incident.set_status(Status.RESOLVED, start + timedelta(minutes=50))  # 01:20 GMT
    text = export_markdown(incident)
    assert "From 1:30 AM BST to 1:20 AM GMT, 50 minutes." in text


# -- item 12: TZ is honoured for new incidents --------------------------------
@pytest.mark.parametrize(
    "value", ["Europe/London", ":Europe/London", "/usr/share/zoneinfo/Europe/London"]
)
def test_tz_names_the_zone_of_a_new_incident(monkeypatch, value):
    monkeypatch.setenv("TZ", value)
    assert local_zone() == "Europe/London"
    assert Incident(title="x", started_at=NOW).timezone == "Europe/London"


def test_a_tz_that_names_no_zone_falls_back(monkeypatch):
    monkeypatch.setenv("TZ", "Not/AZone")
    fallback = local_zone()
    monkeypatch.delenv("TZ")
    assert fallback == local_zone()


# -- item 13: the stamps follow an entry logged before them ---------------------
def test_an_entry_before_the_start_moves_the_start_and_undo_brings_it_back():
    session = session_at(NOW, started=NOW)
    change = session.log("19:41 errors started")
    inc = session.incident
    assert inc.started_at == NOW.replace(hour=19, minute=41)
    assert "Impact start moved to 19:41:00 (ctrl+z undoes)" in change.message
    assert change.head is not None  # the status pane is redrawn
    session.undo()
    assert inc.started_at == NOW and inc.timeline == []


def test_a_detection_before_detected_moves_detection_too():
    session = session_at(NOW, started=NOW)
    change = session.log("/detect 19:45 pagers fired")
    inc = session.incident
    assert inc.started_at == inc.detected_at == NOW.replace(hour=19, minute=45)
    assert "Detection moved to 19:45:00" in change.message
    session.undo()
    assert inc.started_at == inc.detected_at == NOW


def test_an_entry_after_the_start_moves_nothing():
    session = session_at(NOW, started=NOW - timedelta(hours=1))
    change = session.log("-5m nothing to move")
    assert change.head is None
    assert change.message.startswith("Backdated to")


def test_quitting_with_a_refused_time_keeps_the_words():
    session = session_at(NOW)
    session.log_verbatim("20:52 paged the DBA", NOW)
    entry = session.incident.timeline[-1]
    assert (entry.text, entry.at) == ("20:52 paged the DBA", NOW)


def test_an_entry_edited_to_before_the_start_moves_the_start_too():
    session = session_at(NOW, started=NOW)
    session.log("db alarms")
    entry = session.incident.timeline[-1]
    change = session.edit_entry(entry.id, at=NOW - timedelta(minutes=12))
    assert session.incident.started_at == NOW - timedelta(minutes=12)
    assert "Impact start moved to 20:18:00" in change.message
    session.undo()
    assert session.incident.started_at == NOW
