"""The `pmtui` command's entry point: start up without the cyclic collector.

Importing Textual and pydantic and loading a big incident allocate millions
of objects and make almost no reference cycles, yet every 700 allocations
Python walks them looking for cycles: at 100,000 entries that was half a
second of a 2.3 s start. The collector stays off until the first paint; the
app then freezes what it loaded (it lives as long as the app) and turns the
collector back on. Short commands (`export`, `new --no-open`) exit first.
The home screen (`pmtui` in a folder of incidents) starts here too, without
pydantic: it is imported when an incident is opened.
"""

from __future__ import annotations

import gc
import sys


def main() -> int:
    if sys.argv[1:2] == ["log"]:  # a script's one line: no pydantic, no Textual
        from pmtui.logcmd import main as log_main

        return log_main(sys.argv[2:])
    if sys.argv[1:2] == ["sync"]:  # no pydantic, no Textual
        from pmtui.synccmd import main as sync_main

        return sync_main(sys.argv[2:])
    if sys.argv[1:2] in (["ls"], ["actions"], ["report"]):  # no pydantic, no Textual
        from pmtui.listing import main as listing_main

        return listing_main(sys.argv[1:])
    gc.disable()
    from pmtui.core.homefolder import home_folder, scan_aside

    folder = home_folder(sys.argv[1:])
    if folder is not None:  # the home screen: the folder is read while Textual is imported
        first = scan_aside(folder)
        from pmtui.home import run_home

        try:
            return run_home(folder, first)
        except KeyboardInterrupt:
            return 130
    from pmtui.cli import main as cli_main

    return cli_main()
