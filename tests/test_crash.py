"""kill -9 at random moments of the save path: nothing saved is ever lost."""

import pytest

from pmtui.core import store
from tests.crash_harness import run, tui


def test_two_hundred_kills_lose_nothing():
    report = run(kills=200)
    assert report.kills == 200
    assert report.saves_acknowledged > 200  # the kills landed among real saves
    assert (report.damaged, report.lost, report.stale_locks, report.leftovers) == (0, 0, 0, 0), (
        report.problems[:5]
    )


def test_a_crash_mid_typing_keeps_the_bar_and_does_not_say_all_is_well(tmp_path):
    path = tmp_path / "inc.toml"
    result = tui(path, "half typed when it broke", "crash")
    assert result.returncode == 1, result.stderr
    assert store.load(path).timeline[-1].text == "half typed when it broke"
    last = result.stdout.strip().splitlines()[-1]  # after the traceback on stderr
    assert "unexpected error" in last and "RuntimeError: a widget broke" in last
    assert f"everything typed is saved in {path}" in last


def test_a_crash_with_a_refusing_disk_rescues_the_bar(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = tmp_path / "work" / "inc.toml"
    path.parent.mkdir()
    result = tui(path, "typed as the folder vanished", "crash+gone", home)
    assert result.returncode == 1, result.stderr
    (rescued,) = home.glob("inc.rescued-*.toml")
    assert store.load(rescued).timeline[-1].text == "typed as the folder vanished"
    assert f"the incident was written to {rescued}" in result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("signal", ["SIGINT", "SIGTERM"])
def test_a_signal_logs_the_bar_saves_and_writes_the_postmortem(tmp_path, signal):
    path = tmp_path / "inc.toml"
    result = tui(path, f"typed before {signal}", signal)
    assert result.returncode == 0, result.stderr
    assert store.load(path).timeline[-1].text == f"typed before {signal}"
    assert f"typed before {signal}" in path.with_suffix(".md").read_text()
    assert (
        result.stdout.strip().splitlines()[-1] == f"Postmortem written to {path.with_suffix('.md')}"
    )


def test_a_signal_with_a_refusing_disk_rescues_and_exits_1(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = tmp_path / "work" / "inc.toml"
    path.parent.mkdir()
    result = tui(path, "typed as the folder vanished", "SIGTERM+gone", home)
    assert result.returncode == 1, result.stderr
    (rescued,) = home.glob("inc.rescued-*.toml")
    assert store.load(rescued).timeline[-1].text == "typed as the folder vanished"
    assert "could not be saved; the incident was written to" in result.stdout


def test_a_signal_when_nothing_can_be_written_says_so(tmp_path):
    path = tmp_path / "work" / "inc.toml"
    path.parent.mkdir()
    result = tui(path, "nowhere to go", "SIGTERM+gone+nowhere", tmp_path / "home")
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "LOST" in out.strip().splitlines()[-1]
    assert "Incident saved" not in out and "Postmortem written" not in out
