"""The Textual app (arrives with the TUI issue)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmtui.errors import UsageError


def run(path: Path | None, new_options: argparse.Namespace | None = None) -> int:
    raise UsageError("pmtui: the TUI is not built yet; `pmtui export PATH -o -` shows a postmortem")
