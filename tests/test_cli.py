"""The `pmtui` command as a user runs it: a real process, real files."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui.core import store
from tests.conftest import RAPPI, ROOT


def pmtui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pmtui", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_help_lists_every_command_with_examples():
    result = pmtui("--help")
    assert result.returncode == 0
    for text in ("pmtui new", "pmtui export", "pmtui [PATH]", "examples:", "-o -"):
        assert text in result.stdout


def test_export_prints_markdown():
    result = pmtui("export", str(RAPPI), "-o", "-")
    assert result.returncode == 0
    assert result.stdout.startswith("# Postmortem: Rappi Orders API purchase mismatch")


def test_export_writes_md_beside_the_file(tmp_path):
    target = tmp_path / "inc.toml"
    shutil.copy(RAPPI, target)
    result = pmtui("export", str(target))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "inc.md"
    assert result.stdout.strip() == str(out)
    assert out.read_text().startswith("# Postmortem:")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_works_while_the_incident_is_open(rappi_copy):
    holder = store.IncidentStore(rappi_copy)
    holder.open()
    try:
        assert pmtui("export", str(rappi_copy), "-o", "-").returncode == 0
    finally:
        holder.close()


def test_new_creates_a_detected_incident(tmp_path):
    result = pmtui(
        "new",
        "Checkout is down!",
        "--severity",
        "sev2",
        "--timezone",
        "Africa/Nairobi",
        "--commander",
        "Ana",
        "--no-open",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    path = tmp_path / result.stdout.strip()
    assert path.name.endswith("-checkout-is-down.toml")
    incident = store.load(path)
    assert incident.title == "Checkout is down!"
    assert incident.severity == "SEV2" and incident.commander == "Ana"
    assert incident.status.value == "detected"
    assert incident.detected_at == incident.started_at
    assert str(incident.started_at.utcoffset()) == "3:00:00"


def test_new_with_a_file_refuses_to_overwrite(rappi_copy):
    before = rappi_copy.read_bytes()
    result = pmtui("new", "x", "--file", str(rappi_copy), "--no-open")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert rappi_copy.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export"], "the following arguments are required: path"),
        (["export", "missing.toml"], "missing.toml: no such file"),
        (["new", "x", "--severity", "SEV9", "--no-open"], "severity: must be one of"),
        (["new", "x", "--timezone", "Moon/Base", "--no-open"], "unknown timezone"),
        (["new", "--no-open"], "a TITLE is needed"),
        (["export", "a.toml", "--bogus"], "unrecognized arguments"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(tmp_path, args, message):
    result = pmtui(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_file_exits_2_and_is_untouched(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("schema = 1\n[incident\n")
    result = pmtui("export", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"pmtui: {path}:2:")
    assert path.read_text() == "schema = 1\n[incident\n"


def test_export_into_a_fifo_streams_and_keeps_it_a_fifo(tmp_path):
    """`-o /dev/null` once replaced /dev/null with a file; a FIFO stands in for it here."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = pmtui("export", str(RAPPI), "-o", str(fifo))
    reader.join(10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b"# Postmortem:")
    assert list(tmp_path.glob(".*.tmp")) == []


def test_saving_over_a_device_or_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(store.SaveError, match="not a regular file"):
        store.write_atomic(fifo, b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(
    "tz, warned",
    [("UTC+3", True), ("Mars/Olympus", True), ("Europe/London", False), (":Asia/Tokyo", False)],
)
def test_a_tz_pmtui_cannot_read_is_said_not_silently_replaced(tmp_path, tz, warned):
    """glibc reads TZ=UTC+3 as three hours *behind* UTC; pmtui used UTC without a word."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": tz}
    result = subprocess.run(
        [sys.executable, "-m", "pmtui", "new", "x", "--file", "x.toml", "--no-open"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0 and (tmp_path / "x.toml").exists()
    assert ("is not a zone name pmtui knows" in result.stderr) is warned, result.stderr
    assert result.stderr.count("\n") == (1 if warned else 0)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize(
    "command", [["export", "{p}", "-o", "-"], ["{p}"], ["log", "{p}", "x"], ["ls", "{d}"]]
)
def test_a_fifo_or_device_named_toml_is_refused_in_one_line_never_read(tmp_path, kind, command):
    """A FIFO blocked every command for ever; a link to /dev/zero ate memory."""
    folder = tmp_path / "incidents"
    folder.mkdir()
    shutil.copy(RAPPI, folder / "good.toml")
    bad = folder / "bad.toml"
    if kind == "fifo":
        os.mkfifo(bad)
    else:
        bad.symlink_to("/dev/zero")
    args = [a.replace("{p}", str(bad)).replace("{d}", str(folder)) for a in command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pmtui", *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert ": is a FIFO, device or socket, not an incident file" in result.stderr
    if command[0] == "ls":
        assert "Rappi Orders API" in result.stdout  # the rest is still listed
    else:
        assert result.stderr.count("\n") == 1
