"""pmtui's core: the incident, its rules and its files, without a terminal.

Nothing here imports Textual, Rich or the UI (an import-linter contract in
pyproject.toml proves it): the model, the session that applies every change
with its undo, the time and date grammar, reading and writing the TOML file
with its lock and atomic saves, the journal many writers append to, the
export, and the catalog of a folder of incidents. Keep this file empty of
imports: `pmtui log` imports `pmtui.core.journal` and must stay fast.
"""
