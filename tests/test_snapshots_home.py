"""What the home screen shows: the incidents, the action items by owner, the report."""

from pathlib import Path

import pytest
from textual.widgets import Input

from pmtui.core.catalog import scan
from pmtui.home import HomeApp
from tests.conftest import NOW
from tests.incident_folder import build
from tests.tui import SIZE


@pytest.fixture
def home(tmp_path, monkeypatch) -> HomeApp:
    build(tmp_path / "incidents")
    monkeypatch.chdir(tmp_path)
    folder = Path("incidents")
    return HomeApp(folder, lambda: scan(folder, NOW), now=lambda: NOW)


def showing(*keys: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    return run_before


@pytest.mark.parametrize(("view", "key"), [("incidents", "f2"), ("actions", "f3")])
def test_home_view(snap_compare, home, view, key):
    assert snap_compare(home, terminal_size=SIZE, run_before=showing(key))


def test_home_report(snap_compare, home):
    assert snap_compare(home, terminal_size=(120, 48), run_before=showing("f4"))
