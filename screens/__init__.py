"""Screens and modal dialogs: main, help, summary editor, editors, confirm.

Re-exported lazily (PEP 562): the dialogs pull in TextArea, Select and the
Markdown viewer, which first paint does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmtui.screens.dialogs import (
        ChoiceScreen,
        ConfirmScreen,
        HelpScreen,
        PreviewScreen,
        RescuePrompt,
        TitlePrompt,
    )
    from pmtui.screens.editors import ActionEditor, EntryEditor
    from pmtui.screens.main import MainScreen
    from pmtui.screens.summary import SummaryEditor

_WHERE = {
    "ActionEditor": "pmtui.screens.editors",
    "ChoiceScreen": "pmtui.screens.dialogs",
    "ConfirmScreen": "pmtui.screens.dialogs",
    "EntryEditor": "pmtui.screens.editors",
    "HelpScreen": "pmtui.screens.dialogs",
    "MainScreen": "pmtui.screens.main",
    "PreviewScreen": "pmtui.screens.dialogs",
    "RescuePrompt": "pmtui.screens.dialogs",
    "SummaryEditor": "pmtui.screens.summary",
    "TitlePrompt": "pmtui.screens.dialogs",
}
__all__ = [
    "ActionEditor",
    "ChoiceScreen",
    "ConfirmScreen",
    "EntryEditor",
    "HelpScreen",
    "MainScreen",
    "PreviewScreen",
    "RescuePrompt",
    "SummaryEditor",
    "TitlePrompt",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'screens' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
