"""Reusable widgets: timeline view, status panel, action list, entry bar."""
