"""Reusable widgets: timeline view, status panel, action list, entry bar."""

from pmtui.widgets.action_list import ActionList
from pmtui.widgets.entry_bar import EntryBar
from pmtui.widgets.key_footer import KeyFooter
from pmtui.widgets.pane import Pane
from pmtui.widgets.save_indicator import SaveIndicator
from pmtui.widgets.status_panel import StatusPanel
from pmtui.widgets.sync_status import SyncStatus
from pmtui.widgets.timeline import TimelineView
from pmtui.widgets.typing_history import FieldUndo

__all__ = [
    "ActionList",
    "EntryBar",
    "FieldUndo",
    "KeyFooter",
    "Pane",
    "SaveIndicator",
    "StatusPanel",
    "SyncStatus",
    "TimelineView",
]
