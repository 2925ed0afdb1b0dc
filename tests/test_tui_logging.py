"""Logging from the entry bar: the time is when typing began; commands act."""

from datetime import datetime, timedelta

import pytest

from pmtui.core import store
from pmtui.core.model import ActionKind, EntryKind, Status
from tests.conftest import NOW, RAPPI
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


async def test_entry_time_is_when_typing_started(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        clock.advance(seconds=40)
        await type_text(pilot, "B primary is down")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        entry = incident.timeline[-1]
        assert entry.text == "DB primary is down"
        assert entry.at == NOW
        assert entry.kind is EntryKind.NOTE
        assert app.screen.query_one("#entry").value == ""


async def test_stamp_shows_the_captured_time_while_typing(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "x")
        clock.advance(seconds=75)
        app.main.tick()
        await pilot.pause()
        assert str(app.screen.query_one("#stamp").render()) == "20:30:00"
        await type_text(pilot, "")
        await pilot.press("backspace")
        app.main.tick()
        await pilot.pause()
        assert str(app.screen.query_one("#stamp").render()) == "20:31:15"


async def test_backdating_with_a_clock_time_and_an_offset(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "19:39 pagers fire")
        await pilot.press("enter")
        await type_text(pilot, "-5m rollback started")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        by_text = {e.text: e.at for e in incident.timeline}
        assert by_text["pagers fire"] == datetime(2026, 11, 21, 19, 39, tzinfo=NOW.tzinfo)
        assert by_text["rollback started"] == NOW - timedelta(minutes=5)


async def test_ctrl_t_drops_a_marker_at_this_second(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(seconds=7)
        await pilot.press("ctrl+t")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == ""
        assert incident.timeline[-1].at == NOW + timedelta(seconds=7)


async def test_status_commands_stamp_and_log(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(minutes=20)
        await type_text(pilot, "/mitigated rolled back the config")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.status is Status.MITIGATED
        assert incident.mitigated_at == NOW + timedelta(minutes=20)
        assert incident.timeline[-1].kind is EntryKind.STATUS
        assert incident.timeline[-1].text == "Mitigated: rolled back the config"
        clock.advance(minutes=5)
        await type_text(pilot, "/resolved")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.status is Status.RESOLVED
        assert incident.resolved_at == NOW + timedelta(minutes=25)
        await type_text(pilot, "/detected it is back")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.status is Status.DETECTED
        assert incident.resolved_at is None
        assert incident.timeline[-1].text.startswith("Re-opened")


async def test_action_and_prevent_commands(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/action Add a circuit breaker @payments")
        await pilot.press("enter")
        await type_text(pilot, "/prevent Stage config rollouts")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        first, second = incident.actions
        assert (first.text, first.owner, first.kind) == (
            "Add a circuit breaker",
            "payments",
            ActionKind.CORRECTIVE,
        )
        assert (second.text, second.owner, second.kind) == (
            "Stage config rollouts",
            None,
            ActionKind.PREVENTIVE,
        )
        assert incident.timeline == []  # actions are not timeline entries


async def test_fact_commands(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for text in ("/sev 1", "/title Payments down in EU", "/ic Ana"):
            await type_text(pilot, text)
            await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.severity == "SEV1"
        assert incident.title == "Payments down in EU"
        assert incident.commander == "Ana"
        assert app.title == "Payments down in EU"


async def test_kind_commands(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for text in (
            "/decision fail over to eu-west",
            "/comms status page updated",
            "/detect 19:50 alert from synthetic checks",
        ):
            await type_text(pilot, text)
            await pilot.press("enter")
        incident = await saved(app, pilot)
        kinds = {e.text: e.kind for e in incident.timeline}
        assert kinds == {
            "alert from synthetic checks": EntryKind.DETECTION,
            "fail over to eu-west": EntryKind.DECISION,
            "status page updated": EntryKind.COMMS,
        }
        assert incident.timeline[0].at.hour == 19  # the backdated one sorts first


async def test_todo_is_logged_and_becomes_an_action(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "TODO: page the DBA on call @ana")
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert incident.timeline[-1].text == "TODO: page the DBA on call @ana"
        assert incident.actions[-1].text == "page the DBA on call"
        assert incident.actions[-1].owner == "ana"


async def test_unknown_command_keeps_the_text_and_saves_nothing(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    before = (tmp_path / "inc.toml").read_bytes()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_text(pilot, "/mitigatd now")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#entry").value == "/mitigatd now"
        assert any("unknown command /mitigatd" in n.message for n in app._notifications)
    assert (tmp_path / "inc.toml").read_bytes() == before


async def test_quitting_with_a_refused_entry_logs_it_as_a_note(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/mitigatd rollback done")  # a typo, then ctrl+q in a hurry
        await pilot.press("ctrl+q")
        await pilot.pause()
    incident = store.load(tmp_path / "inc.toml")
    assert incident.timeline[-1].text == "/mitigatd rollback done"
    assert incident.status.value == "detected"
    assert "/mitigatd rollback done" in (tmp_path / "inc.md").read_text()


async def test_slash_shows_matching_commands(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/re")
        await pilot.pause()
        bar = app.screen.query_one("#entrybar")
        assert bar.has_class("-slash")
        hints = str(app.screen.query_one("#hints").render())
        assert "/resolved" in hints and "/mitigated" not in hints
        await pilot.press("right")  # accept the suggestion
        assert app.screen.query_one("#entry").value == "/resolved "


async def test_new_entries_follow_unless_scrolled_up(tmp_path):
    app = open_app(tmp_path / "inc.toml", sample=RAPPI)
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.screen.query_one("#timeline")
        await type_text(pilot, "newest")
        await pilot.press("enter")
        await pilot.pause()
        assert timeline.current.text == "newest"
        timeline.focus()
        await pilot.press("home")
        app.screen.query_one("#entry").focus()
        await type_text(pilot, "another")
        await pilot.press("enter")
        await pilot.pause()
        assert timeline.cursor == 0  # stays where the IC was reading
        assert timeline.entries[-1].text == "another"
        pane = app.screen.query_one("#timeline-pane")
        assert str(pane.border_subtitle) == "1 of 8"  # where the IC is reading
        timeline.focus()
        await pilot.press("end")
        assert str(pane.border_subtitle) == "8 entries"


async def test_the_entry_count_is_painted_after_each_stamp(tmp_path):
    """The pane's label repaints its border row alone: check what is painted."""
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        for n in range(1, 4):
            await type_text(pilot, f"alert {n}")
            await pilot.press("enter")
            await pilot.pause()
            bottom = next(row for row in screen_rows(app) if row.startswith("╰"))
            assert f" {n} {'entry' if n == 1 else 'entries'} ─╯" in bottom, bottom


async def test_stamps_past_the_bottom_keep_the_newest_in_view(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.screen.query_one("#timeline")
        for n in range(60):  # twice the pane's height
            await type_text(pilot, f"alert {n}")
            await pilot.press("enter")
        await pilot.pause()
        bottom = round(timeline.scroll_offset.y) + timeline.scrollable_content_region.height
        assert bottom == 60 == timeline.virtual_size.height
        assert timeline.current.text == "alert 59"
        assert "alert 59" in "".join(
            s.text for s in timeline.render_line(timeline.cursor - round(timeline.scroll_offset.y))
        )


async def test_a_line_wider_than_the_bar_keeps_the_cursor_in_view(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        bar = app.screen.query_one("#entry")
        await type_text(pilot, "x" * 300)
        await pilot.press("y")
        await pilot.pause()
        assert bar.scroll_x > 0
        assert bar.cursor_screen_offset.x <= bar.content_region.right  # as stock Input


async def test_the_stamp_lights_up_while_typing_and_when_backdating(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        stamp = app.screen.query_one("#stamp")
        assert str(stamp.text.style) == ""
        await type_text(pilot, "db")
        assert "cyan" in str(stamp.text.style)
        app.screen.query_one("#entry").value = "19:39 db"
        await pilot.pause()
        assert stamp.text.plain == "↶ 19:39:00" and "yellow" in str(stamp.text.style)


async def test_saving_shows_from_a_change_until_its_save_lands(tmp_path):
    from pmtui.widgets import save_indicator

    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        indicator = app.screen.query_one(save_indicator.SaveIndicator)
        indicator.saving()  # a change: never "saved" beside it until it is (issue 13)
        assert indicator.text == "saving…"
        indicator.saved("19:42:06", newer_pending=True)  # an older change's save
        assert indicator.text == "saving…"
        indicator.saved("19:42:07")
        assert indicator.text == "saved 19:42:07"
        await pilot.pause()


async def test_a_burst_with_corrections_keeps_its_order(tmp_path):
    """Over SSH keys arrive together: backspace and arrows act where they were typed."""
    from textual import events
    from textual.keys import _character_to_key

    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        keys = [*"teh", "backspace", "backspace", *"he db", "left", "left", "left", *"n"]
        for key in keys:
            if len(key) == 1:
                app.post_message(events.Key(_character_to_key(key), key))
            else:
                app.post_message(events.Key(key, None))
        await pilot.pause()
        assert app.screen.query_one("#entry").value == "then db"


@pytest.mark.parametrize("typed", ["/title", "/ic", "/sev", "/title   "])
def test_a_fact_command_without_its_value_is_refused_in_words(typed):
    """'/title' answered 'input should be a valid string'; '/ic' cleared the IC unasked."""
    from pmtui.core.model import Incident
    from pmtui.core.session import InputError, Session

    incident = Incident(title="Checkout down", commander="Ana", severity="SEV2", started_at=NOW)
    with pytest.raises(InputError, match=r"needs (a title|a name|a severity)"):
        Session(incident, clock=lambda: NOW).log(typed)
    assert (incident.title, incident.commander, incident.severity) == (
        "Checkout down",
        "Ana",
        "SEV2",
    )
