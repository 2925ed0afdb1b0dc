"""Folding journal lines into a big incident: what one poll of the open pmtui costs.

    .venv/bin/python benchmarks/fold_bench.py [--entries 100000]

bench.py prints the same figures. Folding asks "is this entry in already?"
and "where is the entry this edit names?": a membership index answers both
without walking the timeline; the walk is measured alongside for reference
(it is what every fold did before the index).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmtui.core import ops  # noqa: E402
from pmtui.core.fold import fold  # noqa: E402
from pmtui.core.journal import Record  # noqa: E402
from pmtui.core.model import Incident, TimelineEntry, WholeTimeline  # noqa: E402

START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def big(count: int) -> Incident:
    entries = [
        TimelineEntry(id=f"t{n}", at=START + timedelta(seconds=n), text=f"alert {n}")
        for n in range(1, count + 1)
    ]
    incident = Incident(title="Synthetic", timezone="GMT", started_at=START)
    incident.adopt_timeline(WholeTimeline.of(entries))  # as a tail-first load ends
    return incident


def _median(times: list[float]) -> float:
    return statistics.median(times)


def fold_figures(count: int = 100_000, rounds: int = 41) -> dict[str, float]:
    """Seconds per fold of: one new entry, ten, an edit of an old entry; and the walk."""
    incident = big(count)
    hlc = 10**15
    one, ten, edit, walk = [], [], [], []
    for n in range(rounds):
        at = START + timedelta(seconds=count // 2 + n)
        record = Record(f"w:{n}", hlc + n, "w", *ops.op_entry(f"new {n}", at))
        start = time.perf_counter()
        fold(incident, [record])
        one.append(time.perf_counter() - start)
        batch = [
            Record(f"w:{n}-{k}", hlc + n, "w", *ops.op_entry(f"batch {n}", at)) for k in range(10)
        ]
        start = time.perf_counter()
        fold(incident, batch)
        ten.append(time.perf_counter() - start)
        change = ops.op_entry_edit(f"t{count // 3 + n}", text=f"edited {n}")
        start = time.perf_counter()
        fold(incident, [Record(f"e:{n}", hlc + n, "e", *change)])
        edit.append(time.perf_counter() - start)
        start = time.perf_counter()
        _ = {entry.id for entry in incident.timeline if entry.id.startswith("j:")}
        walk.append(time.perf_counter() - start)
    return {"one": _median(one), "ten": _median(ten), "edit": _median(edit), "walk": _median(walk)}


def edit_after_many(count: int, earlier: int = 5000, rounds: int = 21) -> float:
    """Seconds per fold of one edit when `earlier` edits already have stamps and history."""
    incident = big(count)
    hlc = 10**15
    fold(
        incident,
        [
            Record(
                f"e:{n}", hlc + n, "e", *ops.op_entry_edit(f"t{n * 7 % count + 1}", text=f"x{n}")
            )
            for n in range(earlier)
        ],
    )
    times = []
    for n in range(rounds):
        record = Record(f"v:{n}", 2 * hlc + n, "v", *ops.op_entry_edit("t3", text=f"again {n}"))
        start = time.perf_counter()
        fold(incident, [record])
        times.append(time.perf_counter() - start)
    return _median(times)


def report(count: int) -> str:
    f = fold_figures(count)
    return (
        f"folding journal lines into {count:,} entries (one poll): one new entry "
        f"{f['one'] * 1000:.2f} ms, ten {f['ten'] * 1000:.2f} ms, an edit of an old entry "
        f"{f['edit'] * 1000:.2f} ms (after 5,000 edits: "
        f"{edit_after_many(count) * 1000:.2f} ms); a walk of the timeline (each fold "
        f"before the membership index) {f['walk'] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    print(report(parser.parse_args().entries))
