"""Shared fixtures: sample incidents, fixed clock, temporary folders."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmtui.core.model import Incident

ROOT = Path(__file__).resolve().parent.parent
# the tests' own copies of the two seed incidents: a user who tries pmtui on
# sample_incidents/ (as the README says) changes those, and no test may care
SAMPLES = ROOT / "tests" / "data"
SHIPPED = ROOT / "sample_incidents"
RAPPI = SAMPLES / "rappi-orders-api.toml"
PAYME = SAMPLES / "payme-500-errors.toml"
# A fixed "now" for every test that needs one: 2026-11-21 20:30 UTC.
NOW = datetime(2026, 11, 21, 20, 30, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def rappi_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rappi.toml"
    shutil.copy(RAPPI, target)
    return target


@pytest.fixture
def incident() -> Incident:
    return Incident(title="Checkout down", timezone="GMT", started_at=NOW, detected_at=NOW)
