"""The shipped samples are the user's to play with; the tests keep their own copies.

The README invites a new user to open `sample_incidents/rappi-orders-api.toml`
and log a line. Tests that read those files then compared the user's incident
with the seed's golden postmortem and failed (14 of them). The tests now read
`tests/data/`; the shipped samples only have to open and export.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmtui.core import store
from pmtui.core.export import export_markdown
from tests.conftest import ROOT, SAMPLES, SHIPPED

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", ["rappi-orders-api.toml", "payme-500-errors.toml"])
def test_the_shipped_samples_open_and_export(name: str) -> None:
    incident = store.load(SHIPPED / name)
    assert export_markdown(incident).startswith("# Postmortem: ")
    assert (SAMPLES / name).is_file()  # the tests' own copy exists beside it


def test_no_test_reads_the_shipped_samples() -> None:
    """Only this file may name sample_incidents/; every other test reads tests/data/."""
    assert SAMPLES != SHIPPED and SAMPLES.is_relative_to(TESTS)
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in ("test_samples.py", "conftest.py")
        and re.search(r"sample_incidents|SHIPPED", path.read_text())
    ]
    assert readers == []


@pytest.mark.parametrize(
    ("name", "ending"),
    [
        ("rappi-orders-api.toml", "and will refund all of those purchases."),
        ("payme-500-errors.toml", "Sincerely,\n\nPayMe Development Team"),
    ],
)
def test_the_shipped_samples_end_as_the_seeds_do(name: str, ending: str) -> None:
    """A user trying pmtui on a sample sees the closing statement the seed ends with."""
    text = export_markdown(store.load(SHIPPED / name))
    assert text.rstrip().endswith(ending)
    assert "- **Noticed by:** An alert" in text
