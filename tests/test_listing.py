"""`pmtui ls`, `pmtui actions`, `pmtui report` as a user runs them: a real process over a
real folder, compared with golden outputs (PMTUI_UPDATE_GOLDEN=1 rewrites them)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NOW, ROOT
from tests.incident_folder import build

GOLDEN = Path(__file__).parent / "golden"
AT = ["--now", NOW.isoformat()]  # a fixed "today" for what is overdue


def pmtui(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pmtui", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the commands run in; the incidents are in its `incidents/`."""
    here = tmp_path_factory.mktemp("team")
    build(here / "incidents")
    return here


def _check(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("PMTUI_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


CASES = {
    "ls": ["ls", "incidents"],
    "actions": ["actions", "incidents"],
    "report": ["report", "incidents", "--by", "severity"],
}


@pytest.mark.parametrize("command", list(CASES))
def test_golden_text(team, command):
    result = pmtui(*CASES[command], *AT, cwd=team)
    # the broken files are listed on stderr, the exit code says some could not be read
    _check(f"across-{command}.txt", result.stdout + "--- stderr\n" + result.stderr)
    assert result.returncode == 2


@pytest.mark.parametrize("command", list(CASES))
def test_golden_json(team, command):
    result = pmtui(*CASES[command], "--json", *AT, cwd=team)
    assert result.returncode == 2 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert [p["path"] for p in data["unreadable"]] == [
        "incidents/bad-zone.toml",
        "incidents/broken-cut.toml",
        "incidents/dup-ids.toml",
        "incidents/latin1.toml",
    ]
    assert data["skipped"] == ["incidents/pyproject.toml"]
    _check(f"across-{command}.json", result.stdout)


def test_filters_and_groupings(team):
    mine = pmtui("actions", "incidents", "--owner", "@ANA", "--overdue", "--json", *AT, cwd=team)
    texts = [a["text"] for a in json.loads(mine.stdout)["actions"]]
    assert texts == ["Add a canary for the payment path", "Add an index on orders.created"]
    opened = pmtui("actions", "incidents", "--open", *AT, cwd=team).stdout
    assert "OVERDUE" in opened and not any(
        line.startswith("  done") for line in opened.splitlines()
    )
    months = pmtui("report", "incidents", "--since", "2026-10-01", "--by", "month", cwd=team)
    lines = months.stdout.splitlines()
    assert lines[0].startswith("incidents started since 2026-10-01, by month")
    assert [line.split()[0] for line in lines[3:]] == ["2026-10", "2026-11", "all"]


def test_a_folder_that_reads_cleanly_exits_0(team):
    result = pmtui("ls", "incidents/2025", *AT, cwd=team)
    assert result.returncode == 0 and result.stderr == ""
    assert "Deploys stuck" in result.stdout
    assert "1 incident (0 not resolved)" in result.stdout
    empty = team / "empty"
    empty.mkdir(exist_ok=True)
    result = pmtui("ls", "empty", cwd=team)
    assert (result.returncode, result.stdout) == (0, "no incidents in empty\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ls", "nowhere"], "pmtui ls: no such folder: nowhere"),
        (["report", "--by", "week"], "pmtui report: argument --by: invalid choice: 'week'"),
        (["report", "--since", "last-week"], "pmtui report: argument --since: invalid"),
        (["actions", "--owner"], "pmtui actions: argument --owner: expected one argument"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(team, args, message):
    result = pmtui(*args, cwd=team)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_help_names_the_three_commands(team):
    assert all(f"pmtui {c} [DIR]" in pmtui("--help", cwd=team).stdout for c in CASES)
    result = pmtui("actions", "--help", cwd=team)
    assert result.returncode == 0 and "--overdue" in result.stdout and "--now" not in result.stdout


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    one = tmp_path / "one.toml"
    shutil.copy(ROOT / "tests" / "data" / "rappi-orders-api.toml", one)
    for n in range(800):  # more than a pipe holds
        shutil.copy(one, tmp_path / f"copy-{n:03}.toml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        f"{sys.executable} -m pmtui ls . | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.stdout.startswith("STARTED")
    assert result.stderr == ""


def test_control_characters_never_reach_the_terminal_raw(tmp_path):
    from pmtui.core import store
    from pmtui.core.model import Incident

    incident = Incident(title="Pager \x1b[2Jstorm\x07", timezone="UTC", started_at=NOW)
    incident.add_action("Fix \x1b]0;owned\x07 it", owner="ana\x1b[31m")
    store.write_atomic(tmp_path / "esc\x1b[1m.toml", store.dumps(incident).encode())
    (tmp_path / "broken\x1b[5m.toml").write_text("schema = [")
    for command in ("ls", "actions"):
        result = pmtui(command, ".", *AT, cwd=tmp_path)
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
        assert "\\x1b" in result.stdout and "\\x1b" in result.stderr
    assert "Pager \\x1b[2Jstorm\\x07" in pmtui("ls", ".", *AT, cwd=tmp_path).stdout
    data = json.loads(pmtui("ls", ".", "--json", *AT, cwd=tmp_path).stdout)
    assert data["incidents"][0]["title"] == "Pager \x1b[2Jstorm\x07"  # JSON keeps it, escaped
