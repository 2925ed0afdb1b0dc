"""What the IC sees: the main screen empty, busy and resolved; help; the summary editor."""

from pathlib import Path

import pytest

from tests.conftest import RAPPI
from tests.tui import SIZE, Clock, open_app, steady

pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def settle(*keys_then_text: str):
    """run_before: optionally type text into the bar, wait for saves, freeze the screen."""

    async def run_before(pilot) -> None:
        await pilot.pause()  # the bar takes focus as the screen is first shown
        for text in keys_then_text:
            if text.startswith("key:"):
                await pilot.press(text[4:])
                continue
            pilot.app.focused.insert_text_at_cursor(text)
            await pilot.press("enter")
        await pilot.pause()
        if pilot.app.control.saver is not None:
            pilot.app.control.saver.flush(5)
        await pilot.pause()
        steady(pilot.app)
        await pilot.pause()

    return run_before


def test_main_screen_empty(snap_compare):
    app = open_app(Path("inc.toml"))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle())


def test_main_screen_busy(snap_compare):
    clock = Clock()
    app = open_app(Path("inc.toml"), clock)
    entries = [
        "19:41 error rate on checkout at 40%",
        "/detect 19:45 synthetic checks red in eu-west",
        "/decision 20:02 roll back deploy 4512",
        "/comms 20:05 status page: investigating",
        "20:11 TODO add a canary stage @release-eng",
        "/action alert on cache error ratio @sre",
        "/mitigated 20:24 rollback done, errors falling",
        "typing in progress, not sent",
    ]
    run = settle(*entries[:-1])

    async def run_before(pilot) -> None:
        await run(pilot)
        pilot.app.focused.insert_text_at_cursor(entries[-1])
        await pilot.pause()
        steady(pilot.app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_main_screen_resolved(snap_compare):
    app = open_app(Path("inc.toml"), sample=RAPPI)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle())


def test_help_screen(snap_compare):
    app = open_app(Path("inc.toml"))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle("key:f1"))


def test_summary_editor(snap_compare):
    app = open_app(Path("inc.toml"), sample=RAPPI)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle("key:ctrl+s"))


def test_slash_hints(snap_compare):
    app = open_app(Path("inc.toml"))

    async def run_before(pilot) -> None:
        await pilot.press("/")
        await pilot.pause()
        steady(pilot.app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
