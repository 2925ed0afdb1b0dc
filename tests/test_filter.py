"""The timeline filter (ctrl+f) and the noise the export leaves out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Checkbox, Static

from pmtui.core.export import export_markdown
from pmtui.core.filtering import FilterError, parse_filter
from pmtui.core.model import Incident
from pmtui.core.reader import parse
from pmtui.core.session import Session
from pmtui.core.writer import dumps
from pmtui.screens.filter import FilterScreen
from pmtui.widgets import TimelineView
from tests.conftest import NOW
from tests.mdcheck import parse as parse_markdown
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


def busy() -> Session:
    incident = Incident(title="Checkout down", timezone="GMT", started_at=NOW, detected_at=NOW)
    clock = Clock()
    session = Session(incident, clock=clock, login="kim")
    for line in (
        "db timeout on orders",
        "/decision fail over to eu-west",
        "/ic Dana",
        "DB Timeout again",
        "/mitigated",
    ):
        clock.advance(minutes=1)
        session.log(line)
    clock.advance(minutes=1)
    session.stamp()
    return session


def shown(session: Session, text: str) -> list[str]:
    wanted = parse_filter(text)
    return [e.text for e in session.incident.timeline if wanted.matches(e)]


@pytest.mark.parametrize(
    ("typed", "texts"),
    [
        ("db timeout", ["db timeout on orders", "DB Timeout again"]),
        ("kind:decision", ["fail over to eu-west"]),
        ("kind:decision,status", ["fail over to eu-west", "Mitigated"]),
        ("@dana -markers", ["DB Timeout again", "Mitigated"]),
        ("by:kim timeout", ["db timeout on orders"]),
        (
            "-noise",
            [
                "db timeout on orders",
                "fail over to eu-west",
                "Dana joined as commander",
                "DB Timeout again",
            ],
        ),
    ],
)
def test_a_filter_matches_text_kind_and_author(typed, texts):
    assert shown(busy(), typed) == texts


def test_a_kind_that_does_not_exist_is_one_line():
    with pytest.raises(FilterError, match=r"^kind:bug: not a kind; kinds are action, comms, "):
        parse_filter("kind:bug")


def test_the_export_can_leave_out_status_changes_and_markers_and_says_so_in_the_file():
    session = busy()
    session.hide_in_export(["status", "markers"])
    text = dumps(session.incident)
    assert '[export]\nhide = [\n    "status",\n    "markers",\n]' in text
    again = parse(text, "x.toml")
    markdown = export_markdown(again, now=NOW + timedelta(hours=1))
    items = parse_markdown(markdown).timeline_items
    assert any("fail over to eu-west" in item for item in items)
    assert not any("Mitigated" in item for item in items)
    assert len(items) == 4  # the marker is left out too
    session.undo()
    items = parse_markdown(export_markdown(session.incident, now=NOW)).timeline_items
    assert any("Mitigated" in item for item in items) and len(items) == 6


async def test_ctrl_f_filters_the_timeline_and_the_box_hides_noise_from_the_export(tmp_path):
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE) as pilot:
        for line in ("db timeout on orders", "/decision fail over", "queue drained", "/mitigated"):
            await type_text(pilot, line)
            await pilot.press("enter")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        await type_text(pilot, "kind:decision")
        await pilot.press("enter")
        await pilot.pause()
        rows = "\n".join(screen_rows(app))
        assert "fail over" in rows and "queue drained" not in rows
        assert "1 matching “kind:decision” · ctrl+f" in rows
        timeline = app.screen.query_one(TimelineView)
        await pilot.press("ctrl+f")
        await pilot.pause()
        await type_text(pilot, " nothing-like-this")
        await pilot.press("enter")
        await pilot.pause()
        assert "No entry matches the filter" in "\n".join(screen_rows(app))
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.screen.query_one("#filter").value = ""
        app.screen.query_one(Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert timeline.filter.active is False
        assert "queue drained" in "\n".join(screen_rows(app))
        incident = await saved(app, pilot)
        assert incident.export.hide == ["status", "markers"]


async def test_a_bad_filter_is_said_in_the_dialog_and_nothing_changes(tmp_path):
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        await type_text(pilot, "kind:bug")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        error = str(app.screen.query_one("#error", Static).render())
        assert error.startswith("kind:bug: not a kind")
