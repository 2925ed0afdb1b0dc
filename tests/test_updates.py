"""Stakeholder updates: the draft, sending it, templates, the cadence clock, the brief."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual.widgets import TextArea

from pmtui.core import cadence, updates
from pmtui.core.errors import LoadError
from pmtui.core.model import EntryKind, Incident, Status, UpdateSettings
from pmtui.core.session import Session
from pmtui.core.store import load
from pmtui.core.templating import TemplateProblem
from pmtui.screens.update import BriefScreen, UpdateScreen
from tests.conftest import NOW
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


async def wait_for(pilot, condition, tries=150):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


def said(app) -> list[str]:
    return [n.message for n in app._notifications]


def squeezed(app) -> str:
    return " ".join(" ".join(screen_rows(app)).split())


def pane_says(app, text: str) -> bool:
    """The status pane's next-update row (label and value are drawn apart)."""
    return any(re.search(r"Next update\s*" + re.escape(text), row) for row in screen_rows(app))


async def log(pilot, *lines: str) -> None:
    for line in lines:
        await type_text(pilot, line)
        await pilot.press("enter")


# -- the draft, without a terminal -----------------------------------------------


def session_at(clock: Clock, severity: str = "SEV1") -> Session:
    incident = Incident(
        title="Checkout down",
        timezone="GMT",
        severity=severity,
        started_at=NOW,
        detected_at=NOW,
        impact="EU customers cannot pay",
    )
    return Session(incident, clock=clock, login="kim")


def test_the_draft_says_status_impact_changes_actions_and_the_next_update():
    clock = Clock()
    session = session_at(clock)
    clock.advance(minutes=5)
    session.log("pagers fired")
    session.log("TODO roll back the config @ops")
    session.send_update("first update")
    clock.advance(minutes=4)
    session.log("/decision fail over to eu-west")
    text = updates.draft("update", session.incident, clock(), None)
    assert text.startswith("[DETECTED] Checkout down (SEV1)\n")
    assert "Impact: EU customers cannot pay" in text
    assert "Since the last update (20:35 GMT):\n- 20:39 fail over to eu-west\n" in text
    assert "pagers fired" not in text  # sent already
    assert "- roll back the config (ops)" in text
    assert "Next update by 21:05 GMT (every 30 minutes)." in text


def test_sending_logs_the_whole_text_as_comms_and_restarts_the_clock():
    clock = Clock()
    session = session_at(clock)
    clock.advance(minutes=10)
    change = session.send_update("Line one\nLine two\n")
    entry = session.incident.timeline[-1]
    assert (entry.kind, entry.text, entry.id) == (
        EntryKind.COMMS,
        "Line one\nLine two",
        change.added[0],
    )
    assert session.incident.updates.last_sent == clock()
    assert cadence.next_due(session.incident).at == clock() + timedelta(minutes=30)
    session.undo()
    assert session.incident.updates.last_sent is None


@pytest.mark.parametrize(
    ("severity", "status", "minutes"),
    [
        ("SEV1", Status.DETECTED, 30),
        ("SEV2", Status.DETECTED, 60),
        ("SEV3", Status.DETECTED, 120),
        ("SEV4", Status.DETECTED, 120),
        (None, Status.DETECTED, 60),
        ("SEV1", Status.MITIGATED, 60),
    ],
)
def test_the_cadence_per_severity_and_status(severity, status, minutes):
    clock = Clock()
    session = session_at(clock, severity or "SEV1")
    session.incident.severity = severity
    if status is not Status.DETECTED:
        session.set_status(status)
    assert cadence.every(session.incident) == minutes


def test_the_cadence_is_editable_in_the_file():
    clock = Clock()
    session = session_at(clock)
    session.incident.updates = UpdateSettings(every={"1": 15}, mitigated=45)
    assert cadence.every(session.incident) == 15
    session.set_status(Status.MITIGATED)
    assert cadence.every(session.incident) == 45


def test_a_bad_template_is_one_line_naming_its_line(tmp_path):
    path = tmp_path / "inc.toml"
    (tmp_path / "inc.update.md.j2").write_text("ok {{ title }}\n\n{{ nope }}\n", encoding="utf-8")
    session = session_at(Clock())
    with pytest.raises(TemplateProblem) as problem:
        updates.draft("update", session.incident, NOW, path)
    assert str(problem.value) == f"{tmp_path / 'inc.update.md.j2'}, line 3: 'nope' is undefined"


def test_a_template_in_the_config_folder_is_used_unless_one_is_beside_the_incident(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "config" / "pmtui").mkdir(parents=True)
    (tmp_path / "config" / "pmtui" / "update.md.j2").write_text("mine: {{ title }}", "utf-8")
    session = session_at(Clock())
    path = tmp_path / "inc.toml"
    assert updates.draft("update", session.incident, NOW, path) == "mine: Checkout down\n"
    (tmp_path / "inc.update.md.j2").write_text("beside: {{ status }}", "utf-8")
    assert updates.draft("update", session.incident, NOW, path) == "beside: detected\n"


def test_the_pipe_says_how_a_failing_command_failed(tmp_path):
    ok, line = updates.pipe_to("cat > got.txt", "hello\n", tmp_path)
    assert ok and (tmp_path / "got.txt").read_text() == "hello\n"
    ok, line = updates.pipe_to("echo nope >&2; exit 3", "x", tmp_path)
    assert not ok and line == "update command `echo nope >&2; exit 3` failed (exit 3): nope"


# -- in the app ------------------------------------------------------------------


async def test_ctrl_o_drafts_an_update_and_ctrl_s_sends_it(tmp_path):
    clock = Clock()
    path = tmp_path / "inc.toml"
    app = open_app(path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log(pilot, "pagers fired")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateScreen))
        area = app.screen.query_one(TextArea)
        assert area.text.startswith("[DETECTED] Checkout returns 500 (SEV2)")
        assert "- 20:30 pagers fired" in area.text
        area.insert("\nWe are rolling back.")
        text = area.text.strip() + "\n"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, UpdateScreen))
        incident = await saved(app, pilot)
        entry = incident.timeline[-1]
        assert entry.kind is EntryKind.COMMS and entry.text == text.strip()
        assert incident.updates.last_sent == clock()
        assert app.clipboard == text
        assert (tmp_path / "inc.last-update.md").read_text("utf-8") == text
        assert any(
            m.startswith(f"Update sent: logged as {entry.id}; copied to the clipboard (OSC 52")
            and str(tmp_path / "inc.last-update.md") in m
            for m in said(app)
        )


async def test_slash_update_opens_the_draft_and_esc_sends_nothing(tmp_path):
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE) as pilot:
        await log(pilot, "/update")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, UpdateScreen))
        incident = await saved(app, pilot)
        assert incident.updates.last_sent is None
        assert all(e.kind is not EntryKind.COMMS for e in incident.timeline)


async def test_a_configured_command_and_file_get_the_update(tmp_path):
    app = open_app(tmp_path / "inc.toml", Clock())
    app.update_command = "cat > piped.txt"
    assert app.incident is not None
    app.incident.updates = UpdateSettings(file="updates.log")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateScreen))
        text = app.screen.query_one(TextArea).text.strip() + "\n"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (tmp_path / "piped.txt").exists() and any("piped to" in m for m in said(app)),
        )
        assert (tmp_path / "piped.txt").read_text("utf-8") == text
        assert text in (tmp_path / "updates.log").read_text("utf-8")
        assert any(m == f"appended to {tmp_path / 'updates.log'}" for m in said(app))


async def test_a_bad_template_is_said_in_one_line_and_nothing_opens(tmp_path):
    (tmp_path / "inc.update.md.j2").write_text("{% if %}\n", encoding="utf-8")
    app = open_app(tmp_path / "inc.toml", Clock())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: bool(said(app)))
        assert not isinstance(app.screen, UpdateScreen)
        where = tmp_path / "inc.update.md.j2"
        assert said(app) == [
            f"{where}, line 1: Expected an expression, got 'end of statement block'"
        ]


async def test_the_status_pane_counts_down_turns_loud_and_an_update_restarts_it(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)  # SEV2: every 60 minutes from detection
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        clock.advance(minutes=47, seconds=56)
        screen.tick()
        await pilot.pause()
        assert pane_says(app, "in 12:04")
        clock.advance(minutes=15)
        screen.tick()
        await pilot.pause()
        assert pane_says(app, "OVERDUE by 2:56: ctrl+o")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        screen.tick()
        await pilot.pause()
        assert pane_says(app, "in 1:00:00")
        clock.advance(minutes=1)
        await log(pilot, "/mitigated")
        await pilot.pause()
        assert pane_says(app, "in 1:59:00")  # mitigated: half as often
        clock.advance(minutes=1)
        await log(pilot, "/resolved")
        await pilot.pause()
        assert pane_says(app, "final update due: ctrl+o")
        clock.advance(seconds=5)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateScreen))
        assert "This is the final update" in app.screen.query_one(TextArea).text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        screen.tick()
        await pilot.pause()
        assert pane_says(app, "final update sent")


async def test_handover_logs_sets_the_commander_and_shows_a_brief_to_copy(tmp_path):
    clock = Clock()
    app = open_app(tmp_path / "inc.toml", clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log(pilot, "/ic Chris", "/role comms Ana", "TODO page the DBA @ana", "/handover Dana")
        await wait_for(pilot, lambda: isinstance(app.screen, BriefScreen))
        brief = app.screen.query_one(TextArea).text
        assert brief.startswith(
            "Handover: Checkout returns 500 (SEV2)\nCommander: Dana (from Chris)\n"
        )
        assert "- commander: Dana\n- comms: Ana\n" in brief
        assert "- page the DBA (ana)\n" in brief  # no internal id: they are long now
        assert "20:30 note [Chris]: Handover: Chris hands command to Dana" in brief
        assert "Next update by 21:30 GMT (every 60 minutes): in 1:00:00." in brief
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BriefScreen))
        assert app.clipboard == brief
        assert (tmp_path / "inc.last-handover.md").read_text("utf-8") == brief
        incident = await saved(app, pilot)
        assert incident.commander == "Dana"
        assert [(p.name, p.role) for p in incident.responders] == [
            ("Chris", None),
            ("Ana", "comms"),
            ("Dana", "commander"),
        ]


@pytest.mark.parametrize(
    ("table", "says"),
    [
        (
            "[updates]\nevery = {SEV9 = 5}\n",
            "updates.every: 'SEV9' is not a severity (SEV1 to SEV4)",
        ),
        ("[updates]\nmitigated = 0\n", "updates.mitigated: minutes must be 1 or more"),
        ('updates = "often"\n', "updates: input should be a valid dictionary or instance of "),
        ('[export]\nhide = ["notes"]\n', "export.hide: 'notes' cannot be hidden: only status and"),
    ],
)
def test_a_bad_updates_or_export_table_is_one_line_naming_it(tmp_path, table, says):
    path = tmp_path / "inc.toml"
    path.write_text(
        f'schema = 1\n[incident]\ntitle = "x"\nstarted_at = 2026-11-21T19:32:00Z\n{table}',
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: {says}")


def test_an_incident_resolved_long_ago_asks_for_no_final_update() -> None:
    """Reopened days later to finish the postmortem (the samples, say): no nag."""
    incident = Incident(title="x", timezone="GMT", started_at=NOW, severity="SEV1")
    Session(incident, lambda: NOW).set_status(Status.RESOLVED, at=NOW + timedelta(hours=1))
    soon = NOW + timedelta(hours=3)
    assert cadence.due_line(incident, soon) == ("final update due: ctrl+o", "final")
    later = NOW + timedelta(days=3)
    assert cadence.due_line(incident, later) == ("none (resolved)", "done")
