"""Helpers for driving the real app with Pilot: a settable clock, saved state."""

from __future__ import annotations

import html
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from pmtui.app import PmtuiApp
from pmtui.core import store
from pmtui.core.model import Incident
from pmtui.core.new import new_incident
from tests.conftest import NOW

SIZE = (120, 36)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> None:
        self.now += timedelta(**span)


def open_app(path: Path, clock: Clock | None = None, sample: Path | None = None) -> PmtuiApp:
    """An app on `path`: a copy of `sample`, or a fresh incident started at NOW."""
    clock = clock or Clock()
    if sample is not None:
        shutil.copy(sample, path)
    if not path.exists():
        incident = Incident(
            title="Checkout returns 500",
            timezone="GMT",
            severity="SEV2",
            started_at=NOW,
            detected_at=NOW,
        )
        created = store.IncidentStore(path)
        created.create(incident)
        created.close()
    holder = store.IncidentStore(path)
    incident = holder.open()
    return PmtuiApp(
        path,
        incident,
        holder,
        clock=clock,
        new_incident=lambda title: new_incident(title, timezone="GMT", now=clock()),
    )


def steady(app: PmtuiApp) -> None:
    """No blinking cursors, no toasts: what a snapshot needs to be repeatable."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    app.clear_notifications()


async def saved(app: PmtuiApp, pilot: Pilot[Any]) -> Incident:
    """Wait for the saver, then read the incident back from disk."""
    await pilot.pause()
    assert app.control.saver is not None and app.control.saver.flush(5)
    assert app.path is not None
    return store.load(app.path)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type into the focused input: the first key for real, the rest inserted.

    Pilot spends about 60 ms on each key press even in a bare app, so the
    rest of the text goes in through the input's own insert method.
    """
    if not text:
        return
    await pilot.press(text[0])
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.insert_text_at_cursor(text[1:])
    await pilot.pause()


def screen_rows(app: App[Any]) -> list[str]:
    """The screen as painted (from the widgets' rendered lines), one string per row."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        x, y, text = float(match[1]), float(match[2]), html.unescape(match[3])
        rows.setdefault(y, []).append((x, text.replace("\xa0", " ")))
    return ["".join(text for _x, text in sorted(parts)) for _y, parts in sorted(rows.items())]
