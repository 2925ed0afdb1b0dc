"""The home screen's benchmark: prints figures; asserts nothing.

    .venv/bin/python benchmarks/home.py [--count 1000] [--entries 100] [--runs 5]

Generates a folder of `--count` incidents of `--entries` entries each (as
benchmarks/bench.py does), then measures in fresh processes, in turns: start
to first paint of the home screen over it (as `pmtui` with no path starts:
the folder read aside while Textual is imported), against the bare floor (a
bare Textual app of 6 widgets painting, benchmarks/runner.py `paint-bare`);
and `pmtui ls` over the same folder (whole process), which must never
import Textual. Each paint also says the CPU time its processes used: on a
busy machine (2 cores shared) the wall-clock times follow the other load.
That CPU includes the check the forked reader makes after the first paint
(pmtui.core.homefolder.Aside): each run waits for it, so that it never
overlaps the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def paint_home(folder: Path) -> dict[str, Any]:
    """In a fresh process: `pmtui` in `folder`, until the home screen's first paint."""
    import gc

    sys.path.insert(0, str(HERE))
    from runner import T0, exit_when_painted, peak_mb

    gc.disable()  # as the `pmtui` command does (pmtui/launch.py)
    from pmtui.core.homefolder import home_folder, scan_aside

    where = home_folder([str(folder)])
    assert where is not None, f"{folder} holds no incidents"
    first = scan_aside(where)
    from pmtui.home import HomeApp

    cpu: dict[str, float] = {}

    def at_paint() -> None:  # CPU up to the first paint: this process and its reader
        cpu["parent"] = time.process_time()
        cpu["reader"] = _cpu_of(first.pid)

    class Timed(HomeApp):
        def on_mount(self) -> None:
            super().on_mount()
            exit_when_painted(self)
            self.call_after_refresh(self.call_after_refresh, at_paint)

    app = Timed(where, first)
    app.run(headless=True, size=(120, 36))
    painted: float = app.painted  # type: ignore[attr-defined]
    shown = len(app.home.catalog.incidents)
    first.checked()  # the check after first paint, and its cache, before the next run
    return {"paint": painted, "peak_mb": peak_mb(), "incidents": shown, "t0": T0, **cpu}


def _cpu_of(pid: int) -> float:
    """A live process's CPU seconds so far (/proc), 0 when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CACHE = tempfile.mkdtemp(prefix="pmtui-bench-cache-")  # the home screen's, not the user's


def _child(*args: str, cold: bool = False) -> dict[str, Any]:
    from bench import _env

    if cold:  # the first home screen over the folder: nothing cached
        for stale in Path(CACHE).glob("pmtui/home-*.pickle"):
            stale.unlink()
    env = {**_env(), "BENCH_T0": repr(time.time()), "XDG_CACHE_HOME": CACHE}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    # CPU of the whole process, its forked reader included: on a busy machine the
    # wall-clock times say more about the other processes than about these
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def ls_imports_textual(folder: Path) -> bool:
    from bench import _env

    code = (
        "import sys; from pmtui.listing import main; main(['ls', sys.argv[1]]); "
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    return out.stderr.strip().splitlines()[-1] != "False"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="incidents in the folder")
    parser.add_argument("--entries", type=int, default=100, help="entries per incident")
    parser.add_argument("--runs", type=int, default=5, help="paint runs (median)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench import generate_folder, ls_command, ms, warm_bytecode

    warm_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_folder(Path(tmp) / "team", args.count, args.entries)
        floors, colds, warms = [], [], []
        home = [str(HERE / "home.py"), "paint-home", str(folder)]
        for _ in range(args.runs):  # in turns: a machine slowing down slows all three
            floors.append(_child(str(HERE / "runner.py"), "paint-bare"))
            colds.append(_child(*home, cold=True))
            warms.append(_child(*home))
        floor = statistics.median(r["paint"] for r in floors)
        floor_cpu = statistics.median(r["cpu"] for r in floors)
        print(f"floor: bare Textual app (6 widgets) paints in {ms(floor)}, CPU {ms(floor_cpu)}")
        for name, homes in (("first", colds), ("again", warms)):
            paint = statistics.median(r["paint"] for r in homes)
            best = min(r["paint"] for r in homes) / min(r["paint"] for r in floors)
            # each run against the floor measured just before it: the load drifts less
            paired = statistics.median(
                home["paint"] / bare["paint"] for home, bare in zip(homes, floors, strict=True)
            )
            cpu = statistics.median(r["cpu"] for r in homes)
            parent = statistics.median(r["parent"] for r in homes)
            reader = statistics.median(r["reader"] for r in homes)
            print(
                f"home screen over {homes[0]['incidents']:,} incidents of {args.entries} "
                f"entries, {name} ({'nothing cached' if name == 'first' else 'cached'}): "
                f"paints in {ms(paint)}, {paint / floor:.2f}x the floor (run by run "
                f"{paired:.2f}x, best/best {best:.2f}x; goal 1.5x), CPU to first paint "
                f"{ms(parent)} + reader {ms(reader)} = "
                f"{(parent + reader) / floor_cpu:.2f}x the floor's, whole run "
                f"with the check after the paint {ms(cpu)}, "
                f"peak {max(r['peak_mb'] for r in homes):.0f} MB"
            )
        ls, python_floor = ls_command(folder)
        textual = "imports Textual" if ls_imports_textual(folder) else "never imports Textual"
        print(
            f"`pmtui ls` over the same folder (whole process): {ms(ls)} against "
            f"`python -c pass` {ms(python_floor)} (goal < 1 s); it {textual}"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["paint-home"]:
        print(json.dumps(paint_home(Path(sys.argv[2]))))
    else:
        main()
