"""The postmortem's sections and tickets, typed in the editors of the real app."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from pmtui.core.model import DetectedBy
from pmtui.screens import ActionEditor, SummaryEditor
from tests.tui import SIZE, open_app, saved

SECTIONS = {
    "lead_in": "For 42 minutes every order became a mug.",
    "trigger": "A config push.",
    "contributing_factors": "- no canary\n- no cap",
    "detection": "The Purchase Checker paged us.",
    "went_well": "Paging.",
    "went_wrong": "The first rollback.",
    "got_lucky": "A cheap mug.",
    "closing": "We are sorry.\n\nThe team",
}


async def test_summary_editor_saves_every_section_and_shows_it_again(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SummaryEditor)
        for name, text in SECTIONS.items():
            app.screen.query_one(f"#{name}", TextArea).text = text
        app.screen.query_one("#detected_by", Select).value = DetectedBy.CUSTOMER
        app.screen.query_one(
            "#links", TextArea
        ).text = "Dashboard https://grafana.example/d/1\n\n  https://status.example/i/7  \n"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, SummaryEditor)
        incident = await saved(app, pilot)
        for name, text in SECTIONS.items():
            assert getattr(incident, name) == text
        assert incident.detected_by is DetectedBy.CUSTOMER
        assert incident.links == [
            "Dashboard https://grafana.example/d/1",
            "https://status.example/i/7",
        ]

        await pilot.press("ctrl+s")  # opened again, it shows what was saved
        assert isinstance(app.screen, SummaryEditor)
        assert app.screen.query_one("#closing", TextArea).text == "We are sorry.\n\nThe team"
        assert app.screen.query_one("#detected_by", Select).value is DetectedBy.CUSTOMER
        assert app.screen.query_one("#links", TextArea).text == (
            "Dashboard https://grafana.example/d/1\nhttps://status.example/i/7"
        )
        app.screen.query_one("#trigger", TextArea).text = ""
        app.screen.query_one("#detected_by", Select).value = Select.NULL
        app.screen.query_one("#links", TextArea).text = ""
        await pilot.press("ctrl+s")
        incident = await saved(app, pilot)
        assert (incident.trigger, incident.detected_by, incident.links) == ("", None, [])
        await pilot.press("ctrl+z")  # one undo brings the three back
        incident = await saved(app, pilot)
        assert incident.trigger == "A config push." and incident.links


async def test_action_editor_keeps_a_ticket(tmp_path):
    app = open_app(tmp_path / "inc.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", "ctrl+a")
        assert isinstance(app.screen, ActionEditor)
        app.screen.query_one("#text", Input).value = "Cap the pool"
        app.screen.query_one("#ticket", Input).value = "  https://jira.example/OPS-1  "
        await pilot.press("ctrl+s")
        item = (await saved(app, pilot)).actions[0]
        assert (item.text, item.ticket) == ("Cap the pool", "https://jira.example/OPS-1")
        await pilot.press("enter")
        assert isinstance(app.screen, ActionEditor)
        assert app.screen.query_one("#ticket", Input).value == "https://jira.example/OPS-1"
        app.screen.query_one("#ticket", Input).value = ""
        await pilot.press("ctrl+s")
        assert (await saved(app, pilot)).actions[0].ticket is None
