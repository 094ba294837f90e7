"""Plain-text rendering for the terminal: numbers in the catalogue's formats, explicit signs,
aligned tables, and the layouts of `pgc explain` and `pgc check`.

Colour (ANSI) is only added when the caller says the output is a terminal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pandas as pd

from python_checks.explain import DriverNode, Explanation, Identity, SliceBreakdown
from python_checks.localization import LocalizationResult

GREEN, RED, RESET = "\033[32m", "\033[31m", "\033[0m"
MISSING = "-"


def _decimals(value_format: str) -> int:
    match = re.search(r"\.(0+)", value_format)
    return len(match.group(1)) if match else 0


def format_value(value: float, value_format: str = "#,##0.00", signed: bool = False) -> str:
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


# ----------------------------------------------------------------------- explain


def _identity_table(node: DriverNode, identity: Identity, formats: dict, indent: int) -> str:
    node_format = formats.get(node.metric, "#,##0.00")
    rows = []
    for item in identity.contributions:
        driver_format = formats.get(item.metric, node_format) if item.metric else node_format
        share = item.contribution / node.change if node.change else math.nan
        rows.append(
            [
                item.driver,
                format_value(item.baseline, driver_format),
                format_value(item.comparison, driver_format),
                format_change(item.contribution, node_format),
                format_percent(share),
            ]
        )
    rows.append(["total", "", "", format_change(identity.total, node_format), ""])
    method = {"lmdi": "LMDI", "shapley": "Shapley", "sum": "sum of parts"}[identity.method]
    title = " " * indent + f"{identity.formula}   [{identity.kind} identity, {method}]"
    headers = ["driver", "baseline", "day", "contribution", "share"]
    return title + "\n" + render_table(headers, rows, indent=indent + 2)


def _render_node(node: DriverNode, formats: dict) -> list[str]:
    indent = 2 + 4 * node.depth
    value_format = formats.get(node.metric, "#,##0.00")
    lines = [
        " " * indent
        + f"{node.metric}: {format_value(node.baseline, value_format)} -> "
        + f"{format_value(node.comparison, value_format)} "
        + f"({format_change(node.change, value_format)})"
    ]
    for identity in node.identities:
        lines.append(_identity_table(node, identity, formats, indent + 2))
    lines += [" " * (indent + 2) + f"(skipped: {note})" for note in node.notes]
    if not node.identities and not node.notes:
        lines.append(" " * (indent + 2) + "(no exact identity below this metric)")
    for child in node.children:
        lines += _render_node(child, formats)
    return lines


def _render_slices(breakdown: SliceBreakdown, value_format: str) -> str:
    frame = breakdown.slices
    headers = ["slice", "baseline", "day", "contribution"]
    if breakdown.kind == "ratio":
        headers += ["mix", "rate"]
    rows = []
    for record in frame.itertuples():
        row = [
            str(record.dimension_value),
            format_value(record.baseline, value_format),
            format_value(record.comparison, value_format),
            format_change(record.contribution, value_format),
        ]
        if breakdown.kind == "ratio":
            row += [
                format_change(record.mix_effect, value_format),
                format_change(record.rate_effect, value_format),
            ]
        rows.append(row)
    title = f"  {breakdown.dimension} ({breakdown.kind}"
    if breakdown.kind == "ratio":
        title += (
            f"; mix {format_change(breakdown.mix_effect, value_format)}, "
            f"rate {format_change(breakdown.rate_effect, value_format)}"
        )
    title += ")" if breakdown.adds_up else "; slices overlap, they need not add up)"
    return title + "\n" + render_table(headers, rows, indent=4)


def short_dimension_names(dimensions: Sequence[str]) -> dict[str, str]:
    """`viewer_activity__region` -> `region` when every dimension has the same entity prefix
    (the usual case: a metric's dimensions come from one semantic model)."""
    prefixes = {d.split("__", 1)[0] for d in dimensions if "__" in d}
    if len(prefixes) != 1 or not all("__" in d for d in dimensions):
        return {d: d for d in dimensions}
    return {d: d.split("__", 1)[1] for d in dimensions}


def render_culprit_table(result: LocalizationResult, names: dict[str, str] | None = None) -> str:
    """The ranked culprits of a localization as an aligned table (dimension names shortened
    through `names` when given)."""
    names = names or {}
    rows = []
    for rank, culprit in enumerate(result.culprits, start=1):
        rows.append(
            [
                str(rank),
                ", ".join(f"{names.get(k, k)}={v}" for k, v in culprit.slice.items()),
                "yes" if culprit.is_root_cause else "",
                format_value(culprit.expected, "#,##0.0"),
                format_value(culprit.actual, "#,##0.0"),
                format_value(culprit.deviation, "#,##0.0", signed=True),
                format_percent(culprit.explanatory_power),
                format_value(culprit.score, "0.000"),
            ]
        )
    headers = ["#", "slice", "root cause", "expected", "actual", "deviation", "explains", "score"]
    return render_table(headers, rows, indent=2, left_columns=3)


def _render_culprits(explanation: Explanation) -> list[str]:
    culprits = explanation.culprits
    names = short_dimension_names(culprits.dimensions)
    lines = [f"Culprits (localization over {' x '.join(names.values()) or 'no dimensions'})"]
    if culprits.result is None:
        return [*lines, f"  (not run: {culprits.note})"]
    lines.append(
        "  expected and actual are the numerator; for a ratio, expected is the baseline rate "
        "at the day's volume"
    )
    return [*lines, render_culprit_table(culprits.result, names)]


def render_explanation(
    explanation: Explanation, color: bool = False, good: bool | None = None
) -> str:
    """The full `pgc explain` text: headline, driver tree, slices and culprits."""
    formats = dict(explanation.value_formats)
    value_format = formats.get(explanation.metric, "#,##0.00")
    change = format_change(explanation.change, value_format)
    relative = format_percent(explanation.relative_change)
    lines = [
        f"{explanation.label} ({explanation.metric}) on {explanation.day} "
        f"vs {explanation.baseline.label}",
        render_table(
            ["", "value"],
            [
                ["day", format_value(explanation.value, value_format)],
                ["baseline", format_value(explanation.baseline_value, value_format)],
                ["change", colorize(f"{change} ({relative})", good, color)],
            ],
        ),
        "",
        "Driver tree (each table adds up exactly to its metric's change)",
        *_render_node(explanation.drivers, formats),
        "",
        "Slices (top by absolute contribution)",
    ]
    lines += [_render_slices(b, value_format) for b in explanation.slices] or ["  (none)"]
    lines += ["", *_render_culprits(explanation)]
    return "\n".join(lines)


# ------------------------------------------------------------------------- check


def render_check_summary(results: pd.DataFrame) -> str:
    """Counts by category and status, then every failing or warning check."""
    if results.empty:
        return "No checks ran."
    counts = (
        results.groupby(["category", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["pass", "warn", "fail"], fill_value=0)
    )
    rows = [[category, *(f"{n:,}" for n in counts.loc[category])] for category in counts.index]
    rows.append(["total", *(f"{n:,}" for n in counts.sum())])
    lines = ["Checks by category", render_table(["category", "pass", "warn", "fail"], rows)]
    flagged = results[results["status"] != "pass"].sort_values(
        ["status", "blocking", "category"], ascending=[True, False, True]
    )
    if not flagged.empty:
        rows = [
            [
                record.status,
                "yes" if record.blocking else "no",
                record.check_name,
                record.subject,
                record.detail,
            ]
            for record in flagged.itertuples()
        ]
        headers = ["status", "blocking", "check", "subject", "detail"]
        lines += ["", "Failures and warnings", render_table(headers, rows, left_columns=5)]
    return "\n".join(lines)
