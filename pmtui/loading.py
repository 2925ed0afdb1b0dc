"""Opening a big incident tail-first: the last entries now, the rest on a thread.

`store.open(tail=TAIL)` reads the head, the actions and the last TAIL entries
(at 100,000 entries: a first paint after 0.03 s of reading, not 1.1 s). After
first paint a thread reads and checks the earlier entries
(`IncidentControl.read_rest`); the app makes the incident whole before any
change, export or quit (`IncidentControl.finish_loading`).
"""

from __future__ import annotations

import gc
import threading

from textual.message import Message

TAIL = 500


class RestRead(Message):
    """Posted from the loader thread: the earlier entries are read."""


def settle_gc() -> None:
    """After first paint: freeze what start-up made, then collect as usual.

    The loaded incident lives as long as the app: frozen, it is out of the
    cyclic collector's reach, or every full collection walks all of it (a
    70 ms pause at 10,000 entries). `pmtui.launch` kept the collector off
    until now.
    """
    gc.freeze()
    gc.enable()


# Everything the app imports after it opens: every dialog and the Textual
# widgets they use, the command palette, toasts. Imported after first paint
# (start-up stays as fast), so that reinstalling pmtui while it runs (an
# upgrade mid-incident: the old files removed) cannot break the next dialog.
LATER_MODULES = (
    "pmtui.screens.dialogs",
    "pmtui.screens.editors",
    "pmtui.screens.forms",
    "pmtui.screens.summary",
    "textual.command",
    "textual.widgets.markdown",  # public modules only (toasts and tooltips
    "textual.widgets.select",  # come with textual.app and textual.screen)
    "textual.widgets.text_area",
)


def preload(modules: tuple[str, ...] = LATER_MODULES) -> threading.Thread:
    """Import `modules` on a thread (the UI keeps taking keys meanwhile)."""
    import contextlib
    import importlib

    def load() -> None:
        for name in modules:
            # already gone: the dialog will say so when it is opened
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        # the export's template engine and its built-in template, read and
        # compiled now: the postmortem written at quit needs no file that an
        # upgrade may have removed (and the first ctrl+e skips ~50 ms)
        with contextlib.suppress(Exception):  # else the export says what is wrong
            from pmtui.core.export import built_in_template

            built_in_template()

    thread = threading.Thread(target=load, name="pmtui-preload", daemon=True)
    thread.start()
    return thread
