"""Team mode over git: bad remotes, passwords, copied clones, bad usage: one line, nothing lost."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pmtui.core import gitsync
from pmtui.core.fold import load_whole
from tests.team import NAME, git, pmtui, start_team, team_env

__all__ = ["team_env"]  # the fixture, used by name


def texts(path: Path) -> list[str]:
    return [entry.text for entry in load_whole(path).timeline if entry.id.startswith("j:")]


@pytest.mark.parametrize(
    ("remote", "says"),
    [
        ("file:///nowhere/at/all.git", "remote unreachable"),
        ("https://127.0.0.1:9/team/inc.git", "remote unreachable"),
        ("ssh://nobody@127.0.0.1:9/team/inc.git", "remote unreachable"),
    ],
)
def test_a_bad_remote_is_one_line_and_loses_nothing(
    tmp_path: Path, team_env: dict[str, str], remote: str, says: str
) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    git(a.parent, "remote", "set-url", "origin", remote, env=team_env)
    pmtui("log", str(a), "kept", env=team_env)
    result = pmtui("sync", str(a), env=team_env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert texts(a) == ["kept"]


def test_a_copied_clone_is_refused_rather_than_overwriting_the_other(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "first", env=team_env)
    copy = tmp_path / "copy"
    shutil.copytree(a.parent, copy, symlinks=True)  # same clone id: same file names
    pmtui("log", str(a), "from the original", env=team_env)
    pmtui("log", str(copy / NAME), "from the copy", env=team_env)
    assert pmtui("sync", str(a), env=team_env).returncode == 0
    refused = pmtui("sync", str(copy), env=team_env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "diverged" in refused.stderr
    assert texts(copy / NAME) == ["first", "from the copy"]


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, team_env: dict[str, str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for args in ([], ["a", "b"], [str(tmp_path / "missing")], [str(plain)]):
        result = pmtui("sync", *args, env=team_env)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_without_git_installed_it_says_so(tmp_path: Path, team_env: dict[str, str]) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    result = pmtui("sync", str(a), env={**team_env, "PATH": str(bare_path)})
    assert result.returncode in (1, 2)
    assert "git is not installed" in result.stderr and result.stderr.count("\n") == 1


def test_a_machine_where_git_knows_no_name_still_syncs(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    nameless = {
        k: v for k, v in team_env.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))
    }
    nameless["EMAIL"] = ""
    (tmp_path / "home" / "gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    assert (
        subprocess.run(
            ["git", "-C", str(a.parent), "var", "GIT_COMMITTER_IDENT"],
            env=nameless,
            capture_output=True,
        ).returncode
        != 0
    )
    pmtui("log", str(a), "from a fresh laptop", env=nameless)
    result = pmtui("sync", str(a), env=nameless)
    assert result.returncode == 0, result.stderr
    assert gitsync.sync(b).ok and texts(b) == ["from a fresh laptop"]


class _AskingForAPassword(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_remote_that_asks_for_a_password_fails_at_once_with_one_line(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AskingForAPassword)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/team/inc.git"
        git(a.parent, "remote", "set-url", "origin", url, env=team_env)
        pmtui("log", str(a), "kept", env=team_env)
        result = pmtui("sync", str(a), env=team_env)  # no terminal to ask on: it must not hang
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "asks for a password" in result.stderr
    assert "offline, 1 queued" in result.stderr
    assert texts(a) == ["kept"]
