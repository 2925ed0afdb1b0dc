"""Team mode's benchmark: prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_team.py [--rounds 5] [--entries 10000]

With a local bare remote and clones in a temp folder (HOME and the git
configuration there too, so the user's are never read):
- `pmtui log` on clone B -> `pmtui sync` on B -> `pmtui sync` on A -> the entry
  in A's journal file: each step's whole-process time, and the total;
- the same with the apps as they run: B's background Syncer (DELAY after a
  write) and A's open pmtui (its Syncer polls every POLL seconds; its journal
  poll folds within 0.4 s): from `pmtui log` on B to the row on A's screen;
- sync cost with 10,000 entries in this clone's journal: the first sync that
  pushes them all, a sync with nothing new (a poll), a sync after one more
  entry, a sync that brings another clone's 10,000, and the repository's size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmtui.core import gitsync, syncer  # noqa: E402
from tests.team import LAUNCH, NAME, git_env  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "rappi-orders-api.toml"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def team(folder: Path, env: dict[str, str]) -> tuple[Path, Path, Path]:
    remote = folder / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=env)
    (folder / "a").mkdir()
    shutil.copy(SAMPLE, folder / "a" / NAME)
    gitsync.share(folder / "a" / NAME, remote.as_uri())
    subprocess.run(["git", "clone", "-q", remote.as_uri(), str(folder / "b")], check=True, env=env)
    return remote, folder / "a" / NAME, folder / "b" / NAME


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        input=stdin,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def arrived(path: Path, text: str) -> bool:
    folder = Path(str(path)[: -len(".toml")] + ".journal")
    return any(text in f.read_text() for f in folder.glob("*.jsonl"))


def by_hand(env: dict[str, str], a: Path, b: Path, rounds: int) -> None:
    steps: dict[str, list[float]] = {"log on B": [], "sync B": [], "sync A": [], "total": []}
    for n in range(rounds):
        text = f"by hand {n}"
        times = [cli(env, "log", str(b), text), cli(env, "sync", str(b)), cli(env, "sync", str(a))]
        assert arrived(a, text)
        for name, value in zip(steps, [*times, sum(times)], strict=True):
            steps[name].append(value)
    print(f"\n`pmtui log` on B to the entry in A's journal, by hand ({rounds} rounds, median)")
    for name, values in steps.items():
        print(f"  {name:<12}{ms(statistics.median(values))}   max {ms(max(values))}")


async def on_screen(env: dict[str, str], a: Path, b: Path, rounds: int) -> None:
    from tests.tui import SIZE, open_app, screen_rows

    b_syncer = syncer.Syncer(b, lambda _result: None).start()  # B's pmtui, as it runs
    app = open_app(a)
    waits = []
    async with app.run_test(size=SIZE) as pilot:
        for n in range(rounds):
            text = f"on screen {n}"
            start = time.perf_counter()
            cli(env, "log", str(b), text)
            while not any(text in row for row in screen_rows(app)):
                await pilot.pause(0.02)
            waits.append(time.perf_counter() - start)
        await pilot.press("ctrl+q")
    b_syncer.stop(timeout=30)
    print(
        f"\n`pmtui log` on B to the row on A's screen, background syncs "
        f"(DELAY {syncer.DELAY:g} s on B, POLL {syncer.POLL:g} s on A; {rounds} rounds)"
    )
    print(f"  median {ms(statistics.median(waits))}   min {ms(min(waits))}   max {ms(max(waits))}")


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def at_scale(env: dict[str, str], a: Path, b: Path, entries: int) -> None:
    lines = "".join(
        f"entry {n}: p99 latency {n % 997} ms on shard {n % 64}\n" for n in range(entries)
    )
    cli(env, "log", str(a), "-", stdin=lines)
    journal = next(Path(str(a)[: -len(".toml")] + ".journal").glob("*.jsonl"))
    figures = {}
    start = time.perf_counter()
    gitsync.sync(a)
    figures[f"first sync, pushing {entries:,}"] = time.perf_counter() - start
    polls = []
    for _ in range(5):
        start = time.perf_counter()
        gitsync.sync(a)
        polls.append(time.perf_counter() - start)
    figures["a sync with nothing new (a poll)"] = statistics.median(polls)
    ones = []
    for n in range(5):
        cli(env, "log", str(a), f"one more {n}")
        start = time.perf_counter()
        gitsync.sync(a)
        ones.append(time.perf_counter() - start)
    figures["a sync after one more entry"] = statistics.median(ones)
    start = time.perf_counter()
    gitsync.sync(b)
    figures[f"a sync bringing another clone's {entries:,}"] = time.perf_counter() - start
    print(f"\nsync cost with {entries:,} entries in a journal ({journal.stat().st_size:,} bytes)")
    for name, value in figures.items():
        print(f"  {name:<44}{ms(value)}")
    print(
        f"  repository (.git) of A after {2 + len(polls) + len(ones)} syncs: "
        f"{size_of(a.parent / '.git') / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--entries", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pmtui-team-") as temp:
        folder = Path(temp)
        (folder / "home").mkdir()
        env = git_env(folder / "home")
        for key in [k for k in os.environ if k.startswith("GIT_")]:
            del os.environ[key]
        os.environ.update(env)
        version = subprocess.run(["git", "--version"], capture_output=True, text=True)
        print(f"{version.stdout.strip()}, a local bare remote (file://)")
        (folder / "small").mkdir()
        _remote, a, b = team(folder / "small", env)
        by_hand(env, a, b, args.rounds)
        asyncio.run(on_screen(env, a, b, args.rounds))
        (folder / "big").mkdir()
        _remote, a, b = team(folder / "big", env)
        at_scale(env, a, b, args.entries)


if __name__ == "__main__":
    main()
