"""The home screen with Pilot, over a real folder of incidents (tests/incident_folder.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from pmtui.core import store
from pmtui.core.catalog import scan
from pmtui.core.homefolder import cache_file, cached_scan, fixed, holds_incidents, scan_aside
from pmtui.core.journal import append, folder_of
from pmtui.home import Choice, HomeApp
from pmtui.screens.home import HomeScreen
from pmtui.widgets.row_list import RowList
from tests.conftest import NOW, ROOT
from tests.incident_folder import build
from tests.tui import screen_rows

SIZE = (130, 40)
CHECKOUT = "2026-11-20-0900-checkout-returns-500.toml"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`incidents/`, as the home screen names it from the folder above it."""
    build(tmp_path / "incidents")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the home screen's cache
    return Path("incidents")


def home(folder: Path) -> HomeApp:
    return HomeApp(folder, lambda: scan(folder, NOW), now=lambda: NOW)


def rows(app: HomeApp) -> str:
    return "\n".join(screen_rows(app))


async def test_every_incident_newest_first_with_the_unreadable_and_the_copies(folder):
    app = home(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_rows(app)
        titles = [line for line in shown if " GMT " in line or " JST " in line or " EDT " in line]
        assert ["Rappi" in titles[0], "Search is slow" in titles[1]] == [True, True]
        text = "\n".join(shown)
        assert text.index("Checkout returns 500") < text.index("DNS flaps in eu-west")
        # unreadable files are rows with their one-line error, never left out
        for name in ("bad-zone.toml", "broken-cut.toml", "dup-ids.toml", "latin1.toml"):
            assert f"incidents/{name}" in text
        assert "unreadable" in text and "4 unreadable" in text
        # a conflict copy is shown under its incident, not as one
        assert "└ its copy (theirs): " in text and "2 conflict copies" in text
        assert text.count("Checkout returns 500") == 1
        footer = shown[-1]
        for key in ("Open", "New", "Filter", "Incidents", "Action items", "Report", "Help"):
            assert key in footer


async def test_typing_filters_and_enter_opens_the_incident(folder):
    app = home(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # typed fast, straight from the list: an `n` among the letters is a letter
        await pilot.press("d", "n", "s")
        await pilot.pause()
        text = rows(app)
        assert "DNS flaps in eu-west" in text and "Checkout returns 500" not in text
        assert "1 of 6 incidents" in text
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == Choice(folder / "2026-10-03-1000-dns-flaps.toml")


async def test_n_starts_a_new_incident_and_esc_clears_the_filter(folder):
    app = home(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", "z", "z", "z")
        await pilot.pause()
        assert "No incident matches." in rows(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Search is slow" in rows(app)
        assert isinstance(app.focused, RowList)
        await pilot.press("n")
        await pilot.pause()
    assert app.return_value == Choice(None)


async def test_an_unreadable_file_says_its_error_and_opens_nothing(folder):
    app = HomeApp(folder, lambda: scan(folder, NOW), now=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("end", "enter")
        await pilot.pause()
        assert app.return_value is None and app.is_running
        said = [n.message for n in app._notifications]
        assert any("latin1.toml:3: not UTF-8 text" in message for message in said)


async def _to_the_action(pilot, app: HomeApp, text: str) -> None:
    await pilot.press("f3")
    await pilot.pause()
    actions = app.screen.query_one("#actions", RowList)
    for _ in range(len(actions.rows)):
        if actions.current is not None and text in actions.current.cells[2]:
            return
        await pilot.press("down")
    raise AssertionError(f"no action item {text!r}")


async def test_marking_an_action_done_saves_it_in_its_incident_file(folder):
    path = folder / CHECKOUT
    before = store.load(path)
    app = home(folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await _to_the_action(pilot, app, "Add a canary for the payment path")
        await pilot.press("ctrl+d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = store.load(path)
        assert [a.status.value for a in after.actions] == ["done", "open", "done"]
        # nothing else in the file changed
        assert after.model_dump(exclude={"actions"}) == before.model_dump(exclude={"actions"})
        assert after.actions[1:] == before.actions[1:]
        text = rows(app)
        assert "ana: 2 open, 1 overdue, 1 done" in text  # the list shows the file as it is
        current = app.screen.query_one("#actions", RowList).current
        assert current is not None and "canary" in current.cells[2]  # the cursor stayed on it
        # and back again
        await pilot.press("ctrl+d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.load(path).actions[0].status.value == "open"
    assert not (folder / (CHECKOUT + ".lock")).exists() or _lock_is_free(folder / CHECKOUT)


def _lock_is_free(path: Path) -> bool:
    holder = store.IncidentStore(path)
    holder.open()
    holder.close()
    return True


async def test_an_incident_open_in_another_pmtui_is_refused_with_its_holder(folder):
    path = folder / CHECKOUT
    before = path.read_bytes()
    hold = (
        "import sys; from pathlib import Path; from pmtui.core.store import IncidentStore; "
        f"s = IncidentStore(Path({str(path.resolve())!r})); s.open(); print('held', flush=True); "
        "sys.stdin.read()"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", hold],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "held\n"
        app = home(folder)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            await _to_the_action(pilot, app, "Add a canary for the payment path")
            await pilot.press("ctrl+d")
            await app.workers.wait_for_complete()
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert any(
                "is open in another pmtui" in m and f"pid {other.pid} on " in m for m in said
            ), said
            assert "ana: 3 open, 2 overdue, 0 done" in rows(app)
        assert path.read_bytes() == before
    finally:
        other.communicate("")


async def test_the_report_view_has_the_figures_and_bars(folder):
    app = home(folder)
    async with app.run_test(size=(130, 60)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        text = rows(app)
        # the same numbers as `pmtui report --by severity` (tests/golden/across-report.txt)
        assert "SEV1          2    6m / 7m      37m / 40m  1h21m / 2h00m       2/8 25%" in text
        assert "Time to resolve (median), by severity" in text
        assert "Incidents per month (last 12)" in text
        sev2 = next(line for line in text.splitlines() if line.strip().startswith("SEV2  █"))
        assert sev2.rstrip().endswith("4h00m")
        # the filter narrows the report too
        await pilot.press("slash", *"sev1")
        await pilot.pause()
        assert "2 incidents, 2 resolved" in rows(app)


async def test_help_and_palette_list_the_home_keys(folder):
    app = home(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = rows(app)
        assert "Mark the action item done, or open again" in text
        assert "Start a new incident in this folder" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Open", "New", "Filter", "Done/open", "Report"} <= set(commands)


def test_which_folders_open_the_home_screen(tmp_path, folder):
    assert holds_incidents(folder) and holds_incidents(Path())  # a subfolder counts
    code = tmp_path / "code"
    code.mkdir()
    (code / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert not holds_incidents(code)  # `pmtui` there starts a new incident, as before


def test_the_folder_read_aside_is_the_folder_read_here_once_checked(folder):
    aside = scan_aside(folder, NOW)
    first = aside()
    # before the first paint the timeline is only counted: a repeated id looks fine...
    assert "incidents/dup-ids.toml" in [s.name for s in first.incidents]
    found = aside.checked()  # ...until the check after it, which says what is wrong
    assert fixed(first, first, found) == scan(folder, NOW)
    assert "incidents/dup-ids.toml" in found
    # what was checked is cached, its error too: the next first pass is right at once
    again = scan_aside(folder, NOW)
    assert again() == scan(folder, NOW) and again.checked() == {}


async def test_a_file_found_broken_after_the_first_paint_is_listed_with_its_error(folder):
    aside = scan_aside(folder, NOW)
    app = HomeApp(folder, aside, now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # painted from the first pass: dup-ids.toml's timeline was only counted
        assert "incidents/dup-ids.toml" in [s.name for s in aside().incidents]
        checking = [t for t in threading.enumerate() if t.name == "pmtui-check"]
        for thread in checking:
            await asyncio.to_thread(thread.join)
        await pilot.pause()
        text = rows(app)
        assert "4 unreadable" in text
        line = next(line for line in screen_rows(app) if "dup-ids.toml" in line)
        assert "unreadable" in line or "t1" in line, line
        assert "incidents/dup-ids.toml" in [p.name for p in app.home.catalog.problems]


def test_the_check_leaves_alone_what_was_read_again_since(folder):
    aside = scan_aside(folder, NOW)
    first = aside()
    found = aside.checked()
    reread = cached_scan(folder, NOW)  # ctrl+r, or a change, before the check came back
    assert fixed(reread, first, found) == reread == scan(folder, NOW)
    # a stale fix (the file's state at check time) does not undo a newer read
    stale = {name: None for name in found}
    assert fixed(reread, first, stale) == reread


def test_the_cache_reads_again_only_what_changed_and_decides_overdue_anew(folder):
    assert cached_scan(folder, NOW) == scan(folder, NOW)  # cold: everything read
    assert cache_file(folder).exists() and cache_file(folder).stat().st_mode & 0o077 == 0
    assert cached_scan(folder, NOW) == scan(folder, NOW)  # warm: the same
    # a file saved since (pmtui saves by replacing it), and a journal line logged since
    path = folder / CHECKOUT
    incident = store.load(path)
    incident.title = "Checkout returns 500 in every region"
    store.write_atomic(path, store.dumps(incident).encode())
    dns = folder / "2026-10-03-1000-dns-flaps.toml"
    entry = {"at": "2026-10-03T15:05:00+00:00", "text": "bot 3"}
    append(folder_of(dns), [("entry", entry, None)], writer="bot@ci")
    warm = cached_scan(folder, NOW)
    assert warm == scan(folder, NOW)
    assert "Checkout returns 500 in every region" in [s.title for s in warm.incidents]
    # a month later, what is overdue is decided again
    later = NOW + timedelta(days=30)
    assert cached_scan(folder, later) == scan(folder, later) != scan(folder, NOW)


async def test_ctrl_r_reads_the_folder_again(folder):
    app = home(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path = folder / CHECKOUT
        incident = store.load(path)
        incident.title = "Checkout returns 500 everywhere"
        store.write_atomic(path, store.dumps(incident).encode())
        assert "Checkout returns 500 everywhere" not in rows(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Checkout returns 500 everywhere" in rows(app)
