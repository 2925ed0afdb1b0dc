"""Starting a shared incident: `pmtui new --share`, `pmtui sync --share`, joining by a clone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pmtui.core.fold import load_whole
from tests.conftest import RAPPI
from tests.team import LAUNCH, NAME, git, pmtui, team_env

__all__ = ["team_env"]  # the fixture, used by name


def texts(path: Path) -> list[str]:
    return [entry.text for entry in load_whole(path).timeline if entry.id.startswith("j:")]


def _new_shared(
    tmp_path: Path, env: dict[str, str], remote: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, "new", "Checkout down", "--share", remote, "--no-open"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**env, "LOGNAME": "ana"},
    )


def test_new_share_starts_a_shared_incident_that_a_clone_joins(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=team_env)
    made = _new_shared(tmp_path, team_env, remote.as_uri())
    assert made.returncode == 0, made.stderr
    first = tmp_path / made.stdout.strip().splitlines()[-1]
    assert first.exists() and first.parent.name == first.stem  # a folder of its own
    assert "git clone " + remote.as_uri() in made.stdout
    joined = tmp_path / "joined"
    git(tmp_path, "clone", "-q", remote.as_uri(), str(joined), env=team_env)
    theirs = joined / first.name
    assert load_whole(theirs).title == "Checkout down"
    assert pmtui("log", str(theirs), "joined and looking", env=team_env, user="bo").returncode == 0
    assert pmtui("sync", str(theirs), env=team_env, user="bo").returncode == 0
    assert pmtui("sync", str(first), env=team_env).returncode == 0
    assert texts(first) == ["joined and looking"]
    assert git(first.parent, "status", "--porcelain", env=team_env) == ""


def test_new_share_with_a_bad_remote_still_creates_the_incident(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    made = _new_shared(tmp_path, team_env, "file:///nowhere/at/all.git")
    assert made.returncode == 0
    assert made.stderr.count("\n") == 1 and "remote unreachable" in made.stderr
    assert (tmp_path / made.stdout.strip().splitlines()[-1]).exists()


def test_new_share_needs_a_title(tmp_path: Path, team_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, "new", "--share", "file:///x.git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=team_env,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_an_incident_under_way_starts_being_shared_with_what_it_holds(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    folder = tmp_path / "solo"
    folder.mkdir()
    path = folder / NAME
    shutil.copy(RAPPI, path)
    assert (
        pmtui("log", str(path), "-", stdin="before one\nbefore two\n", env=team_env).returncode == 0
    )
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=team_env)
    shared = pmtui("sync", str(path), "--share", remote.as_uri(), env=team_env)
    assert shared.returncode == 0, shared.stderr
    joined = tmp_path / "joined"
    git(tmp_path, "clone", "-q", remote.as_uri(), str(joined), env=team_env)
    assert texts(joined / NAME) == ["before one", "before two"]
    assert pmtui("log", str(path), "after sharing", env=team_env).returncode == 0
    assert pmtui("sync", str(path), env=team_env).returncode == 0
    assert pmtui("sync", str(joined), env=team_env).returncode == 0
    assert texts(joined / NAME) == ["before one", "before two", "after sharing"]
    assert len(load_whole(joined / NAME).timeline) == len(load_whole(path).timeline)
    again = pmtui("sync", str(path), "--share", remote.as_uri(), env=team_env)
    assert again.returncode == 0, again.stderr  # sharing twice is harmless
    for bad in (["--share"], [str(path), "--share"], [str(folder), "--share", "x"]):
        refused = pmtui("sync", *bad, env=team_env)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1


def test_a_repository_that_only_holds_incidents_is_never_pushed_to(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    """pmtui's own checkout with its samples, a team's repo of runbooks: a git work tree
    with a remote, but nobody shared it. Logging there and syncing must not commit or push
    (an IC trying the sample would have pushed to the project's own remote)."""
    remote = tmp_path / "project.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=team_env)
    checkout = tmp_path / "project"
    subprocess.run(["git", "clone", "-q", remote.as_uri(), str(checkout)], check=True, env=team_env)
    (checkout / "samples").mkdir()
    shutil.copy(RAPPI, checkout / "samples" / NAME)
    git(checkout, "add", ".", env=team_env)
    git(checkout, "commit", "-qm", "samples", env=team_env)
    git(checkout, "push", "-q", "origin", "HEAD", env=team_env)
    before = git(remote, "rev-parse", "HEAD", env=team_env)

    logged = pmtui("log", str(checkout / "samples" / NAME), "tried it", env=team_env)
    assert logged.returncode == 0, logged.stderr
    synced = pmtui("sync", str(checkout / "samples" / NAME), env=team_env)
    assert synced.returncode == 2
    assert synced.stderr.strip().endswith("--share REMOTE)") and "not in a shared" in synced.stderr
    assert git(remote, "rev-parse", "HEAD", env=team_env) == before  # nothing pushed
    journal = checkout / "samples" / "rappi.journal"
    assert [p.name for p in journal.iterdir()] == ["ana@" + _host() + ".jsonl"]  # no clone id
    assert not (checkout / ".git" / "pmtui-clone-id").exists()


def _host() -> str:
    import os

    return os.uname().nodename.split(".")[0]
