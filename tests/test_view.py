"""`pmtui view`: watch an incident another pmtui holds, and add lines to it."""

from __future__ import annotations

from pathlib import Path

from pmtui.core import store
from pmtui.core.store import IncidentStore
from pmtui.view import ViewApp
from tests.tui import SIZE, Clock, open_app, saved, screen_rows, type_text


async def wait_for_row(pilot, text: str) -> None:
    for _ in range(40):
        await pilot.pause(0.1)
        if any(text in row for row in screen_rows(pilot.app)):
            return
    raise AssertionError(f"{text!r} never showed:\n" + "\n".join(screen_rows(pilot.app)))


async def test_a_view_takes_no_lock_follows_the_ic_and_logs_through_the_journal(tmp_path):
    path = tmp_path / "inc.toml"
    ic = open_app(path)  # the IC's pmtui holds the lock
    async with ic.run_test(size=SIZE) as ic_pilot:
        view = ViewApp(path, clock=Clock())
        async with view.run_test(size=SIZE) as pilot:
            await type_text(ic_pilot, "paged the DBA")
            await ic_pilot.press("enter")
            await saved(ic, ic_pilot)
            await wait_for_row(pilot, "paged the DBA")  # the IC's save, followed
            await type_text(pilot, "/decision fail over to eu-west")
            await pilot.press("enter")
            await wait_for_row(pilot, "fail over to eu-west")
            await type_text(ic_pilot, "half typed")
            await wait_for_row(ic_pilot, "fail over to eu-west")  # in the IC's pmtui too
            assert ic.screen.query_one("#entry").value == "half typed"
            await type_text(pilot, "/mitigated")
            await pilot.press("enter")
            assert view.screen.query_one("#entry").value == "/mitigated"  # the IC's, kept
            await pilot.press("ctrl+q")
        await ic_pilot.press("ctrl+q")
    incident = store.load(path)
    texts = [e.text for e in incident.timeline]
    assert "fail over to eu-west" in texts and incident.status.value == "detected"
    assert "fail over to eu-west" in path.with_suffix(".md").read_text()


def test_a_view_never_writes_the_incident_file(tmp_path):
    path = tmp_path / "inc.toml"
    holder = IncidentStore(path)
    holder.create(open_app(tmp_path / "other.toml").incident)
    holder.close()
    before = path.read_bytes()
    held = IncidentStore(path)
    held.open()  # locked by "the IC": a view still opens
    try:
        assert ViewApp(path).control.store is None
    finally:
        held.close()
    assert path.read_bytes() == before
    assert not list(Path(tmp_path).glob(".inc.toml.*.tmp"))
