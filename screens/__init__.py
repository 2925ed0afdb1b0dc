"""Screens and modal dialogs: main, help, summary editor, editors, confirm."""

from screens.dialogs import ConfirmScreen, HelpScreen, PreviewScreen, TitlePrompt
from screens.editors import ActionEditor, EntryEditor
from screens.main import MainScreen
from screens.summary import SummaryEditor

__all__ = [
    "ActionEditor",
    "ConfirmScreen",
    "EntryEditor",
    "HelpScreen",
    "MainScreen",
    "PreviewScreen",
    "SummaryEditor",
    "TitlePrompt",
]
