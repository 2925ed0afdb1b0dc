"""One import name, a core without Textual, and `pmtui export` fast over slow SSH."""

import json
import os
import pkgutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pmtui.core
from tests.conftest import RAPPI, ROOT

UI = {"textual", "rich", "screens", "widgets", "pmtui.screens", "pmtui.widgets", "pmtui.app"}


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def _ui(loaded: set[str]) -> set[str]:
    return {m for m in loaded if any(m == ui or m.startswith(ui + ".") for ui in UI)}


def test_every_core_module_imports_without_textual():
    names = [m.name for m in pkgutil.iter_modules(pmtui.core.__path__, "pmtui.core.")]
    assert {"pmtui.core.model", "pmtui.core.session", "pmtui.core.journal"} <= set(names)
    loaded = _modules_after("import " + ", ".join(names))
    assert set(names) <= loaded
    assert _ui(loaded) == set()


def test_export_command_does_not_import_textual():
    loaded = _modules_after(
        f"from pmtui.cli import main\nimport contextlib, io\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['export', {str(RAPPI)!r}, '-o', '-']) == 0"
    )
    assert "pmtui.core.export" in loaded
    assert _ui(loaded) == set()


def test_the_wheel_installs_one_top_level_package_and_no_tests(tmp_path: Path):
    """screens/ and widgets/ stay top-level folders of the source tree (the links
    pmtui/screens and pmtui/widgets make them part of the package); installed,
    they are pmtui.screens and pmtui.widgets, and tests are not installed."""
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("pmtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"pmtui"}
    assert "pmtui/screens/main.py" in names and "pmtui/widgets/timeline.py" in names
    assert "pmtui/core/model.py" in names
    assert "pmtui/core/templates/postmortem.md.j2" in names  # the built-in export
    assert not [name for name in names if "/tests/" in name or name.startswith("tests/")]


def test_no_import_cycle_anywhere():
    """Imports run one way; a module that needs another only for a type says so."""
    import grimp

    graph = grimp.build_graph("pmtui", exclude_type_checking_imports=True)
    cycles = {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("pmtui") and graph.chain_exists(importer=imported, imported=module)
    }
    assert cycles == set()


def test_the_benchmark_still_runs(tmp_path: Path):
    """A move of the core broke the benchmark unseen (CI does not time anything):
    its options parse, and its runner paints pmtui once on a small incident."""
    bench = ROOT / "benchmarks"
    probe = subprocess.run(
        [sys.executable, str(bench / "bench.py"), "--help"], capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr[-500:]
    incident = tmp_path / "inc.toml"
    incident.write_bytes(RAPPI.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_T0": "0"}
    painted = subprocess.run(
        [sys.executable, str(bench / "runner.py"), "paint-pmtui", str(incident)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert painted.returncode == 0, painted.stderr[-800:]
    assert "paint" in json.loads(painted.stdout.strip().splitlines()[-1])


def test_sync_command_imports_neither_textual_nor_pydantic(tmp_path: Path):
    loaded = _modules_after(
        "import sys\nfrom pmtui.launch import main\n"
        f"sys.argv = ['pmtui', 'sync', {str(tmp_path)!r}]\n"
        "assert main() == 2  # not a shared folder"
    )
    assert "pmtui.core.gitsync" in loaded
    assert _ui(loaded) == set() and "pydantic" not in loaded
