"""Time in the app (issue 12, items 7 to 10 and 13): the bar's label, the status
pane, the summary editor's time fields and the entry editor, driven with Pilot."""

import re
from datetime import UTC, datetime, timedelta

from textual.widgets import Input

from pmtui.core.model import EntryKind
from pmtui.screens import EntryEditor, SummaryEditor
from tests.conftest import NOW
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


def status_rows(app) -> str:
    return "\n".join(screen_rows(app))


async def test_the_label_shows_the_date_of_a_time_not_today(tmp_path):
    clock = Clock(datetime(2026, 11, 22, 0, 5, tzinfo=UTC))
    app = open_app(tmp_path / "inc.toml", clock)  # started 2026-11-21 20:30
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "23:50 error rate climbing")
        assert app.screen.query_one("#stamp").text.plain == "↶ Nov 21 23:50"
        app.screen.query_one("#entry", Input).value = "/mitigated 23:58 rolled back"
        await pilot.pause()
        assert app.screen.query_one("#stamp").text.plain == "↶ Nov 21 23:58"
        app.screen.query_one("#entry", Input).value = "/mitigated 0:30 rolled back"
        await pilot.pause()
        assert app.screen.query_one("#stamp").text.plain == "✗ ahead of now"


async def test_a_time_that_cannot_be_meant_is_refused_and_stays_in_the_bar(tmp_path):
    app = open_app(tmp_path / "inc.toml")  # now 20:30
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "20:52 paged the DBA")
        assert app.screen.query_one("#stamp").text.plain == "✗ ahead of now"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#entry", Input).value == "20:52 paged the DBA"
        assert any("22 min from now" in n.message for n in app._notifications)
        incident = await saved(app, pilot)
        assert incident.timeline == []


async def test_a_skewed_status_time_is_today_and_the_pane_shows_no_negative(tmp_path):
    app = open_app(tmp_path / "inc.toml")  # now 20:30, started and detected 20:30
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/mitigated 20:37 rolled back")  # 7 minutes ahead: skew
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.mitigated_at == NOW + timedelta(minutes=7)
        await pilot.pause()
        rows = status_rows(app)
        assert re.search(r"To mitigate\s*7 minutes", rows)
        assert "-23 hours" not in rows


async def test_the_summary_editor_reads_times_as_the_bar_does(tmp_path):
    app = open_app(tmp_path / "inc.toml")  # now 20:30, started 20:30
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        field = app.screen.query_one("#started_at", Input)
        field.value = "21:00"  # half an hour ahead: no impact starts in the future
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        assert "21:00 is 30 min from now" in str(app.screen.query_one("#error").render())
        field.value = "-25m"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.started_at == datetime(2026, 11, 21, 20, 5, tzinfo=UTC)


async def test_mitigated_and_resolved_times_are_editable_and_move_their_entries(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        clock.advance(minutes=40)
        await type_text(pilot, "/mitigated")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        field = app.screen.query_one("#mitigated_at", Input)
        assert field.value == "2026-11-21 21:10:00"
        assert app.screen.query_one("#resolved_at", Input).value == ""
        field.value = "20:20"  # before detection (20:30): refused in the editor
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        error = str(app.screen.query_one("#error").render())
        assert "Mitigated at 20:20:00 is before detected at 20:30:00" in error
        field.value = "20:52"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.mitigated_at == datetime(2026, 11, 21, 20, 52, tzinfo=UTC)
        [status] = [e for e in incident.timeline if e.kind is EntryKind.STATUS]
        assert status.at == incident.mitigated_at
        assert "20:52:" in status_rows(app)
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert incident.mitigated_at == datetime(2026, 11, 21, 21, 10, tzinfo=UTC)
        assert incident.timeline[0].at == incident.mitigated_at


async def test_editing_the_status_entry_time_moves_the_stamp_in_the_pane(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(minutes=40)
        await type_text(pilot, "/mitigated")
        await pilot.press("enter")
        await pilot.press("tab")
        await pilot.press("enter")
        assert isinstance(app.screen, EntryEditor)
        app.screen.query_one("#time", Input).value = "20:45"
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert incident.mitigated_at == datetime(2026, 11, 21, 20, 45, tzinfo=UTC)
        await pilot.pause()
        rows = status_rows(app)
        assert "20:45:00" in rows and re.search(r"To mitigate\s*15 minutes", rows)
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert incident.mitigated_at == datetime(2026, 11, 21, 21, 10, tzinfo=UTC)


async def test_an_entry_before_the_start_moves_it_says_so_and_undo_restores(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "19:41 errors started")
        await pilot.press("enter")
        await pilot.pause()
        assert any(
            "Impact start moved to 19:41:00 (ctrl+z undoes)" in n.message
            for n in app._notifications
        )
        assert "19:41:00" in status_rows(app)
        await pilot.press("ctrl+z")
        incident = await saved(app, pilot)
        assert incident.started_at == datetime(2026, 11, 21, 20, 30, tzinfo=UTC)
        assert incident.timeline == []
        assert timedelta(0) == incident.time_to_detect


async def test_on_the_night_the_clocks_go_back_the_label_names_the_other_offset(tmp_path):
    clock = Clock(datetime(2026, 10, 25, 1, 45, tzinfo=UTC))  # 01:45 GMT
    app = open_app(tmp_path / "inc.toml", clock)
    app.incident.timezone = "Europe/London"
    async with app.run_test(size=SIZE) as pilot:
        stamp = app.screen.query_one("#stamp")
        await type_text(pilot, "01:40 error rate back")  # five minutes ago, GMT
        assert stamp.text.plain == "↶ 01:40:00"
        app.screen.query_one("#entry", Input).value = "-60m error rate back"
        await pilot.pause()
        assert stamp.text.plain == "↶ 01:45:00 BST"


def timeline_rows(app) -> list[str]:
    timeline = app.screen.query_one("#timeline")
    height = timeline.scrollable_content_region.height
    rows = ["".join(s.text for s in timeline.render_line(y)) for y in range(height)]
    return [row for row in rows if row.strip()]


async def test_the_timeline_names_the_zone_where_the_clocks_change(tmp_path):
    """01:59 BST then 01:00 GMT read as going back in time: the row after the
    change names its zone, as the export does."""
    clock = Clock(datetime(2026, 10, 25, 1, 5, tzinfo=UTC))  # 01:05 GMT
    app = open_app(tmp_path / "inc.toml", clock)
    app.incident.timezone = "Europe/London"
    app.incident.started_at = app.incident.detected_at = datetime(2026, 10, 24, 23, 50, tzinfo=UTC)
    async with app.run_test(size=SIZE) as pilot:
        for text in ("-66m pagers", "-5m back"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.pause()
        rows = timeline_rows(app)
        assert "00:59:00" in rows[-2] and "BST" not in rows[-2]
        assert "01:00:00 GMT" in rows[-1], rows
        assert len({row.index("note") for row in rows[-2:]}) == 1, rows  # still aligned


async def test_a_date_of_another_year_shows_its_year(tmp_path):
    """An incident file from last year: rows and the status pane say which year."""
    clock = Clock(datetime(2026, 11, 30, 8, 20, tzinfo=UTC))
    app = open_app(tmp_path / "inc.toml", clock)
    app.incident.started_at = app.incident.detected_at = datetime(2025, 11, 30, 7, 0, tzinfo=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "new line today")
        await pilot.press("enter")
        await pilot.pause()
        assert "2026-11-30 08:20:00" in timeline_rows(app)[-1]
        assert "2025-11-30 07:00" in status_rows(app)
