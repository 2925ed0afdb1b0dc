"""Screens and modal dialogs: main, help, summary editor, confirm."""
