"""Plain Unicode bars for a terminal chart (eighths of a cell: ▏▎▍▌▋▊▉█)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from pmtui.core.text import shown

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, most: float, width: int) -> str:
    """A bar `width` cells long at `most`, to an eighth of a cell; a sliver for any value > 0."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    return "█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()


def chart(
    title: str, rows: Sequence[tuple[str, float | None, str]], width: int = 40, style: str = ""
) -> Text:
    """A titled horizontal bar chart: one line per (label, value, value as said)."""
    text = Text(title + "\n", style="bold")
    if not rows:
        return text.append("  nothing to show\n", style="dim")
    label_width = max(len(label) for label, _value, _said in rows)
    most = max((value or 0.0 for _label, value, _said in rows), default=0.0)
    for label, value, said in rows:
        text.append(f"  {shown(label, 30):<{label_width}}  ")
        drawn = bar(value or 0.0, most, width)
        text.append(drawn, style=style or "")
        text.append(" " * (width + 1 - len(drawn)) + said + "\n", style="dim" if value else "")
    return text
