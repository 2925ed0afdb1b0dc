"""Across incidents, the core: scanning a folder, the actions, the numbers.

Real files in temporary folders; the real reader is the judge of what a file holds.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.core import catalog, model, quickread, store
from pmtui.core.catalog import actions_by_owner, scan
from pmtui.core.errors import LoadError
from pmtui.core.report import median, nearest_rank, report
from tests.conftest import NOW, PAYME, RAPPI
from tests.incident_folder import build
from tests.test_bad_input import HOW, _mutate

BROKEN = {"bad-zone.toml", "broken-cut.toml", "dup-ids.toml", "latin1.toml"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return build(tmp_path / "incidents")


def test_every_incident_is_listed_newest_first_and_nothing_is_skipped_silently(folder):
    found = scan(folder, now=NOW)
    names = [Path(s.name).name for s in found.incidents]
    assert names == [
        "rappi-orders-api.toml",
        "2026-11-22-0400-search-is-slow.toml",
        "2026-11-20-0900-checkout-returns-500.toml",
        "2026-10-03-1000-dns-flaps.toml",
        "status-page.toml",  # hand-edited: read by the real reader
        "2025-06-01-0800-deploys-stuck.toml",  # in a subfolder
    ]
    assert {Path(p.name).name for p in found.problems} == BROKEN
    assert [Path(name).name for name in found.skipped] == ["pyproject.toml"]
    # the hidden folder (.git) is not looked into
    assert not any(".git" in name for name in [*names, *found.skipped])


def test_each_broken_file_has_the_readers_own_one_line_error(folder):
    for problem in scan(folder, now=NOW).problems:
        with pytest.raises(LoadError) as raised:
            store.load(problem.path)
        assert problem.error == str(raised.value)
        assert "\n" not in problem.error and problem.error.startswith(str(problem.path))


def test_an_unreadable_file_is_listed_and_the_rest_still_are(folder):
    gone = folder / "moved-away.toml"
    gone.symlink_to(folder / "nowhere.toml")  # a dangling link: works as root too
    emptied = folder / "emptied.toml"  # a disk that failed mid-copy: broken, not "not ours"
    emptied.write_bytes(b"")
    found = scan(folder, now=NOW)
    assert [p.error for p in found.problems if p.path == gone] == [f"{gone}: no such file"]
    assert [p.error for p in found.problems if p.path == emptied] == [
        f"{emptied}: no [incident] table"
    ]
    assert len(found.incidents) == 6


def _summary_of(incident: model.Incident) -> tuple[object, ...]:
    zone = incident.zone
    stamps = (incident.started_at, incident.detected_at, incident.mitigated_at)
    return (
        incident.title,
        incident.severity,
        incident.status.value,
        incident.timezone,
        incident.commander,
        *(None if s is None else s.astimezone(zone) for s in (*stamps, incident.resolved_at)),
        len(incident.timeline),
        [(a.id, a.text, a.kind.value, a.owner, a.due, a.status.value) for a in incident.actions],
    )


def _catalogued(summary: catalog.Summary) -> tuple[object, ...]:
    return (
        summary.title,
        summary.severity,
        summary.status,
        summary.timezone,
        summary.commander,
        summary.started_at,
        summary.detected_at,
        summary.mitigated_at,
        summary.resolved_at,
        summary.entries,
        [(a.id, a.text, a.kind, a.owner, a.due, a.status) for a in summary.actions],
    )


def test_each_summary_says_what_the_reader_reads(folder):
    for summary in scan(folder, now=NOW).incidents:
        expected = _summary_of(store.load(summary.path))
        if summary.name.endswith("dns-flaps.toml"):  # two journal lines not folded yet
            expected = (*expected[:9], expected[9] + 2, expected[10])
        assert _catalogued(summary) == expected
        # and the times are shown in the incident's own timezone
        assert summary.started_at.tzinfo is not None
        assert (
            summary.started_at.utcoffset()
            == summary.started_at.astimezone(model.ZoneInfo(summary.timezone)).utcoffset()
        )


PMTUI_WRITTEN = [store.dumps(store.load(path)).encode() for path in (RAPPI, PAYME)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sample=st.sampled_from(PMTUI_WRITTEN),
    steps=st.lists(
        st.tuples(HOW, st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=3
    ),
)
def test_a_mangled_file_is_listed_exactly_when_pmtui_can_open_it(tmp_path, sample, steps):
    """The fast path never accepts what the reader refuses, nor reads it differently."""
    data = sample
    for how, where, value in steps:
        data = _mutate(data, how, where, value)
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    found = scan(tmp_path, now=NOW)
    try:
        incident = store.load(path)
    except LoadError as error:
        assert [p.error for p in found.problems] == [str(error)] or found.skipped == [
            path.as_posix()
        ]
        return
    assert not found.problems and not found.skipped
    assert [_catalogued(s) for s in found.incidents] == [_summary_of(incident)]


def test_overdue_is_before_today_in_the_incidents_own_timezone(folder):
    actions = {a.text: a for a in scan(folder, now=NOW).actions()}
    # due the 21st: at 20:30 UTC on the 21st it is already the 22nd in Tokyo
    assert actions["Add an index on orders.created"].overdue
    assert actions["Add a canary for the payment path"].overdue
    assert not actions["Alert on 5xx per region"].overdue  # due in December
    assert not actions["Cap the connection pool"].overdue  # past due but done
    assert not actions["Write the resolver runbook"].overdue  # no due date


def test_actions_are_grouped_by_owner_overdue_first(folder):
    groups = actions_by_owner(scan(folder, now=NOW))
    assert [owner for owner, _items in groups] == [
        "ana", "comms", "db-team", "release", "(no owner)"
    ]  # fmt: skip
    ana = [a.text for a in groups[0][1]]
    assert ana == [
        "Add a canary for the payment path",  # overdue since the 15th
        "Add an index on orders.created",  # overdue since the 21st
        "Alert on 5xx per region",  # owned by "@Ana": the same person
    ]
    db_team = [(a.status, a.text) for a in groups[2][1]]
    assert db_team[0] == ("open", "Write the resolver runbook")  # open before done


def test_action_filters(folder):
    found = scan(folder, now=NOW)
    overdue = [a.text for _o, items in actions_by_owner(found, overdue=True) for a in items]
    assert len(overdue) == 4 and all(a.overdue for a in found.actions() if a.text in overdue)
    mine = actions_by_owner(found, owner="@ANA", open_only=True)
    assert [(owner, len(items)) for owner, items in mine] == [("ana", 3)]
    assert actions_by_owner(found, owner="nobody") == []


def test_report_counts_times_and_completion(folder):
    numbers = report(scan(folder, now=NOW), by="severity")
    assert [g.name for g in numbers.groups] == ["SEV1", "SEV2", "SEV3", "none"]
    sev1 = numbers.groups[0]
    assert (sev1.incidents, sev1.resolved) == (2, 2)
    assert sev1.detect.median == (420 + 300) / 2 and sev1.detect.count == 2
    assert (sev1.actions, sev1.actions_done, sev1.actions_overdue) == (8, 2, 1)
    assert numbers.total.incidents == 6 and numbers.total.mitigate.count == 5
    since = report(scan(folder, now=NOW), since=NOW.date().replace(month=11, day=1), by="month")
    assert [(g.name, g.incidents) for g in since.groups] == [("2026-11", 3)]


def test_percentiles():
    assert median([]) is None and nearest_rank([], 0.9) is None
    assert median([3, 1, 2]) == 2 and median([4, 1, 2, 3]) == 2.5
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank(list(range(1, 12)), 0.9) == 10
    assert nearest_rank([7], 0.9) == 7


def test_schema_version_agrees_with_the_model():
    assert catalog.SCHEMA == model.SCHEMA
    assert catalog.SEVERITIES == model.SEVERITIES
    assert tuple(status.value for status in model.Status) == catalog.STATUSES


def test_listing_a_folder_imports_neither_textual_nor_pydantic(folder):
    probe = (
        "import sys, io, contextlib\nfrom pmtui.launch import main\n"
        f"sys.argv = ['pmtui', 'ls', {str(folder / '2025')!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    assert main() == 0\n"
        "print(' '.join(sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "pmtui.core.catalog" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"textual", "rich", "pydantic"}}


def test_the_fast_paths_dates_are_exactly_the_real_dates():
    """Its regular expression takes a date exactly when Python (and tomli) do."""
    import re
    from datetime import date

    pattern = re.compile(quickread._DATE + r"\Z")
    for year in (1900, 2000, 2023, 2024, 2025, 2026, 2028, 2100, 2400):
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04}-{month:02}-{day:02}"
                try:
                    real = date.fromisoformat(text) is not None
                except ValueError:
                    real = False
                assert bool(pattern.match(text)) == real, text


def test_a_folder_that_cannot_be_listed_is_reported_not_passed_over(folder, monkeypatch):
    import errno
    import os

    real = os.scandir
    refused = folder / "2025"

    def scandir(path="."):  # the kernel refusing one folder (as root, chmod does not)
        if os.fspath(path) == os.fspath(refused):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = scan(folder, now=NOW)
    assert f"{refused}: cannot list the folder: Permission denied" in [
        p.error for p in found.problems
    ]
    assert len(found.incidents) == 5  # the others are still listed


def test_conflict_copies_are_listed_with_their_incident_not_as_incidents(folder):
    found = scan(folder, now=NOW)
    checkout = next(s for s in found.incidents if s.title == "Checkout returns 500")
    assert [Path(name).name for name in checkout.copies] == [
        "2026-11-20-0900-checkout-returns-500.theirs-091500.toml"
    ]
    assert [(Path(c.name).name, c.label) for c in found.copies] == [
        ("2026-11-20-0900-checkout-returns-500.theirs-091500.toml", "theirs"),
        ("status-page.mine-120000.toml", "mine"),
    ]
    assert not any(".theirs-" in s.name or ".mine-" in s.name for s in found.incidents)
    # its action items are not counted twice
    assert sum(a.text == "Add a canary for the payment path" for a in found.actions()) == 1


def test_a_copy_whose_incident_is_gone_is_an_incident_of_its_own(tmp_path):
    (tmp_path / "orders.rescued-194207.toml").write_bytes(RAPPI.read_bytes())
    found = scan(tmp_path, now=NOW)
    assert [Path(s.name).name for s in found.incidents] == ["orders.rescued-194207.toml"]
    assert found.copies == []
