"""The text of `pgc explain` and `pgc localize`: headline, driver tree, slices, culprits."""

from __future__ import annotations

import math

from python_checks.diagnosis.driver_tree import DriverNode, Identity
from python_checks.diagnosis.explanation import Explanation
from python_checks.diagnosis.localization import LocalizationResult
from python_checks.diagnosis.slices import SliceBreakdown
from python_checks.reporting.formats import (
    DEFAULT_FORMAT,
    colorize,
    format_change,
    format_percent,
    format_value,
    render_table,
    short_dimension_names,
)


def _identity_table(node: DriverNode, identity: Identity, formats: dict, indent: int) -> str:
    node_format = formats.get(node.metric, DEFAULT_FORMAT)
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
    value_format = formats.get(node.metric, DEFAULT_FORMAT)
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
                format_value(culprit.score, "0.0"),
                "" if math.isnan(culprit.confidence) else format_percent(culprit.confidence, False),
            ]
        )
    headers = ["#", "slice", "root cause", "expected", "actual", "deviation", "explains"]
    headers += ["evidence", "confidence"]
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


def render_explanation(explanation: Explanation, color: bool = False) -> str:
    """The full `pgc explain` text: headline, driver tree, slices and culprits."""
    formats = dict(explanation.value_formats)
    value_format = formats.get(explanation.metric, DEFAULT_FORMAT)
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
                ["change", colorize(f"{change} ({relative})", explanation.is_good, color)],
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
