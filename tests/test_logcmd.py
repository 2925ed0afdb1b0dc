"""`pmtui log`: a script, a bot or a responder adds entries while the IC works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pmtui.core import journal
from pmtui.core.fold import load_whole
from pmtui.core.model import EntryKind, Incident
from pmtui.core.store import IncidentStore
from tests.conftest import ROOT

LAUNCH = "import sys; from pmtui.launch import main; sys.exit(main())"


def pmtui_log(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real entry point (pmtui.launch), as the installed `pmtui` runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOGNAME": "ana"}
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, "log", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture
def inc(tmp_path: Path) -> Path:
    path = tmp_path / "inc.toml"
    now = datetime.now(UTC).replace(microsecond=0)
    store = IncidentStore(path)
    store.create(
        Incident(title="DNS flaps", timezone="Europe/London", started_at=now - timedelta(hours=1))
    )
    store.close()
    return path


def texts(path: Path) -> list[str]:
    return [entry.text for entry in load_whole(path).timeline]


def test_one_entry_with_every_option(inc: Path) -> None:
    result = pmtui_log(
        str(inc),
        "rolled",
        "back",
        "4512",
        "--kind",
        "action",
        "--source",
        "deploy",
        "--author",
        "bot",
        "--at",
        "-5m",
    )
    assert result.returncode == 0, result.stderr
    (entry,) = load_whole(inc).timeline
    assert (entry.text, entry.kind, entry.author) == ("rolled back 4512", EntryKind.ACTION, "bot")
    assert entry.model_extra == {"source": "deploy"}
    ago = datetime.now(UTC) - entry.at
    assert timedelta(minutes=4) < ago < timedelta(minutes=6)


def test_the_author_defaults_to_the_login_name(inc: Path) -> None:
    assert pmtui_log(str(inc), "paged db").returncode == 0
    assert load_whole(inc).timeline[0].author == "ana"


def test_standard_input_is_one_entry_a_line(inc: Path) -> None:
    result = pmtui_log(str(inc), "-", stdin="first\n\nsecond\n  third  \n")
    assert result.returncode == 0, result.stderr
    assert texts(inc) == ["first", "second", "third"]


def test_a_bad_line_stops_there_keeps_the_lines_before_and_says_where(inc: Path) -> None:
    lines = [
        {"text": "ok one"},
        {"text": "ok two", "kind": "decision"},
        {"text": "x", "kind": "bogus"},
        {"text": "never"},
    ]
    result = pmtui_log(str(inc), "-", "--json", stdin="\n".join(map(json.dumps, lines)))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "line 3 of standard input" in result.stderr and "bogus" in result.stderr
    assert "2 lines before it are logged" in result.stderr
    assert texts(inc) == ["ok one", "ok two"]


def test_an_id_makes_a_retry_add_nothing(inc: Path) -> None:
    for _ in range(3):
        assert pmtui_log(str(inc), "alert fired", "--id", "alert-77").returncode == 0
    line = json.dumps({"text": "alert fired again", "id": "alert-77"})
    assert pmtui_log(str(inc), "-", "--json", stdin=line).returncode == 0
    assert texts(inc) == ["alert fired"]


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--at", "25:00", "x"], "Not a time"),
        (["--at", "2099-01-01T00:00:00+00:00", "x"], "in the future"),
        (["--kind", "status", "x"], "not one of"),
        ([], "no text to log"),
        (["--bogus", "x"], "unknown option"),
        (["-", "--id", "k"], "--id names one entry"),
    ],
)
def test_bad_arguments_are_one_line_exit_2_and_write_nothing(inc: Path, args, problem) -> None:
    result = pmtui_log(str(inc), *args)
    assert result.returncode == 2
    assert problem in result.stderr and result.stderr.count("\n") == 1
    assert not Path(journal.folder_of(inc)).exists()


def test_a_missing_incident_is_refused(tmp_path: Path) -> None:
    result = pmtui_log(str(tmp_path / "nope.toml"), "x")
    assert result.returncode == 2 and "no such incident file" in result.stderr


def test_it_imports_neither_textual_nor_pydantic(inc: Path) -> None:
    """Beyond what `python -c pass` loads here (an editable install's hook loads typing)."""
    heavy = "('textual', 'pydantic', 'rich', 'tomli', 'tomli_w', 'argparse', 'typing')"
    show = f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    run_log = "from pmtui.launch import main; sys.argv[1:] = ['log', sys.argv[1], 'x']; main()"
    code = f"import sys; {run_log}; {show}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(inc)], capture_output=True, text=True, env=env
        )
        for probe in (f"import sys; {show}", code)
    ]
    assert all(run.returncode == 0 for run in runs), runs[1].stderr
    floor, logged = (set(eval(run.stdout)) for run in runs)
    assert logged - floor == set()


def test_lines_from_a_pipe_that_stays_open_are_logged_as_they_come(inc: Path) -> None:
    """`tail -f app.log | pmtui log inc.toml -`: each line lands without waiting for the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "log", str(inc), "-"],
        stdin=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdin is not None
    try:
        process.stdin.write("disk full on db-3\n")
        process.stdin.flush()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and texts(inc) != ["disk full on db-3"]:
            time.sleep(0.05)
        assert texts(inc) == ["disk full on db-3"]
        assert process.poll() is None  # still reading
        process.stdin.write("disk freed\n")
    finally:
        process.stdin.close()
    assert process.wait(10) == 0
    assert texts(inc) == ["disk full on db-3", "disk freed"]


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_bytes_that_are_not_utf8_are_kept_and_said(inc: Path, locale: str) -> None:
    """A tool writing Latin-1 into the pipe: its lines are logged, never dropped or a
    traceback, and the caller is told which line had bad bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOGNAME": "ana", "LC_ALL": locale}
    env.pop("PYTHONUTF8", None)
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, "log", str(inc), "-"],
        input=b"first\ncaf\xe9 down\nthird\n",
        capture_output=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert texts(inc) == ["first", "caf\ufffd down", "third"]
    assert done.stderr.decode() == (
        "pmtui log: line 2 of standard input was not UTF-8; its bad bytes were logged as \ufffd\n"
    )
