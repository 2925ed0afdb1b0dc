"""User templates: errors are one line naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmtui.core.templating import TemplateProblem, compile_template, load_template, render


def test_renders_with_filters() -> None:
    template = compile_template("{{ name | shout }}\n", "t", {"shout": str.upper})
    assert render(template, "t", {"name": "db"}) == "DB\n"


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "update.md.j2"
    path.write_text("ok\n\n{% if x %}\nno end\n", encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        load_template(path)
    assert str(caught.value).startswith(f"{path}, line ")
    assert "\n" not in str(caught.value)


def test_missing_variable_is_an_error_with_its_line() -> None:
    template = compile_template("a\nb\n{{ nope }}\n", "mine")
    with pytest.raises(TemplateProblem, match=r"^mine, line 3: 'nope' is undefined"):
        render(template, "mine", {})


def test_unreadable_template_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match="No such file"):
        load_template(tmp_path / "missing.j2")
    bad = tmp_path / "bad.j2"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(TemplateProblem, match="not UTF-8"):
        load_template(bad)
