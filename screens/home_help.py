"""The home screen's help: its keys, from the same declarations as its bindings."""

from __future__ import annotations

from textual.containers import Vertical

from pmtui.screens.dialogs import HelpScreen


class HomeHelp(HelpScreen):
    def rows(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for title, rows in self.sections:
            out += [("", title), *rows]
        return out

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(Vertical).border_title = "pmtui help · esc closes"
