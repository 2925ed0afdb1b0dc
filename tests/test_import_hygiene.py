"""The core and `pmtui export` never import Textual (fast over slow SSH)."""

import subprocess
import sys

from tests.conftest import RAPPI


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_core_modules_do_not_import_textual():
    loaded = _modules_after("import pmtui.model, pmtui.store, pmtui.export, pmtui.timeparse")
    assert not {m for m in loaded if m.split(".")[0] in {"textual", "rich", "screens", "widgets"}}


def test_export_command_does_not_import_textual():
    loaded = _modules_after(
        f"from pmtui.cli import main\nimport contextlib, io\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['export', {str(RAPPI)!r}, '-o', '-']) == 0"
    )
    assert "pmtui.export" in loaded
    assert "textual" not in loaded
