"""Reusable widgets: timeline view, status panel, action list, entry bar."""

from widgets.action_list import ActionList
from widgets.entry_bar import EntryBar
from widgets.key_footer import KeyFooter
from widgets.pane import Pane
from widgets.save_indicator import SaveIndicator
from widgets.status_panel import StatusPanel
from widgets.timeline import TimelineView
from widgets.typing_history import FieldUndo

__all__ = [
    "ActionList",
    "EntryBar",
    "FieldUndo",
    "KeyFooter",
    "Pane",
    "SaveIndicator",
    "StatusPanel",
    "TimelineView",
]
