"""Team mode: an incident folder shared through git, one writer per file.

Each clone appends only to its own journal files (`<user>@<host>+<clone>.jsonl`,
see `journal.writer_for`), so git never sees two writers on one file and a
merge conflict cannot happen. A sync never merges or rebases: it fetches the
remote branch, builds a commit on top of it that holds the remote's tree plus
this clone's journal files (cut at their last whole line) and any file this
clone committed that the remote lacks (the seed TOML of `pmtui new --share`),
and pushes it; a push beaten by another clone's push is rebuilt on the new
remote head, a bounded number of times. Then the other writers' journal files
are written into the folder (git is their only local writer); this clone's
files and its TOML checkpoint are never touched.

Every step can be killed (`kill -9`) and redone: objects are written before
the refs that name them, the commit is built in a private index, and the
next sync redoes whatever did not finish. Locks that a killed git left
(`.git/index.lock`, ref locks) are removed when no git runs in the folder.

Every git call runs the real `git` with a timeout, `GIT_TERMINAL_PROMPT=0` and
no terminal: a remote that asks for a password fails at once with one line.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from pmtui.core.gitrun import (
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    GitError,
    find_root,
    git_dir,
    git_env,
    is_ancestor,
    recover,
    rev_of,
    run_git,
    tree_of,
    why_offline,
)
from pmtui.core.journal import SHARED_MARK, SUFFIX, clone_id, folder_of, last_hlc, writer_for

__all__ = ["GitError", "NotShared", "SyncResult", "share", "sync"]

RETRIES = 6  # pushes beaten by another clone's push before giving up for now
RECENT = 10 * 60  # seconds: "who else wrote in the last minutes"
REMOTE = "origin"


class NotShared(Exception):
    """The folder is not a git work tree with a remote: a usage error."""


@dataclass(frozen=True)
class SyncResult:
    """What one sync did. `ok`: the remote holds everything this clone wrote."""

    ok: bool
    at: datetime
    queued: int = 0  # lines of this clone's journals the remote does not hold yet
    reason: str = ""  # one line when not ok
    others: tuple[str, ...] = ()  # other writers seen in the last RECENT seconds
    pushed: bool = False
    notes: tuple[str, ...] = field(default=())  # what was recovered on the way
    offline: bool = True  # when not ok: the remote was out of reach (else: `reason`)

    def line(self, zone: tzinfo | None = None) -> str:
        """'synced 12:01:03 · also here: bob, cy', 'offline, 5 queued', or why not."""
        if not self.ok and not self.offline:
            return f"not synced: {self.reason}"
        when = self.at.astimezone(zone)
        text = f"synced {when:%H:%M:%S}" if self.ok else f"offline, {self.queued} queued"
        if self.ok and self.queued:
            text += f", {self.queued} queued"
        if self.others:
            text += " · also here: " + ", ".join(self.others)
        return text


def shared_root(path: Path) -> Path:
    """The shared work tree holding `path`; NotShared (one line) when it is not one."""
    root = find_root(path)
    if root is None or not (root / SHARED_MARK).exists():
        raise NotShared(
            f"{path} is not in a shared folder (share it: pmtui sync {path.name} --share REMOTE)"
        )
    try:
        run_git(root, "remote", "get-url", REMOTE)
    except GitError as error:
        if not error.stderr:  # git itself is missing or hung
            raise
        raise NotShared(f"{root} has no git remote {REMOTE!r} to sync with") from None
    return root


def _branch(root: Path) -> str:
    """The shared branch: the remote's default (set by a clone, and by `share`),
    else the branch checked out (a branch switched to by hand does not move it)."""
    for ref in (f"refs/remotes/{REMOTE}/HEAD", "HEAD"):
        try:
            name = run_git(root, "symbolic-ref", "-q", ref).decode().strip()
        except GitError:
            continue
        for prefix in (f"refs/remotes/{REMOTE}/", "refs/heads/"):
            if name.startswith(prefix):
                return name.removeprefix(prefix)
    return "main"


def journal_files(root: Path) -> Iterator[Path]:
    """Every journal file in the work tree (incident folders can sit in sub-folders)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git" and not d.startswith(".")]
        if folder.endswith(SUFFIX):
            for name in files:
                if name.endswith(".jsonl"):
                    yield Path(folder, name)


def own_suffix(root: Path) -> str:
    return f"+{clone_id(str(git_dir(root)))}.jsonl"


# -- one sync -------------------------------------------------------------------


def _blob_id(data: bytes, object_id_length: int) -> str:
    header = b"blob %d\0" % len(data)
    digest = hashlib.sha256 if object_id_length == 64 else hashlib.sha1
    return digest(header + data).hexdigest()


def _whole_lines(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1]


def _queued(root: Path, own: list[Path], remote: dict[str, tuple[str, str, int]]) -> int:
    count = 0
    for path in own:
        held = remote.get(path.relative_to(root).as_posix(), ("", "", 0))[2]
        try:
            with path.open("rb") as stream:
                stream.seek(held)
                count += stream.read().count(b"\n")
        except OSError:
            continue
    return count


def _identity_env(root: Path) -> dict[str, str]:
    env = git_env()
    try:
        run_git(root, "var", "GIT_COMMITTER_IDENT")
    except GitError:  # no user.name/email configured: the journal's writer signs
        who = writer_for(str(root)).split("+")[0]
        for role in ("AUTHOR", "COMMITTER"):
            env.setdefault(f"GIT_{role}_NAME", who)
            env.setdefault(f"GIT_{role}_EMAIL", f"{who}.pmtui")
    return env


def _build(root: Path, base: str | None, own: list[Path]) -> str | None:
    """A commit on `base` holding this clone's files; None when `base` holds them all."""
    base_files = tree_of(root, base) if base else {}
    head = rev_of(root, "HEAD")
    lines = []
    if head and not (base and is_ancestor(root, head, base)):
        # what this clone committed and the remote lacks (a seed, .gitignore, the
        # journal of an incident that was under way before it was shared)
        for name, (mode, oid, _size) in tree_of(root, head).items():
            if name not in base_files:
                lines.append(f"{mode} {oid}\t{name}")
    for path in own:
        data = _whole_lines(path)
        name = path.relative_to(root).as_posix()
        if name in base_files and base_files[name][2] == len(data):
            continue  # append-only, and `_check_own` saw the remote's is our start
        oid = run_git(root, "hash-object", "-w", "--stdin", data=data).decode().strip()
        lines.append(f"100644 {oid}\t{name}")
    if not lines:
        return None
    index = git_dir(root) / f"pmtui-sync.{os.getpid()}.index"
    env = git_env()
    env["GIT_INDEX_FILE"] = str(index)
    try:
        index.unlink(missing_ok=True)
        run_git(root, "read-tree", *([base] if base else ["--empty"]), env=env)
        listing = "\n".join(lines).encode() + b"\n"
        run_git(root, "update-index", "--index-info", data=listing, env=env)
        tree = run_git(root, "write-tree", env=env).decode().strip()
    finally:
        index.unlink(missing_ok=True)
    parents = ["-p", base] if base else []
    message = f"pmtui: {writer_for(str(root)).split('+')[0]} journal\n".encode()
    args = ["commit-tree", tree, *parents]
    return run_git(root, *args, data=message, env=_identity_env(root)).decode().strip()


def _check_own(root: Path, own: list[Path], remote: dict[str, tuple[str, str, int]]) -> None:
    """The remote's copy of each of our files must be the start of ours, else two
    clones share an id (a copied folder): refuse, rather than overwrite theirs."""
    for path in own:
        held = remote.get(path.relative_to(root).as_posix())
        if held is None:
            continue
        data = path.read_bytes()[: held[2]]
        if len(data) < held[2] or _blob_id(data, len(held[1])) != held[1]:
            raise GitError(
                f"diverged: the remote's {path.name} is not what this clone wrote "
                "(a copied clone folder? clone the remote afresh); nothing was pushed"
            )


def _materialise(root: Path, rev: str, own_end: str) -> int:
    """Write the other writers' journal files (and files we lack) from `rev`; how many."""
    wanted = _wanted(root, rev, own_end)
    if wanted:
        run_git(root, "checkout-index", "-f", "-z", "--stdin", data="\0".join(wanted).encode())
    return len(wanted)


def _wanted(root: Path, rev: str, own_end: str) -> list[str]:
    """The files of `rev` to write here: others' journals that grew, files we lack."""
    wanted = []
    for name, (_mode, _oid, size) in tree_of(root, rev).items():
        if name.endswith(own_end):
            continue
        local = root / name
        try:
            have = local.stat().st_size
        except FileNotFoundError:
            have = -1
        if have == -1 or (name.endswith(".jsonl") and have < size):
            wanted.append(name)  # append-only: a longer copy here is never cut back
    return wanted


def _settle_local(root: Path, branch: str, rev: str, own_end: str) -> None:
    """HEAD's branch and the index name what the remote holds, the other writers'
    files are written, and git is told to leave each clone's TOML checkpoint alone."""
    if rev_of(root, f"refs/heads/{branch}") != rev:
        run_git(root, "update-ref", f"refs/heads/{branch}", rev)
        run_git(root, "read-tree", rev)
    elif not _wanted(root, rev, own_end):
        return  # nothing new since the last sync settled
    _materialise(root, rev, own_end)
    tomls = [n for n in tree_of(root, rev) if n.endswith(".toml")]
    if tomls:
        run_git(root, "update-index", "--skip-worktree", "--", *tomls)


def others_recent(root: Path, own_end: str, now: float | None = None) -> tuple[str, ...]:
    """Who else wrote in the last RECENT seconds: their names, newest first."""
    now = time.time() if now is None else now
    seen: dict[str, int] = {}
    for path in journal_files(root):
        if path.name.endswith(own_end):
            continue
        try:
            if path.stat().st_mtime < now - RECENT - 60:
                continue
        except OSError:
            continue
        stamp = last_hlc(path)
        if stamp / 1e6 >= now - RECENT:
            who = path.name.removesuffix(".jsonl").split("+")[0].split("@")[0]
            seen[who] = max(seen.get(who, 0), stamp)
    return tuple(sorted(seen, key=lambda w: -seen[w]))


def sync(path: Path, retries: int = RETRIES) -> SyncResult:
    """Sync the shared folder holding `path` once. NotShared for a folder that is not.

    One sync at a time per clone (the open pmtui's and a `pmtui sync` from cron
    take turns on `.git/pmtui-sync.lock`)."""
    root = shared_root(path)
    gdir = git_dir(root)
    fd = os.open(gdir / "pmtui-sync.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + 2 * NETWORK_TIMEOUT + LOCAL_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise GitError("another sync of this folder is still running") from None
                time.sleep(0.05)
        for stale in gdir.glob("pmtui-sync.*.index"):  # a killed sync's private index
            stale.unlink(missing_ok=True)
        return _sync(root, retries)
    finally:
        os.close(fd)


def _failed(error: GitError, queued: int, notes: list[str]) -> SyncResult:
    offline, why = why_offline(error)
    return SyncResult(False, datetime.now(UTC), queued, why, notes=tuple(notes), offline=offline)


def _sync(root: Path, retries: int) -> SyncResult:
    notes = recover(root)
    own_end = own_suffix(root)
    own = sorted(p for p in journal_files(root) if p.name.endswith(own_end))
    branch = _branch(root)
    tracking = f"refs/remotes/{REMOTE}/{branch}"
    pushed = False
    for attempt in range(retries + 1):
        try:
            run_git(root, "fetch", "-q", "--no-tags", REMOTE, timeout=NETWORK_TIMEOUT)
        except GitError as error:
            base = rev_of(root, tracking)
            queued = _queued(root, own, tree_of(root, base) if base else {})
            return _failed(error, queued, notes)
        base = rev_of(root, tracking)
        remote = tree_of(root, base) if base else {}
        _check_own(root, own, remote)
        commit = _build(root, base, own)
        if commit is None:
            break
        try:
            refspec = f"{commit}:refs/heads/{branch}"
            run_git(root, "push", "-q", REMOTE, refspec, timeout=NETWORK_TIMEOUT)
        except GitError as error:
            low = error.stderr.lower()
            if ("rejected" in low or "fetch first" in low) and attempt < retries:
                time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
                continue  # another clone pushed first: build on theirs
            return _failed(error, _queued(root, own, remote), notes)
        run_git(root, "update-ref", tracking, commit)
        pushed = True
        break
    head = rev_of(root, tracking)
    queued = 0
    if head is not None:
        _settle_local(root, branch, head, own_end)
        queued = _queued(root, own, tree_of(root, head))  # lines written during the sync
    others = others_recent(root, own_end)
    return SyncResult(True, datetime.now(UTC), queued, "", others, pushed, tuple(notes))


# -- starting a shared incident -------------------------------------------------

MARK_TEXT = """\
pmtui team mode: the incidents in this repository sync through its remote.
Each clone's pmtui commits its own journal files (*.journal/*.jsonl) and pushes them.
Without this file, pmtui leaves the repository alone.
"""

IGNORED = """\
# pmtui team mode: only the journals (one file per writer) and each incident's
# first TOML travel; every clone keeps its own TOML checkpoint, rebuilt from them.
*.toml.lock
.*.tmp
*.theirs-*.toml
"""


def share(path: Path, remote: str) -> SyncResult:
    """Share the incident at `path` through `remote`: its folder becomes a git work
    tree (unless it is in one) whose `origin` is `remote`; the incident as it is now
    (its seed) and its journal so far are committed and pushed. For a new incident
    (`pmtui new --share`) and for one already under way (`pmtui sync --share`)."""
    folder = path.resolve().parent
    root = find_root(folder)
    if root is None:
        run_git(folder, "init", "-q")
        root = folder
    try:
        url = run_git(root, "remote", "get-url", REMOTE).decode().strip()
    except GitError as error:
        if not error.stderr:
            raise
        run_git(root, "remote", "add", REMOTE, remote)
    else:
        if url != remote:
            raise NotShared(f"{root} is already shared with {url}")
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text(IGNORED, encoding="utf-8")
    mark = root / SHARED_MARK
    if not mark.exists():
        mark.write_text(MARK_TEXT, encoding="utf-8")
    names = [str(path.resolve().relative_to(root)), ".gitignore", SHARED_MARK]
    journal = Path(folder_of(path))
    if journal.is_dir():
        names.append(str(journal.resolve().relative_to(root)))
    # what git does not track yet (sharing again, or a second incident in the folder)
    new = run_git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", *names)
    fresh = [name for name in new.decode().split("\0") if name]
    if fresh:
        run_git(root, "add", "--", *fresh)
    if fresh or rev_of(root, "HEAD") is None:
        message = f"pmtui: start sharing {path.name}\n".encode()
        run_git(root, "commit", "-q", "-F", "-", data=message, env=_identity_env(root))
    branch = _branch(root)
    result = sync(path)
    run_git(root, "symbolic-ref", f"refs/remotes/{REMOTE}/HEAD", f"refs/remotes/{REMOTE}/{branch}")
    return result
