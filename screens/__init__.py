"""Screens and modal dialogs: main, help, summary editor, editors, confirm.

Re-exported lazily (PEP 562): the dialogs pull in TextArea, Select and the
Markdown viewer, which first paint does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screens.dialogs import (
        ChoiceScreen,
        ConfirmScreen,
        HelpScreen,
        PreviewScreen,
        RescuePrompt,
        TitlePrompt,
    )
    from screens.editors import ActionEditor, EntryEditor
    from screens.main import MainScreen
    from screens.summary import SummaryEditor

_WHERE = {
    "ActionEditor": "screens.editors",
    "ChoiceScreen": "screens.dialogs",
    "ConfirmScreen": "screens.dialogs",
    "EntryEditor": "screens.editors",
    "HelpScreen": "screens.dialogs",
    "MainScreen": "screens.main",
    "PreviewScreen": "screens.dialogs",
    "RescuePrompt": "screens.dialogs",
    "SummaryEditor": "screens.summary",
    "TitlePrompt": "screens.dialogs",
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
