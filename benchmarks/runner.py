"""One measurement in a fresh process; prints a JSON object. Driven by bench.py.

python benchmarks/runner.py paint-pmtui PATH   start -> first paint of pmtui
python benchmarks/runner.py paint-bare         the same for a bare Textual app
python benchmarks/runner.py paint-same         ... for pmtui's screen in stock widgets
python benchmarks/runner.py interact PATH      stamps, scrolling, editing
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

T0 = float(os.environ.get("BENCH_T0", time.time()))


def peak_mb() -> float:
    """This process's own peak memory. ru_maxrss would do, but Linux carries it
    across exec from the parent (the bench, which holds 100,000-entry incidents):
    every size read 228 MB. VmHWM starts afresh with the process's memory."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def exit_when_painted(app: Any) -> None:
    """From a floor app's on_mount: note when its first frame is painted, and exit."""

    def painted() -> None:
        app.painted = time.time() - T0
        app.exit()

    app.call_after_refresh(lambda: app.call_after_refresh(painted))


def first_paint(app: Any) -> dict[str, Any]:
    """Run a floor app headless until `exit_when_painted` ends it."""
    app.run(headless=True, size=(120, 36))
    return {"paint": app.painted, "peak_mb": peak_mb()}


def paint_bare() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input, Log, OptionList, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Log()
            yield Static("status")
            yield OptionList("one", "two")
            yield Input()
            yield Footer()

        def on_mount(self) -> None:
            exit_when_painted(self)

    return first_paint(Bare())


def paint_same() -> dict[str, Any]:
    """The floor with the same widgets: pmtui's main screen built from stock
    Textual widgets (same containers, borders and sizes, as many footer keys,
    the lines the timeline pane shows in a Log, 20 action items), no pmtui code.
    """
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Footer, Header, Input, Label, Log, OptionList, Static

    class Same(App[None]):
        CSS = """
        #panes { height: 1fr; }
        #timeline-pane { width: 2fr; border: round $primary 50%; }
        #side { width: 1fr; min-width: 34; }
        #status-pane { height: auto; border: round $primary 50%; }
        #status { height: 11; padding: 0 1; }
        #actions-pane { height: 1fr; border: round $primary 50%; }
        #detail { display: none; }
        #entrybar, #entrybar Horizontal { height: auto; }
        #hints { display: none; }
        #stamp { width: 16; height: 3; padding: 1 1 0 1; }
        #entrybar Input { width: 1fr; }
        #statusbar { height: 1; }
        #file { width: auto; max-width: 50%; padding: 0 1; }
        """
        # pmtui shows 7 keys at this size (6 and the palette); one action each
        BINDINGS = [Binding(f"f{n}", f"notify('{n}')", f"Key {n}") for n in range(1, 7)]

        def compose(self) -> ComposeResult:
            yield Header()
            with Horizontal(id="panes"):
                with Vertical(id="timeline-pane") as pane:
                    pane.border_title = "Timeline"
                    yield Log(id="timeline")
                    yield Static(id="detail")
                with Vertical(id="side"):
                    with Vertical(id="status-pane") as pane:
                        pane.border_title = "Status"
                        yield Static("\n".join(f"Fact {n}: value" for n in range(9)), id="status")
                    with Vertical(id="actions-pane") as pane:
                        pane.border_title = "Action items"
                        yield OptionList(*(f"[ ] a{n} follow-up {n} · sre" for n in range(20)))
            with Vertical(id="entrybar"):
                yield Static(id="hints")
                with Horizontal():
                    yield Static("19:39", id="stamp")
                    yield Input(placeholder="What is happening?")
            with Horizontal(id="statusbar"):
                yield Label("inc.toml", id="file")
                yield Label("no changes yet")
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(Log).write_lines(
                f"08:{n // 60 % 60:02d}:{n % 60:02d}  note  alert {n}: p99 on shard {n % 64}"
                for n in range(30)  # what the pane shows: the strict floor
            )
            self.query_one(Input).focus()
            exit_when_painted(self)

    return first_paint(Same())


def paint_pmtui(path: Path) -> dict[str, Any]:
    gc.disable()  # as the `pmtui` command does (pmtui/launch.py)
    from pmtui.app import PmtuiApp
    from pmtui.core.store import IncidentStore
    from pmtui.loading import TAIL

    class Timed(PmtuiApp):
        def _start(self) -> None:
            super()._start()
            self.call_after_refresh(lambda: self.call_after_refresh(self._painted))

        def _painted(self) -> None:
            self.painted = time.time() - T0
            self.ensure_loaded()  # waits for the earlier entries of a big file
            self.whole = time.time() - T0
            assert self.saver is not None and self.store is not None
            self.saver.stop()
            self.store.close()
            self.exit()

    store = IncidentStore(path)
    incident = store.open(tail=TAIL)  # as `pmtui PATH` opens it
    loaded = time.time() - T0
    app = Timed(path, incident, store)
    app.run(headless=True, size=(120, 36))
    return {"paint": app.painted, "whole": app.whole, "loaded": loaded, "peak_mb": peak_mb()}


async def frame_bare(writes: int = 100) -> dict[str, Any]:
    """The floor for 'on screen': what a stamp changes, in a bare app, from idle.

    A Log line is added and the Input emptied, as Enter does in pmtui; then
    the time until that frame is painted, measured as `interact` measures.
    """
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input, Log, OptionList, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Log()
            yield Static("status")
            yield OptionList("one", "two")
            yield Input()
            yield Footer()

    app = Bare()
    spans: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        log, typed = app.query_one(Log), app.query_one(Input)
        log.write_lines(f"earlier line {n}" for n in range(500))
        loop = asyncio.get_running_loop()
        for n in range(writes):
            typed.value = f"line {n}"
            await asyncio.sleep(0.1)
            painted = loop.create_future()
            start = time.perf_counter()
            log.write_line(typed.value)
            typed.value = ""
            app.call_after_refresh(lambda f=painted: f.done() or f.set_result(time.perf_counter()))
            spans.append(await painted - start)
    return {"frame_p50": statistics.median(spans), "frame_p99": pct(spans, 0.99)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def interact(path: Path, stamps: int = 100) -> dict[str, Any]:
    from textual import events

    import pmtui.core.control as control_module
    from pmtui.app import PmtuiApp
    from pmtui.core import journal, ops
    from pmtui.core.store import IncidentStore
    from pmtui.loading import TAIL
    from pmtui.widgets import EntryBar, TimelineView

    applied_at: list[float] = []
    durable_at: list[float] = []  # when the IC's journal append (fsync'd) returned
    real_append = control_module.append_span

    def timed_append(*args: Any, **options: Any) -> Any:
        result = real_append(*args, **options)
        durable_at.append(time.perf_counter())
        return result

    control_module.append_span = timed_append  # type: ignore[assignment]
    saved_at: dict[int, float] = {}  # generation -> when its fsync'd save finished

    class Timed(PmtuiApp):
        def apply(self, intent: Any) -> Any:
            result = super().apply(intent)
            applied_at.append(time.perf_counter())
            return result

        def post_save_result(self, result: Any) -> None:  # runs on the saver's thread
            if result.error is None:
                saved_at[result.generation] = time.perf_counter()
            super().post_save_result(result)

    store = IncidentStore(path)
    incident = store.open(tail=TAIL)  # as `pmtui PATH` opens it
    app = Timed(path, incident, store)
    to_applied: list[float] = []
    to_screen: list[float] = []
    to_disk: list[float] = []  # to the TOML checkpoint
    to_durable: list[float] = []  # to the journal append's fsync
    floor: list[float] = []  # journal.append + fsync of one entry, in turns with the stamps
    floor_folder = path.parent / f"floor-{os.getpid()}.journal"
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.ensure_loaded()  # the whole timeline, before any measurement
        await pilot.pause()
        assert app.control.saver is not None
        saver = app.control.saver
        bar = app.screen.query_one(EntryBar)
        timeline = app.screen.query_one(TimelineView)
        loop = asyncio.get_running_loop()
        for n in range(stamps):
            # the text is typed and on screen; the IC presses Enter a few times
            # a second at most: measure from an idle app, not frame pacing
            bar.input.value = f"stamp {n}"
            await asyncio.sleep(0.1)
            painted = loop.create_future()
            start = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))  # Enter, through the app's key handling
            while timeline.entries[-1].text != f"stamp {n}":
                await asyncio.sleep(0)
            generation = saver._requested
            app.call_after_refresh(lambda f=painted: f.done() or f.set_result(time.perf_counter()))
            to_screen.append(await painted - start)
            to_applied.append(applied_at[-1] - start)
            await asyncio.to_thread(saver.flush, 10)
            done = min(at for gen, at in saved_at.items() if gen >= generation)
            to_disk.append(done - start)
            to_durable.append(durable_at[-1] - start)
            begun = time.perf_counter()
            journal.append(
                floor_folder, [ops.op_entry(f"floor {n}", datetime.now(UTC))], writer="floor@bench"
            )
            floor.append(time.perf_counter() - begun)
        timings: dict[str, float] = {}
        for name, act in (
            ("jump_top", lambda: timeline.action_jump(0)),
            ("page_down", lambda: timeline.action_page(1)),
            ("jump_end", lambda: timeline.action_jump(-1)),
        ):
            painted = loop.create_future()
            start = time.perf_counter()
            act()
            app.call_after_refresh(lambda f=painted: f.done() or f.set_result(time.perf_counter()))
            timings[name] = await painted - start
        assert app.session is not None
        session, old = app.session, timeline.entries[len(timeline.entries) // 3]
        painted = loop.create_future()
        start = time.perf_counter()
        app.apply(lambda: session.edit_entry(old.id, text=old.text + " (edited)"))
        app.call_after_refresh(lambda f=painted: f.done() or f.set_result(time.perf_counter()))
        timings["edit_old"] = await painted - start
        await asyncio.to_thread(saver.flush, 10)
        saver.stop()
        store.close()
    return {
        "applied_p50": statistics.median(to_applied),
        "applied_p99": pct(to_applied, 0.99),
        "screen_p50": statistics.median(to_screen),
        "screen_p99": pct(to_screen, 0.99),
        "disk_p50": statistics.median(to_disk),
        "disk_p99": pct(to_disk, 0.99),
        "durable_p50": statistics.median(to_durable),
        "durable_p99": pct(to_durable, 0.99),
        "floor_p50": statistics.median(floor),
        "floor_p99": pct(floor, 0.99),
        **timings,
    }


def main() -> None:
    mode = sys.argv[1]
    if mode == "paint-bare":
        result = paint_bare()
    elif mode == "frame-bare":
        result = asyncio.run(frame_bare())
    elif mode == "paint-same":
        result = paint_same()
    elif mode == "paint-pmtui":
        result = paint_pmtui(Path(sys.argv[2]))
    else:
        result = asyncio.run(interact(Path(sys.argv[2])))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
