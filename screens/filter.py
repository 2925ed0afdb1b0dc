"""The timeline filter (ctrl+f): text, kind and author; and the export's noise.

Enter (or ctrl+s) applies the filter; an empty one shows every entry. The
box below it leaves status changes and markers out of the exported
postmortem (saved in the file's [export] table, undone with ctrl+z).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Label, Static

from pmtui.core.filtering import NOISE, FilterError, parse_filter
from pmtui.core.session import Change, Session
from pmtui.screens.forms import Form, form_css
from pmtui.widgets import TimelineView
from pmtui.widgets.paste import LineInput

HINT = (
    "words to find · kind:decision (kind:comms,status) · -kind:status · @ana (author) · "
    "-markers · -noise (no status, no markers)"
)


class FilterScreen(Form[tuple[str, bool]]):
    FOCUS = "#filter"
    DEFAULT_CSS = form_css("FilterScreen") + "FilterScreen .hint { color: $text-muted; }"

    def __init__(self, current: str, hide_noise: bool) -> None:
        super().__init__()
        self.current, self.hide_noise = current, hide_noise

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Filter the timeline · enter applies · esc cancels"
            yield Label("Show entries matching (empty: every entry)", classes="field")
            yield LineInput(self.current, id="filter")
            yield Label(HINT, classes="hint")
            yield Checkbox(
                "Leave status changes and markers out of the exported postmortem",
                self.hide_noise,
                id="noise",
            )
            yield Static(id="error", classes="error")

    def values(self) -> tuple[str, bool] | None:
        text = self.query_one("#filter", LineInput).value
        try:
            parse_filter(text)
        except FilterError as error:
            self.show_error(str(error))
            return None
        return text, self.query_one("#noise", Checkbox).value


def open_filter(
    app: App[Any],
    timeline: TimelineView,
    session: Session,
    apply: Callable[[Callable[[], Change]], Change | None],
) -> None:
    hide_noise = bool(session.incident.export.hide)

    def chosen(result: tuple[str, bool] | None) -> None:
        if result is None:
            return
        text, noise = result
        timeline.set_filter(parse_filter(text))
        if noise != hide_noise:
            apply(lambda: session.hide_in_export(list(NOISE) if noise else []))
        timeline.focus()

    app.push_screen(FilterScreen(timeline.filter.text, hide_noise), chosen)
