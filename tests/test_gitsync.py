"""Team mode over git: one sync, and what a killed sync or a killed git leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pmtui.core import gitrun, gitsync, journal
from pmtui.core.fold import load_whole
from tests.team import LAUNCH, git, pmtui, start_team, team_env

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


def test_a_copy_of_another_writers_file_longer_here_is_never_cut_back(
    tmp_path: Path, team_env: dict[str, str]
) -> None:
    _remote, (a, b, _c) = start_team(tmp_path, team_env)
    pmtui("log", str(a), "from a", env=team_env)
    assert gitsync.sync(a).ok and gitsync.sync(b).ok
    (theirs,) = Path(journal.folder_of(b)).iterdir()  # a's file
    kept = theirs.read_bytes() + b'{"v":1,"id":"x","hlc":1,"w":"x","op":"entry"}\n'
    theirs.write_bytes(kept)  # whatever wrote it, git must not lose it
    pmtui("log", str(b), "from b", env=team_env)  # a sync with something to do
    assert gitsync.sync(b).ok and gitsync.sync(a).ok and gitsync.sync(b).ok
    assert theirs.read_bytes() == kept
