"""A team on one machine: a bare repository and clones of it in temp folders.

Everything is real: the `git` command, `pmtui log` and `pmtui sync` run as
processes through pmtui's entry point. The user's git configuration is never
read or touched: HOME and GIT_CONFIG_GLOBAL point into the test's folder, and
who commits comes from the environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui.core import gitsync
from tests.conftest import RAPPI, ROOT

LAUNCH = "import sys; from pmtui.launch import main; sys.exit(main())"
NAME = "rappi.toml"


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def team_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's git environment, for subprocesses and for gitsync in-process."""
    if shutil.which("git") is None:
        pytest.fail("git is needed (scripts/test.sh installs it)")
    home = tmp_path / "home"
    home.mkdir()
    env = git_env(home)
    for key in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def git(where: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def pmtui(
    *args: str, env: dict[str, str], stdin: str = "", user: str = "ana"
) -> subprocess.CompletedProcess[str]:
    """The real entry point (pmtui.launch), as the installed `pmtui` runs it."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "LOGNAME": user, "USER": user},
        timeout=120,
    )


def start_team(tmp_path: Path, env: dict[str, str], clones: int = 3) -> tuple[Path, list[Path]]:
    """A bare remote, the IC's clone sharing the (resolved) Rappi incident, and the
    others cloned from the remote. Returns the remote and each clone's incident file."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=env)
    first = tmp_path / "c0"
    first.mkdir()
    shutil.copy(RAPPI, first / NAME)
    result = gitsync.share(first / NAME, remote.as_uri())
    assert result.ok, result.reason
    paths = [first / NAME]
    for number in range(1, clones):
        folder = tmp_path / f"c{number}"
        subprocess.run(["git", "clone", "-q", remote.as_uri(), str(folder)], check=True, env=env)
        paths.append(folder / NAME)
    return remote, paths
