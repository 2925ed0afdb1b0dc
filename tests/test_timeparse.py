from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pmtui.core.timeparse import TimeError, parse_leading_time

GMT = ZoneInfo("GMT")
NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 11, 21, 20, 30, 15, tzinfo=GMT)


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("19:39 pagers fire", datetime(2026, 11, 21, 19, 39, tzinfo=GMT), "pagers fire"),
        ("19:39:05 pagers fire", datetime(2026, 11, 21, 19, 39, 5, tzinfo=GMT), "pagers fire"),
        ("7:39 PM pagers", datetime(2026, 11, 21, 19, 39, tzinfo=GMT), "pagers"),
        ("7:39pm: pagers", datetime(2026, 11, 21, 19, 39, tzinfo=GMT), "pagers"),
        ("7:39 a.m. - early", datetime(2026, 11, 21, 7, 39, tzinfo=GMT), "early"),
        ("12:05 AM midnight-ish", datetime(2026, 11, 21, 0, 5, tzinfo=GMT), "midnight-ish"),
        ("20:30:15 exactly now", datetime(2026, 11, 21, 20, 30, 15, tzinfo=GMT), "exactly now"),
        # a clock time well ahead of now (beyond the skew window) means yesterday
        ("21:00 before midnight", None, None),  # refused: see test_time_rules.py
        # a few minutes ahead is clock skew: today
        ("20:40 ahead", datetime(2026, 11, 21, 20, 40, tzinfo=GMT), "ahead"),
        ("2026-11-20 21:00 full", datetime(2026, 11, 20, 21, 0, tzinfo=GMT), "full"),
        ("2026-11-21T19:39:00+03:00 iso", datetime(2026, 11, 21, 16, 39, tzinfo=GMT), "iso"),
        ("2026-11-21T19:39:00Z iso", datetime(2026, 11, 21, 19, 39, tzinfo=GMT), "iso"),
        ("-5m rollback", NOW - timedelta(minutes=5), "rollback"),
        ("-90s blip", NOW - timedelta(seconds=90), "blip"),
        ("-1h paged", NOW - timedelta(hours=1), "paged"),
        ("-1h30m paged", NOW - timedelta(hours=1, minutes=30), "paged"),
        ("-2m", NOW - timedelta(minutes=2), ""),
    ],
)
def test_leading_times(text, expected, rest):
    if expected is None:
        with pytest.raises(TimeError):
            parse_leading_time(text, NOW, GMT)
        return
    moment, remainder = parse_leading_time(text, NOW, GMT)
    assert moment is not None and moment.tzinfo is not None
    assert moment == expected
    assert remainder == rest


@pytest.mark.parametrize(
    "text",
    [
        "db at 19:39 fell over",
        "25:00 nonsense",
        "19:60 nonsense",
        "13:00 PM nonsense",
        "0:30 am nonsense",
        "-5 minutes",
        "-m",
        "- list item",
        "10:30.5 ratio",
        "19:39x",
        "",
        "1939 no colon",
    ],
)
def test_not_a_time(text):
    assert parse_leading_time(text, NOW, GMT) == (None, text)


def test_time_is_read_in_the_incident_zone():
    moment, _ = parse_leading_time("8:26 AM pagers", NOW, NAIROBI)
    assert moment == datetime(2026, 11, 21, 8, 26, tzinfo=NAIROBI)
    assert moment.utcoffset() == timedelta(hours=3)


def test_offset_result_is_in_incident_zone():
    moment, _ = parse_leading_time("-5m x", NOW, NAIROBI)
    assert moment is not None and moment.tzinfo == NAIROBI
