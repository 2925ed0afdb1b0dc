"""Every use of a private Textual API is listed here, so none slips in unnoticed.

pmtui uses public Textual API wherever one exists. Where none does, the use
is allowed below with its reason, says so in a comment at the place, and
Textual is pinned exactly. The scan finds: imports from Textual's private
modules, names set on Textual's modules (monkeypatches), and private names
(`_x`) that our classes take from, override or call on their Textual bases,
or reach on other Textual objects. pydantic's private names are listed too.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import re
import tomllib
from functools import cache
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / name for name in ("pmtui", "screens", "widgets") if (ROOT / name).is_dir()]
NOTE = "private: no public API"
PIN = "pinned textual==8.2.8"

ALLOWED = {
    "paste: import textual._xterm_parser": "the parser that reads a bracketed paste whole",
    "paste: sets linux_driver.XTermParser": "no public way to give the driver another parser",
    "entry_bar: EntryInput._value": "how Input shows its value (visible pastes)",
    "entry_bar: EntryInput._position_to_cell": "Input's cursor-to-cell hook, for ⏎ and ▤",
    "entry_bar: EntryInput._cell_offset_to_index": "Input's click-to-cursor hook, for ⏎ and ▤",
    "timeline: TimelineView._scroll_update": "update the scrollbars without a layout",
    "app: PmtuiApp._handle_exception": "the only hook for an error nothing caught",
}
# pydantic's private names: its internals, and the slots a model sets itself.
# fastload builds entries 7x faster than model_construct by setting the same
# slots model_construct sets (tests/test_fastload.py checks the result).
PYDANTIC_ALLOWED = {
    "fastload: sets __pydantic_fields_set__",
    "fastload: sets __pydantic_extra__",
    "fastload: sets __pydantic_private__",
}
PYDANTIC_PRIVATE = re.compile(
    r"\bpydantic(?:\.\w+)*\._\w+"  # a private module
    r"|[\"'](__pydantic_\w+__)[\"']"  # a slot set by name
    r"|\.(__pydantic_\w+__)"  # or reached
)

PRIVATE_NAME = r"_[a-z]\w*"
USED_ON_SELF = re.compile(rf"(?:\bself|\bsuper\(\)|\b[A-Z]\w*)\.({PRIVATE_NAME})\b")
DEFINED = re.compile(rf"^\s*def ({PRIVATE_NAME})\(", re.M)
USED_ON_OTHER = re.compile(rf"\b(?!self\b)[a-z]\w*(?:\.[a-z]\w*)*\.({PRIVATE_NAME})\b")
PRIVATE_MODULE = re.compile(r"\btextual(?:\.\w+)*\._\w+")
FROM_TEXTUAL = re.compile(r"^\s*from (textual[\w.]*) import (.+)$", re.M)
SETATTR = re.compile(r"\bsetattr\(\s*(\w+)\s*,\s*[\"'](\w+)[\"']")


def source_files() -> list[Path]:
    return sorted(path for folder in SOURCES for path in folder.rglob("*.py"))


@cache
def textual_private_names() -> frozenset[str]:
    """Every private name Textual defines or sets on its objects."""
    names: set[str] = set()
    pattern = re.compile(rf"(?:def |self\.|^\s*)({PRIVATE_NAME})\b", re.M)
    for path in Path(textual.__file__).parent.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return frozenset(names)


def base_private_names(cls: type) -> set[str]:
    """The private names of `cls`'s Textual bases: class attributes and what they set on self."""
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        if not base.__module__.startswith("textual"):
            continue
        names.update(n for n in vars(base) if re.fullmatch(PRIVATE_NAME, n))
        with contextlib.suppress(OSError, TypeError):  # a class without source
            names.update(re.findall(rf"\bself\.({PRIVATE_NAME})\b", inspect.getsource(base)))
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def private_uses() -> set[str]:
    files = source_files()
    ours = set()  # private names our own code defines: not Textual's, wherever reached
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours.update(DEFINED.findall(text))
        ours.update(re.findall(rf"\bself\.({PRIVATE_NAME})\s*(?::[^=\n]+)?=[^=]", text))
    found: set[str] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "textual" not in text:
            continue
        where = path.stem
        found.update(f"{where}: import {name}" for name in PRIVATE_MODULE.findall(text))
        from_textual = {
            name.strip().split(" as ")[-1]
            for _module, names in FROM_TEXTUAL.findall(text)
            for name in names.strip("()").split(",")
        }
        for target, attribute in SETATTR.findall(text):
            if target in from_textual:
                found.add(f"{where}: sets {target}.{attribute}")
        for name in USED_ON_OTHER.findall(text):
            if name in textual_private_names() and name not in ours:
                found.add(f"{where}: reaches .{name}")
        module = importlib.import_module(module_name(path))
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
                continue
            inherited = base_private_names(cls)
            if not inherited:
                continue
            body = inspect.getsource(cls)
            used = set(USED_ON_SELF.findall(body)) | set(DEFINED.findall(body))
            found.update(f"{where}: {cls.__name__}.{name}" for name in used & inherited)
    return found


def pydantic_private_uses() -> set[str]:
    found = set()
    for path in source_files():
        for match in PYDANTIC_PRIVATE.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1) or match.group(2)
            found.add(f"{path.stem}: sets {name}" if name else f"{path.stem}: {match.group()}")
    return found


def test_every_private_pydantic_use_is_on_the_allow_list() -> None:
    assert sorted(pydantic_private_uses()) == sorted(PYDANTIC_ALLOWED)


def test_every_private_textual_use_is_on_the_allow_list() -> None:
    assert sorted(private_uses()) == sorted(ALLOWED)


def test_each_file_with_a_private_use_says_so_and_textual_is_pinned_exactly() -> None:
    stems = {use.split(":")[0] for use in ALLOWED}
    for path in source_files():
        if path.stem in stems:
            text = path.read_text(encoding="utf-8")
            assert NOTE in text and PIN in text, path
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "textual==8.2.8" in project["project"]["dependencies"]
    assert textual.__version__ == "8.2.8"
