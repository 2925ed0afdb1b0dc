"""Big incidents open tail-first: the last entries paint, the rest follow.

Nothing may be saved or exported from part of a timeline, and a file that is
broken further up must still be refused, untouched.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pmtui.app import PmtuiApp
from pmtui.core import store
from pmtui.core.errors import LoadError
from pmtui.core.model import EntryKind, Incident
from pmtui.widgets import TimelineView
from tests.conftest import NOW
from tests.tui import SIZE, Clock, saved, type_text

COUNT = 600
TAIL = 50


def big_file(path: Path, count: int = COUNT) -> Path:
    incident = Incident(title="Many alerts", timezone="Europe/London", started_at=NOW)
    kinds = list(EntryKind)
    for n in range(count):
        incident.add_entry(f"alert {n}", NOW + timedelta(seconds=n), kinds[n % len(kinds)])
    path.write_text(store.dumps(incident), encoding="utf-8")
    return path


def test_tail_first_reads_the_last_entries_then_all_of_them(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    full = store.load(path)
    holder = store.IncidentStore(path)
    partial = holder.open(tail=TAIL)
    try:
        assert holder.loading == COUNT
        assert partial.timeline == full.timeline[-TAIL:]
        with pytest.raises(RuntimeError):
            holder.snapshot(partial)  # a save now would drop 550 entries
        holder.finish_loading(partial, holder.read_rest(partial))
        assert holder.loading == 0
        assert partial.model_dump() == full.model_dump()
        assert partial.new_entry_id() == full.new_entry_id() == f"t{COUNT + 1}"
        # the writer is warm and writes the file back byte for byte
        assert holder.writer.render(store.snapshot(partial)) == path.read_text()
    finally:
        holder.close()


def test_the_loader_renders_the_rest_so_the_first_stamp_only_writes(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    holder = store.IncidentStore(path)
    partial = holder.open(tail=TAIL)
    try:
        holder.finish_loading(partial, holder.read_rest(partial))
        first_page = holder.writer._pages[0][1]  # rendered on the loader's thread
        partial.add_entry("one more", NOW + timedelta(hours=1))
        holder.save(store.snapshot(partial))
        assert holder.writer._pages[0][1] is first_page  # written, not rendered again
        assert path.read_bytes() == store.TomlWriter().render_bytes(store.snapshot(partial))
    finally:
        holder.close()


def test_a_small_file_is_read_whole(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml", count=TAIL - 1)
    assert store.load_state(path, tail=TAIL)[1].loading == 0


def test_a_hand_edit_further_up_is_read_the_slow_way(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    text = path.read_text().replace('text = "alert 7"\n', 'text = "alert 7"  # checked\n')
    path.write_text(text)
    holder = store.IncidentStore(path)
    partial = holder.open(tail=TAIL)
    assert holder.loading == COUNT
    holder.finish_loading(partial, holder.read_rest(partial))
    assert partial.model_dump() == store.load(path).model_dump()
    holder.close()


def test_a_duplicate_id_further_up_is_still_refused(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    path.write_text(path.read_text().replace('id = "t7"\n', 'id = "t590"\n'))
    with pytest.raises(LoadError, match="duplicate id 't590'"):
        store.load(path)
    holder = store.IncidentStore(path)
    partial = holder.open(tail=TAIL)  # the last 50 alone look fine
    with pytest.raises(LoadError, match="duplicate id 't590'"):
        holder.read_rest(partial)
    holder.close()


class ReadsOnlyWhenNeeded(PmtuiApp):
    """As if the background read had not got far when the IC pressed a key."""

    def _after_first_paint(self) -> None:
        pass


def tail_app(path: Path, app_class: type[PmtuiApp] = PmtuiApp) -> PmtuiApp:
    holder = store.IncidentStore(path)
    incident = holder.open(tail=TAIL)
    assert holder.loading
    return app_class(path, incident, holder, clock=Clock())


async def test_a_stamp_at_once_waits_for_the_rest_and_saves_everything(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    app = tail_app(path, ReadsOnlyWhenNeeded)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "first thing I saw")
        assert app.incident is not None and app.control.loading  # still only the tail
        await pilot.press("enter")
        incident = await saved(app, pilot)
        assert len(incident.timeline) == COUNT + 1
        stamped = [e for e in incident.timeline if e.text == "first thing I saw"]
        assert len(stamped) == 1 and stamped[0].id.startswith("j:")
        pane = app.screen.query_one("#timeline-pane")
        assert str(pane.border_subtitle).endswith(
            f"of {COUNT + 1:,}"
        )  # the test clock is before the alerts
        app.control.close()


async def test_the_rest_arrives_without_a_key(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    app = tail_app(path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.incident is not None and not app.control.loading:
                break
        assert app.incident is not None and len(app.incident.timeline) == COUNT
        timeline = app.screen.query_one(TimelineView)
        assert (
            timeline.current is not None and timeline.current.text == f"alert {COUNT - 1}"
        )  # still at the newest
        app.control.close()


async def test_the_cursor_stays_on_its_entry_when_the_rest_arrives(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    app = tail_app(path, ReadsOnlyWhenNeeded)
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.screen.query_one(TimelineView)
        timeline.focus()
        await pilot.press("up", "up", "up")
        assert timeline.current is not None and timeline.current.text == f"alert {COUNT - 4}"
        assert app.ensure_loaded()  # the earlier entries go in above the cursor
        await pilot.pause()
        assert timeline.cursor == COUNT - 4
        assert timeline.current is not None and timeline.current.text == f"alert {COUNT - 4}"
        app.control.close()


async def test_a_broken_file_found_after_paint_ends_the_app_untouched(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    path.write_text(path.read_text().replace('id = "t7"\n', 'id = "t590"\n'))
    before = path.read_bytes()
    app = tail_app(path, ReadsOnlyWhenNeeded)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "this cannot be saved into a broken file")
        await pilot.press("enter")
        await pilot.pause()
    assert app.control.load_error is not None and "duplicate id 't590'" in app.control.load_error
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.md"))
    app.control.close()


async def test_quitting_at_once_writes_the_whole_postmortem(tmp_path: Path) -> None:
    path = big_file(tmp_path / "inc.toml")
    before = path.read_text()
    app = tail_app(path, ReadsOnlyWhenNeeded)
    async with app.run_test(size=SIZE) as pilot:
        assert app.incident is not None and app.control.loading
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert path.read_text() == before  # nothing changed, nothing dropped
    markdown = (tmp_path / "inc.md").read_text()
    assert "alert 0" in markdown and f"alert {COUNT - 1}" in markdown
