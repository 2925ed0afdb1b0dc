"""kill -9 at random moments of the save path: nothing saved is ever lost."""

from tests.crash_harness import run


def test_two_hundred_kills_lose_nothing():
    report = run(kills=200)
    assert report.kills == 200
    assert report.saves_acknowledged > 200  # the kills landed among real saves
    assert (report.damaged, report.lost, report.stale_locks, report.leftovers) == (0, 0, 0, 0), (
        report.problems[:5]
    )
