"""pmtui's speed benchmark: prints a table; asserts nothing.

    .venv/bin/python benchmarks/bench.py [--sizes 100,1000,10000,100000] [--runs 3]
        [--shapes 100000]

Generates schema-1 incidents, then measures in fresh processes: start to
first paint, against two floors measured in turns with it: a bare Textual
app of 6 widgets ("x bare"), and pmtui's main screen built from stock
Textual widgets, the same 29 showing the same text ("x same": the floor for any
Textual program showing that screen),
a stamp (Enter until the entry is on screen, and until it is fsync'd),
`pmtui ls` over a folder of 1,000 incidents, folding journal lines into a big
incident (fold_bench.py),
load, save and export, scrolling and editing, and peak memory; and first
paint of the same `--shapes` entries written by pmtui, with `T` datetimes,
and in another key order with 'literal' strings, comments and CRLF.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmtui.core import store  # noqa: E402
from pmtui.core.export import export_markdown  # noqa: E402
from pmtui.core.model import ActionKind, EntryKind, Incident, Status  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from fold_bench import report as fold_report  # noqa: E402

KINDS = list(EntryKind)


def generate(count: int, folder: Path) -> Path:
    start = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    incident = Incident(
        title=f"Synthetic incident, {count} entries",
        timezone="Europe/London",
        severity="SEV2",
        started_at=start,
        detected_at=start,
    )
    step = timedelta(seconds=max(1, 86400 * 2 // max(count, 1)))
    for n in range(count):
        incident.add_entry(
            f"alert {n}: p99 latency {n % 997} ms on shard {n % 64} | host-{n % 13}",
            start + step * n,
            KINDS[n % len(KINDS)],
        )
    for n in range(20):
        incident.add_action(f"follow-up {n}", ActionKind.PREVENTIVE, owner="sre")
    path = folder / f"inc-{count}.toml"
    store.write_atomic(path, store.dumps(incident).encode())
    return path


def generate_folder(folder: Path, count: int = 1000, entries: int = 100) -> Path:
    """`count` incident files of `entries` entries each, as a team's folder holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    first = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    zones = ("Europe/London", "Africa/Nairobi", "America/New_York", "UTC")
    for n in range(count):
        start = first + timedelta(hours=17 * n + n % 5)
        incident = Incident(
            title=f"Incident {n}: checkout errors in region {n % 7}",
            timezone=zones[n % len(zones)],
            severity=f"SEV{1 + n % 4}",
            commander=f"ic-{n % 9}",
            started_at=start,
            detected_at=start + timedelta(minutes=3 + n % 11),
        )
        for m in range(entries):
            incident.add_entry(
                f"step {m}: p99 {m % 997} ms on shard {m % 64} | host-{m % 13}",
                start + timedelta(seconds=30 * m),
                KINDS[m % len(KINDS)],
            )
        if n % 3:
            incident.mitigated_at = start + timedelta(minutes=20 + n % 40)
            incident.status = Status.MITIGATED
        if n % 3 == 2:
            incident.resolved_at = start + timedelta(minutes=70 + n % 90)
            incident.status = Status.RESOLVED
        for m in range(n % 4):
            item = incident.add_action(
                f"follow-up {m} of incident {n}",
                ActionKind.CORRECTIVE,
                owner=("ana", "db-team", None)[m % 3],
                due=(start + timedelta(days=14 + m)).date(),
            )
            if (n + m) % 2:
                incident.replace_action(item.id, status="done")
        store.write_atomic(
            folder / f"{start:%Y-%m-%d-%H%M}-incident-{n}.toml", store.dumps(incident).encode()
        )
    return folder


def ls_command(folder: Path, rounds: int = 5) -> tuple[float, float]:
    """`pmtui ls FOLDER` (whole process) against `python -c pass`: medians of `rounds`."""
    times, floors = [], []
    for _ in range(rounds):
        for args, out in ((["-c", "pass"], floors), (["-c", LAUNCH, "ls", str(folder)], times)):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *args], check=True, env=_env(), stdout=subprocess.DEVNULL
            )
            out.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(floors)


# Installed pmtui runs from bytecode compiled at install (pip compiles it). A
# dev checkout under PYTHONDONTWRITEBYTECODE=1 (set on some machines) would
# compile pmtui's own modules on every start instead: ~80 ms of each paint
# here that no user pays. Every process measured keeps bytecode in a cache
# of its own, warmed before the first measurement.
PYCACHE = Path(tempfile.mkdtemp(prefix="pmtui-bench-pycache-"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(PYCACHE)}


def warm_bytecode() -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "pmtui", "widgets", "screens"],
        cwd=ROOT,
        env=_env(),
        check=True,
    )


def run(*args: str) -> dict[str, Any]:
    env = {**_env(), "BENCH_T0": repr(time.time())}
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "runner.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def timed(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def core_figures(path: Path) -> dict[str, float]:
    incident = store.load(path)
    writer = store.TomlWriter()
    figures = {"load": timed(lambda: store.load(path), 2)}
    figures["save_cold"] = timed(
        lambda: store.TomlWriter().render_bytes(store.snapshot(incident)), 1
    )
    writer.render_bytes(store.snapshot(incident))
    target = path.with_name("save-" + path.name)

    def warm_save() -> None:
        incident.add_entry("one more", incident.timeline[-1].at)
        store.write_atomic(target, writer.render_chunks(store.snapshot(incident)))

    figures["save_warm"] = timed(warm_save, 5)
    figures["export"] = timed(lambda: export_markdown(incident), 2)
    return figures


def export_command(path: Path) -> float:
    def once() -> None:
        subprocess.run(
            [sys.executable, "-m", "pmtui", "export", str(path), "-o", os.devnull],
            check=True,
            env=_env(),
        )

    return timed(once, 3)


LAUNCH = "import sys; from pmtui.launch import main; sys.exit(main())"


def log_command(path: Path, rounds: int = 21) -> tuple[float, float, float]:
    """`pmtui log` against `python -c pass`, in turns: (log, floor, log + 100 stdin lines)."""
    logs, floors, batches = [], [], []
    lines = "".join(f"line {n}\n" for n in range(100))
    for _ in range(rounds):
        for kind, times in (("floor", floors), ("log", logs), ("batch", batches)):
            args = {
                "floor": ["-c", "pass"],
                "log": ["-c", LAUNCH, "log", str(path), "one entry"],
                "batch": ["-c", LAUNCH, "log", str(path), "-"],
            }[kind]
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *args],
                input=lines if kind == "batch" else None,
                text=True,
                check=True,
                env=_env(),
            )
            times.append(time.perf_counter() - start)
    return statistics.median(logs), statistics.median(floors), statistics.median(batches)


def other_shapes(path: Path) -> dict[str, Path]:
    """The same entries as valid TOML in other shapes than pmtui writes."""
    text = path.read_text()
    t_times = re.sub(r"^(at = \d{4}-\d\d-\d\d) ", r"\1T", text, flags=re.MULTILINE)
    # text before kind, literal strings, a comment on each header, CRLF
    hand = re.sub(r"^(kind = .*)\n(text = .*)$", r"\2\n\1", t_times, flags=re.MULTILINE)
    hand = re.sub(r'^(id|kind|text) = "([^"\\\']*)"$', r"\1 = '\2'", hand, flags=re.MULTILINE)
    hand = hand.replace("[[timeline]]\n", "[[timeline]]  # pasted\n").replace("\n", "\r\n")
    shapes = {"`T` datetimes": t_times, "other order, 'literal', comments, CRLF": hand}
    paths = {}
    for n, (name, shaped) in enumerate(shapes.items()):
        paths[name] = path.with_name(f"shape-{n}.toml")
        paths[name].write_bytes(shaped.encode())
    return paths


def shape_figures(path: Path, runs: int) -> None:
    """First paint of the same entries in pmtui's shape and in others, in turns."""
    paths = {"pmtui's own shape": path, **other_shapes(path)}
    paints: dict[str, list[float]] = {name: [] for name in paths}
    peaks: dict[str, float] = dict.fromkeys(paths, 0.0)
    for _ in range(runs):
        for name, shaped in paths.items():
            result = run("paint-pmtui", str(shaped))
            paints[name].append(result["paint"])
            peaks[name] = max(peaks[name], result["peak_mb"])
    own = statistics.median(paints["pmtui's own shape"])
    for name, times in paints.items():
        paint = statistics.median(times)
        print(
            f"  {name}: paints in {ms(paint)} ({paint / own:.2f}x pmtui's shape), "
            f"peak {peaks[name]:.0f} MB"
        )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="paint runs per size (median)")
    parser.add_argument(
        "--shapes", type=int, default=100_000, help="entries of the other-shapes paint (0: none)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    warm_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = [run("paint-bare") for _ in range(args.runs)]
        floor = statistics.median(r["paint"] for r in bare)
        print(
            f"floor: bare Textual app (6 widgets) paints in {ms(floor)}, "
            f"peak {max(r['peak_mb'] for r in bare):.0f} MB"
        )
        same = statistics.median(run("paint-same")["paint"] for _ in range(args.runs))
        print(f"floor: pmtui's screen in stock Textual widgets (29) paints in {ms(same)}")
        frame = run("frame-bare")
        frame_floor = frame["frame_p99"]
        print(
            f"floor: from idle, a bare app's new Log line and emptied Input reach the screen "
            f"in {ms(frame['frame_p50'])} p50, {ms(frame_floor)} p99"
        )
        small = generate(10, folder)
        print(f"`pmtui export` on a 10-entry incident: {ms(export_command(small))}")
        log, bare_python, batch = log_command(small)
        print(
            f"`pmtui log` (whole process, one entry fsync'd): {ms(log)} against "
            f"`python -c pass` {ms(bare_python)}: {log / bare_python:.2f}x "
            f"(100 lines from stdin in one call: {ms(batch)})"
        )
        for count in (10_000, 100_000):
            print(fold_report(count))
        ls, python_floor = ls_command(generate_folder(folder / "team"))
        print(
            f"`pmtui ls` over 1,000 incidents of 100 entries (whole process): {ms(ls)} "
            f"against `python -c pass` {ms(python_floor)}"
        )
        if args.shapes:
            print(f"first paint of {args.shapes:,} entries written by pmtui and by others:")
            shape_figures(generate(args.shapes, folder), args.runs)
        head = (
            "entries",
            "paint",
            "x bare",
            "best/best",
            "x same",
            "best/best",
            "load",
            "save cold",
            "save warm",
            "export",
            "stamp→applied p50/p99",
            "stamp→screen p50/p99",
            "x floor",
            "stamp→durable p50/p99",
            "append floor p50/p99",
            "x floor",
            "stamp→TOML p50",
            "top/pgdn/end/edit",
            "peak MB",
        )
        rows = []
        for count in sizes:
            path = generate(count, folder)
            # bare and pmtui in turns, so a machine that slows down mid-run
            # slows both: the ratio is to the floor measured alongside. Also
            # best against best: the least disturbed run of each
            paints, floors, sames = [], [], []
            for _ in range(args.runs):
                floors.append(run("paint-bare")["paint"])
                sames.append(run("paint-same")["paint"])
                paints.append(run("paint-pmtui", str(path)))
            paint = statistics.median(p["paint"] for p in paints)
            floor = statistics.median(floors)
            best = min(p["paint"] for p in paints)
            core = core_figures(path)
            live = run("interact", str(path))
            rows.append(
                (
                    f"{count:,}",
                    ms(paint),
                    f"{paint / floor:.2f}x",
                    f"{best / min(floors):.2f}x",
                    f"{paint / statistics.median(sames):.2f}x",
                    f"{best / min(sames):.2f}x",
                    ms(core["load"]),
                    ms(core["save_cold"]),
                    ms(core["save_warm"]),
                    ms(core["export"]),
                    f"{live['applied_p50'] * 1000:.1f}/{live['applied_p99'] * 1000:.1f} ms",
                    f"{live['screen_p50'] * 1000:.1f}/{live['screen_p99'] * 1000:.1f} ms",
                    f"{live['screen_p99'] / frame_floor:.2f}x",
                    f"{live['durable_p50'] * 1000:.1f}/{live['durable_p99'] * 1000:.1f} ms",
                    f"{live['floor_p50'] * 1000:.1f}/{live['floor_p99'] * 1000:.1f} ms",
                    f"{live['durable_p50'] / live['floor_p50']:.2f}x",
                    f"{live['disk_p50'] * 1000:.0f} ms",
                    "/".join(
                        f"{live[k] * 1000:.0f}"
                        for k in ("jump_top", "page_down", "jump_end", "edit_old")
                    )
                    + " ms",
                    f"{max(p['peak_mb'] for p in paints):.0f}",
                )
            )
            print(f"  measured {count:,} entries", file=sys.stderr)
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
        for row in [head, *rows]:
            print(" | ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
