"""Templates the user can change: the postmortem and the stakeholder update.

One engine (Jinja2) for both, set up one way: a missing variable is an error,
not an empty string, and autoescaping is off because the output is Markdown or
plain text (the caller escapes user text for Markdown itself). Every problem
with a template comes back as one `TemplateProblem` line that names the file
and the line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from pmtui.core.errors import PmtuiError


class TemplateProblem(PmtuiError):
    """A template could not be read, parsed or rendered; str() is one line."""


def _environment(filters: Mapping[str, Callable[..., Any]] | None) -> jinja2.Environment:
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters or {})
    return env


def compile_template(
    text: str, name: str, filters: Mapping[str, Callable[..., Any]] | None = None
) -> jinja2.Template:
    """Parse `text`; `name` is how errors call it (a path, or 'the built-in update')."""
    try:
        return _environment(filters).from_string(text)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"{name}, line {error.lineno}: {error.message}") from None


def load_template(
    path: Path, filters: Mapping[str, Callable[..., Any]] | None = None
) -> jinja2.Template:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateProblem(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise TemplateProblem(f"{path}: {error.strerror or error}") from None
    return compile_template(text, str(path), filters)


def render(template: jinja2.Template, name: str, context: Mapping[str, Any]) -> str:
    """Render, turning any failure inside the template into one line naming its line."""
    try:
        return template.render(**context)
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"{name}, line {_line_of(error)}: {error}") from None
    except Exception as error:  # a filter or attribute raised inside the user's template
        raise TemplateProblem(f"{name}, line {_line_of(error)}: {error}") from None


def _line_of(error: BaseException) -> str:
    """The template line a render error came from (Jinja marks template frames)."""
    line = getattr(error, "lineno", None)
    if line:
        return str(line)
    tb = error.__traceback__
    found = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = str(tb.tb_lineno)
        tb = tb.tb_next
    return found
