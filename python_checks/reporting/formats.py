"""Plain-text building blocks: numbers in the catalogue's formats, explicit signs, colour,
aligned tables. Colour (ANSI) is only added when the caller says the output is a terminal."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

GREEN, RED, RESET = "\033[32m", "\033[31m", "\033[0m"
MISSING = "-"
DEFAULT_FORMAT = "#,##0.00"


def _decimals(value_format: str) -> int:
    match = re.search(r"\.(0+)", value_format)
    return len(match.group(1)) if match else 0


def format_value(value: float, value_format: str = DEFAULT_FORMAT, signed: bool = False) -> str:
    """`value` in a catalogue format ('#,##0.0', '0.0%', '$#,##0.00', '+0.0%', ...): thousands
    separators, decimals, percent and currency; with `signed`, an explicit + or - sign."""
    if value is None or not math.isfinite(value):
        return MISSING
    is_percent = value_format.endswith("%")
    number = value * 100 if is_percent else value
    decimals = _decimals(value_format)
    text = f"{abs(number):,.{decimals}f}" if "," in value_format else f"{abs(number):.{decimals}f}"
    if is_percent:
        text += "%"
    if value_format.lstrip("+").startswith("$"):
        text = "$" + text
    rounds_to_zero = float(f"{abs(number):.{decimals}f}") == 0
    if rounds_to_zero:
        sign = "+" if signed else ""
    elif number < 0:
        sign = "-"
    else:
        sign = "+" if signed or value_format.startswith("+") else ""
    return sign + text


def format_change(value: float, value_format: str) -> str:
    """A change in a metric's format, signed; a change of a percent metric in points (pp)."""
    if value_format.endswith("%") and not value_format.startswith("+"):
        return format_value(value * 100, f"0.{'0' * (_decimals(value_format) + 1)}", True) + " pp"
    if value_format.endswith("%"):
        return format_value(value, value_format, signed=True)
    # one more decimal than the value itself, so small contributions still show
    return format_value(value, re.sub(r"(\.0+)|$", _one_more_decimal, value_format, count=1), True)


def _one_more_decimal(match: re.Match) -> str:
    return (match.group(1) or ".") + "0"


def format_percent(value: float, signed: bool = True) -> str:
    """A share or relative change as a percentage with one decimal."""
    return format_value(value, "0.0%", signed=signed)


def colorize(text: str, good: bool | None, enabled: bool) -> str:
    """Green for good, red for bad, nothing when disabled or neutral."""
    if not enabled or good is None:
        return text
    return f"{GREEN if good else RED}{text}{RESET}"


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    indent: int = 2,
    left_columns: int = 1,
) -> str:
    """Columns padded to their widest cell: the first `left_columns` left-aligned (labels),
    the others right-aligned (numbers)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if i < left_columns else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return " " * indent + "  ".join(padded).rstrip()

    rule = " " * indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def short_dimension_names(dimensions: Sequence[str]) -> dict[str, str]:
    """Each `entity__dimension` name without its entity (`consumption__surface` ->
    `surface`, `content__category` -> `category`) where the short name is unique among
    `dimensions`; the full name otherwise."""
    short = {d: d.split("__", 1)[-1] for d in dimensions}
    counts = Counter(short.values())
    return {d: name if counts[name] == 1 else d for d, name in short.items()}
