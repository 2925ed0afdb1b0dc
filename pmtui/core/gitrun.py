"""Running the real `git` for team mode: timeouts, no prompts, one-line errors,
and recovering from a git that was killed.

Every call runs `git -C ROOT ...` with a timeout (the process group is killed
when it passes), `GIT_TERMINAL_PROMPT=0`, and no terminal for it or its ssh:
a remote that asks for a password fails at once with one line. Locks that a
killed git left (`.git/index.lock`, ref locks) are removed only when no git
process works in the folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

NETWORK_TIMEOUT = 30.0  # seconds for a fetch or a push
LOCAL_TIMEOUT = 15.0  # seconds for anything else

_LOCKS = ("index.lock", "HEAD.lock", "packed-refs.lock", "config.lock", "shallow.lock")
_UNREACHABLE = (
    "could not read from remote",
    "does not appear to be a git repository",
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "network is unreachable",
    "no route to host",
    "unable to access",
    "timed out",
    "repository not found",
)


class GitError(Exception):
    """A git call failed; str() is one line for the user."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


# -- running git ---------------------------------------------------------------


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never ask for a user name or password
    env["GCM_INTERACTIVE"] = "never"
    # ssh runs without a terminal (a session of its own) so it cannot ask either;
    # the user's own ssh command (core.sshCommand, GIT_SSH_COMMAND) is kept
    env["SSH_ASKPASS_REQUIRE"] = "never"
    env["LC_ALL"] = "C"  # messages we can read
    env.pop("GIT_INDEX_FILE", None)
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def run_git(
    root: Path,
    *args: str,
    timeout: float = LOCAL_TIMEOUT,
    data: bytes | None = None,
    env: dict[str, str] | None = None,
) -> bytes:
    """`git -C root args...`; its stdout. GitError (one line) when it fails or hangs."""
    try:
        process = subprocess.Popen(
            ["git", "-C", str(root), *args],
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or git_env(),
            start_new_session=True,  # no terminal to prompt on; killable as a group
        )
    except FileNotFoundError:
        raise GitError("git is not installed (team mode runs the git command)") from None
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise GitError(f"git {args[0]} took longer than {timeout:g} s") from None
    except BaseException:
        _kill_group(process)
        raise
    if process.returncode != 0:
        text = err.decode("utf-8", "replace")
        raise GitError(f"git {args[0]}: {_one_line(text)}", text)
    return out


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _one_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.lower().startswith(("fatal:", "error:", "remote:"))]
    pick = (fatal or lines or ["failed"])[0]
    for prefix in ("fatal: ", "error: "):
        pick = pick.removeprefix(prefix)
    return pick[:200]


def why_offline(error: GitError) -> tuple[bool, str]:
    """(out of reach?, one line): the link or the remote's door, or something else
    (a hook that refused the push, a broken remote repository)."""
    low = error.stderr.lower()
    if "terminal prompts disabled" in low or "could not read username" in low:
        return True, "the remote asks for a password: use a key or a credential helper"
    if "authentication failed" in low or "permission denied" in low:
        return True, f"the remote refused us (authentication): {error}"
    if any(sign in low for sign in _UNREACHABLE) or "took longer than" in str(error):
        return True, f"remote unreachable: {error}"
    return False, str(error)


# -- the folder ----------------------------------------------------------------


def find_root(path: Path) -> Path | None:
    """The git work tree holding `path` (a file or a folder), None when there is none."""
    here = path if path.is_dir() else path.parent
    here = here.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def git_dir(root: Path) -> Path:
    dot = root / ".git"
    if dot.is_file():  # a linked work tree: "gitdir: /path"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        target = Path(text.removeprefix("gitdir:").strip())
        return target if target.is_absolute() else (root / target).resolve()
    return dot


# -- recovering from a sync or a git that was killed ----------------------------


def git_running(root: Path) -> bool:
    """True when a git process works in this folder (Linux: /proc; elsewhere: assume not)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    mine = str(root)
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "git":
                continue
            cwd = os.readlink(entry / "cwd")
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cwd == mine or cwd.startswith(mine + os.sep) or mine.encode() in args:
            return True
    return False


def recover(root: Path) -> list[str]:
    """Remove what a killed git left behind, only when no git runs here; what was done."""
    gdir = git_dir(root)
    stale = [gdir / name for name in _LOCKS if (gdir / name).exists()]
    refs = gdir / "refs"
    if refs.is_dir():
        stale += list(refs.rglob("*.lock"))
    rebase = [gdir / d for d in ("rebase-merge", "rebase-apply") if (gdir / d).exists()]
    if not stale and not rebase:
        return []
    if git_running(root):
        return []
    notes = []
    for lock in stale:
        try:
            lock.unlink()
            notes.append(f"removed a stale {lock.relative_to(gdir)}")
        except OSError:
            pass
    if rebase:  # pmtui never rebases; a rebase left half-done by hand blocks nothing we do
        try:
            run_git(root, "rebase", "--abort")
            notes.append("aborted a rebase left in progress")
        except GitError as error:
            notes.append(f"a rebase is in progress ({error})")
    return notes


# -- reading commits -----------------------------------------------------------


_TREES: dict[tuple[Path, str], dict[str, tuple[str, str, int]]] = {}


def tree_of(root: Path, rev: str) -> dict[str, tuple[str, str, int]]:
    """path -> (mode, object id, size) of every file in commit `rev` (an id: a commit
    never changes, so the answer is kept)."""
    key = (root, rev)
    if key not in _TREES:
        if len(_TREES) > 32:
            _TREES.clear()
        _TREES[key] = _ls_tree(root, rev)
    return _TREES[key]


def _ls_tree(root: Path, rev: str) -> dict[str, tuple[str, str, int]]:
    out = run_git(root, "ls-tree", "-r", "-l", "-z", "--full-tree", rev)
    found = {}
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _tab, name = item.partition(b"\t")
        mode, _kind, oid, size = meta.split()
        found[name.decode()] = (mode.decode(), oid.decode(), int(size) if size != b"-" else 0)
    return found


def rev_of(root: Path, ref: str) -> str | None:
    try:
        return run_git(root, "rev-parse", "-q", "--verify", ref + "^{commit}").decode().strip()
    except GitError:
        return None


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    try:
        run_git(root, "merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False
    return True
