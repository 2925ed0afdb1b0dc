"""Screens and modal dialogs: main, help, summary editor, editors, confirm."""

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
