"""Team mode over git: one sync, what it refuses, what a killed sync leaves."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pmtui.core import gitrun, gitsync, journal
from pmtui.core.fold import load_whole
from tests.conftest import RAPPI
from tests.team import LAUNCH, NAME, git, pmtui, start_team, team_env

__all__ = ["team_env"]  # the fixture, used by name


def texts(path: Path) -> list[str]:
    return [entry.text for entry in load_whole(path).timeline if entry.id.startswith("j:")]


def test_an_entry_logged_on_one_clone_reaches_another(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    assert pmtui("log", str(a), "paged the db team", env=team_env).returncode == 0
    synced = pmtui("sync", str(a), env=team_env)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("synced ")
    assert texts(b) == []
    pulled = pmtui("sync", str(b.parent), env=team_env, user="bo")
    assert pulled.returncode == 0, pulled.stderr
    assert texts(b) == ["paged the db team"]
    assert "also here: ana" in pulled.stdout
    assert git(b.parent, "status", "--porcelain", env=team_env) == ""


def test_two_clones_by_one_user_on_one_host_write_different_files(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    for path in (a, b):
        assert pmtui("log", str(path), f"from {path.parent.name}", env=team_env).returncode == 0
    names = [sorted(os.listdir(journal.folder_of(p))) for p in (a, b)]
    assert names[0] != names[1]
    assert all(n.startswith("ana@") and "+" in n for (n,) in names)


def test_offline_keeps_everything_and_says_how_much_is_queued(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    remote, (a, b, _c) = start_team(tmp_path, team_env)
    away = remote.with_name("away.git")
    remote.rename(away)  # the link is down
    pmtui("log", str(a), "-", stdin="one\ntwo\nthree\n", env=team_env)
    offline = pmtui("sync", str(a), env=team_env)
    assert offline.returncode == 1
    assert offline.stderr.count("\n") == 1
    assert "offline, 3 queued" in offline.stderr and "Traceback" not in offline.stderr
    assert texts(a) == ["one", "two", "three"]
    away.rename(remote)  # back
    assert pmtui("sync", str(a), env=team_env).returncode == 0
    assert pmtui("sync", str(b), env=team_env).returncode == 0
    assert texts(b) == ["one", "two", "three"]


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


def test_stale_locks_from_a_killed_git_are_removed_and_the_sync_completes(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "after the crash", env=team_env)
    gdir = a.parent / ".git"
    (gdir / "index.lock").write_bytes(b"")  # what `kill -9` of git leaves
    (gdir / "refs" / "remotes" / "origin" / "master.lock").write_bytes(b"")
    (gdir / "refs" / "heads" / "main.lock").write_bytes(b"")
    result = gitsync.sync(a)
    assert result.ok, result.reason
    assert any("index.lock" in note for note in result.notes)
    assert not (gdir / "index.lock").exists()
    gitsync.sync(b)
    assert texts(b) == ["after the crash"]


def test_a_lock_held_by_a_running_git_is_left_alone(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, _b, _c) = start_team(tmp_path, team_env)
    gdir = a.parent / ".git"
    (gdir / "index.lock").write_bytes(b"")
    running = subprocess.Popen(
        ["git", "-C", str(a.parent), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=team_env,
    )
    try:
        assert running.stdin is not None and running.stdout is not None
        running.stdin.write(b"HEAD\n")
        running.stdin.flush()
        assert running.stdout.readline()  # git is up and working in the folder
        assert gitrun.recover(a.parent) == []
        assert (gdir / "index.lock").exists()
    finally:
        running.kill()
        running.wait()
    assert gitrun.recover(a.parent) == ["removed a stale index.lock"]


def test_a_rebase_left_in_progress_is_recovered(tmp_path: Path, team_env: dict[str, str]) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    folder = a.parent
    # a hand-made rebase that stops on a conflict, as a user at the shell might leave it
    (folder / "notes.txt").write_text("one\n")
    git(folder, "add", "notes.txt", env=team_env)
    git(folder, "commit", "-qm", "one", env=team_env)
    git(folder, "checkout", "-qb", "side", "HEAD~1", env=team_env)
    (folder / "notes.txt").write_text("two\n")
    git(folder, "add", "notes.txt", env=team_env)
    git(folder, "commit", "-qm", "two", env=team_env)
    stuck = subprocess.run(
        ["git", "-C", str(folder), "rebase", "-q", "master" if _has(folder, "master") else "main"],
        capture_output=True,
        env=team_env,
    )
    assert stuck.returncode != 0 and (folder / ".git" / "rebase-merge").exists()
    pmtui("log", str(a), "during the rebase", env=team_env)
    result = gitsync.sync(a)
    assert result.ok, result.reason
    assert "aborted a rebase left in progress" in result.notes
    gitsync.sync(b)
    assert texts(b) == ["during the rebase"]


def _has(folder: Path, branch: str) -> bool:
    return (folder / ".git" / "refs" / "heads" / branch).exists()


def test_kill_9_during_syncs_loses_nothing_and_the_next_sync_completes(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    started = time.perf_counter()
    assert gitsync.sync(a).ok
    one_sync = time.perf_counter() - started
    logged = []
    for round_ in range(12):
        text = f"entry {round_}"
        assert pmtui("log", str(a), text, env=team_env).returncode == 0
        logged.append(text)
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "sync", str(a)],
            env=team_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # python start-up, then somewhere in the sync: commit, fetch, push or settling
        time.sleep(0.15 + one_sync * round_ / 12)
        os.killpg(process.pid, signal.SIGKILL)  # pmtui and the git it was running
        process.wait()
    finished = gitsync.sync(a)
    assert finished.ok and finished.queued == 0, finished.reason
    assert texts(a) == logged
    assert gitsync.sync(b).ok
    assert texts(b) == logged
    assert git(a.parent, "fsck", "--no-progress", env=team_env) is not None


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


def test_a_sync_killed_between_its_commit_and_its_push_is_finished_by_the_next(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "committed, never pushed", env=team_env)
    root = a.parent
    own = [p for p in gitsync.journal_files(root) if p.name.endswith(gitsync.own_suffix(root))]
    base = gitrun.rev_of(root, "refs/remotes/origin/master") or gitrun.rev_of(
        root, "refs/remotes/origin/main"
    )
    assert gitsync._build(root, base, own) is not None  # the commit exists; then: kill -9
    assert gitsync.sync(a).ok
    assert gitsync.sync(b).ok
    assert texts(b) == ["committed, never pushed"]


def test_a_line_being_written_is_not_sent_until_it_is_whole(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "whole", env=team_env)
    (own,) = list(Path(journal.folder_of(a)).iterdir())
    line = own.read_bytes().splitlines(keepends=True)[-1].replace(b"whole", b"later")
    line = line.replace(b'"id":"', b'"id":"x')
    with own.open("ab") as stream:
        stream.write(line[:20])  # a writer in the middle of its write
    assert gitsync.sync(a).ok and gitsync.sync(b).ok
    theirs = Path(journal.folder_of(b)) / own.name
    assert theirs.read_bytes().endswith(b"\n") and texts(b) == ["whole"]
    with own.open("ab") as stream:
        stream.write(line[20:])
    assert gitsync.sync(a).ok and gitsync.sync(b).ok
    assert texts(b) == ["whole", "later"]


def test_syncs_of_one_clone_at_the_same_time_take_turns(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "-", stdin="".join(f"line {n}\n" for n in range(5)), env=team_env)
    running = [
        subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "sync", str(a)],
            env=team_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    for process in running:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert gitsync.sync(b).ok
    assert texts(b) == [f"line {n}" for n in range(5)]


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
