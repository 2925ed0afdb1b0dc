"""Reusable widgets: timeline view, status panel, action list, entry bar.

Re-exported lazily (PEP 562), as pmtui.screens does: the home screen uses
the footer and the row list, and importing the incident's widgets with them
would import pydantic (the model) before its first paint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmtui.widgets.action_list import ActionList
    from pmtui.widgets.entry_bar import EntryBar
    from pmtui.widgets.key_footer import KeyFooter
    from pmtui.widgets.pane import Pane
    from pmtui.widgets.save_indicator import SaveIndicator
    from pmtui.widgets.status_panel import StatusPanel
    from pmtui.widgets.sync_status import SyncStatus
    from pmtui.widgets.timeline import TimelineView
    from pmtui.widgets.typing_history import FieldUndo

_WHERE = {
    "ActionList": "pmtui.widgets.action_list",
    "EntryBar": "pmtui.widgets.entry_bar",
    "FieldUndo": "pmtui.widgets.typing_history",
    "KeyFooter": "pmtui.widgets.key_footer",
    "Pane": "pmtui.widgets.pane",
    "SaveIndicator": "pmtui.widgets.save_indicator",
    "StatusPanel": "pmtui.widgets.status_panel",
    "SyncStatus": "pmtui.widgets.sync_status",
    "TimelineView": "pmtui.widgets.timeline",
}
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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
