"""Three responders, one incident, a git remote, and links that drop.

Three clones of one bare repository each log 100 entries with `pmtui log`
(real processes, a few lines at a time) and sync at random moments, at the
same time as each other; now and then one clone's link is down (its remote
points nowhere) while it keeps logging. When the links are back and every
clone has synced, each clone's `pmtui export` is the same bytes and holds all
300 entries exactly once.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

from pmtui.core.fold import load_whole
from tests.team import git, pmtui, start_team, team_env

__all__ = ["team_env"]  # the fixture, used by name

PER_WRITER = 100
USERS = ("ana", "bo", "cy")


def test_three_writers_random_syncs_and_partitions_end_identical(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    remote, paths = start_team(tmp_path, team_env)
    url = remote.as_uri()
    partition = threading.Lock()  # one clone cut off at a time
    failures: list[str] = []
    offline_syncs = [0]

    def writer(number: int) -> None:
        path, user = paths[number], USERS[number]
        chance = random.Random(number)
        written = 0
        cut = False
        while written < PER_WRITER:
            batch = min(chance.randint(1, 6), PER_WRITER - written)
            lines = "".join(f"{user} {written + i:03d}\n" for i in range(batch))
            logged = pmtui("log", str(path), "-", stdin=lines, env=team_env, user=user)
            if logged.returncode != 0:
                failures.append(f"{user}: log: {logged.stderr}")
                return
            written += batch
            roll = chance.random()
            if not cut and roll < 0.1 and partition.acquire(blocking=False):
                git(path.parent, "remote", "set-url", "origin", url + ".gone", env=team_env)
                cut = True
            elif cut and roll < 0.3:
                git(path.parent, "remote", "set-url", "origin", url, env=team_env)
                partition.release()
                cut = False
            if roll < 0.5:
                synced = pmtui("sync", str(path), env=team_env, user=user)
                if synced.returncode == 1 and cut:
                    offline_syncs[0] += 1
                    if "queued" not in synced.stderr:
                        failures.append(f"{user}: offline sync said: {synced.stderr}")
                elif synced.returncode != 0:
                    failures.append(f"{user}: sync {synced.returncode}: {synced.stderr}")
        if cut:
            git(path.parent, "remote", "set-url", "origin", url, env=team_env)
            partition.release()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert offline_syncs[0] > 0  # a partition did happen while a clone synced
    for _round in range(2):
        for path in paths:
            result = pmtui("sync", str(path), env=team_env)
            assert result.returncode == 0, result.stderr
    exports = [pmtui("export", str(path), "-o", "-", env=team_env) for path in paths]
    assert [e.returncode for e in exports] == [0, 0, 0]
    assert exports[0].stdout == exports[1].stdout == exports[2].stdout
    expected = sorted(f"{user} {i:03d}" for user in USERS for i in range(PER_WRITER))
    for path in paths:
        logged = [e.text for e in load_whole(path).timeline if e.id.startswith("j:")]
        assert sorted(logged) == expected  # all 300, each once
    for line in expected:
        assert exports[0].stdout.count(f": {line}\n") == 1
    for path in paths:
        assert git(path.parent, "status", "--porcelain", env=team_env) == ""
