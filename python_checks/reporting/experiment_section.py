"""The experiments section of the HTML report: per experiment (its latest `pgc experiment`
run), the sample-ratio verdict, the decision with its rule, and a forest plot of the
relative lifts with their intervals (inline SVG, no script or URL)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup, escape

from python_checks.reporting.html_report import ReportSection
from python_checks.reporting.svg_charts import BAD, GOOD, NEUTRAL

SECTION_ID = "experiments"
# The interference estimates worth a row in the plot, with the metric lifts.
PLOTTED_ESTIMATORS = (
    "welch", "cuped", "naive_lift", "cannibalization", "global_effect", "tsr_naive",
    "direct_effect", "viewer_side_readout",
)  # fmt: skip


# Rows top down: what the decision reads first.
ROLE_ORDER = {"primary": 0, "guardrail": 1, "interference": 2, "secondary": 3}


def forest_plot_svg(rows: Sequence[tuple[str, float, float, float, str]], width: int = 560) -> str:
    """One row per (label, estimate, low, high, colour): a line over the interval and a dot
    at the estimate, against a dashed zero line; ticks at round percentages."""
    rows = [r for r in rows if all(math.isfinite(v) for v in r[1:4])]
    if not rows:
        return f'<svg width="{width}" height="20" role="img"></svg>'
    label_width, pad, row_height = 230, 8, 18
    low = min(0.0, *(r[2] for r in rows))
    high = max(0.0, *(r[3] for r in rows))
    span = (high - low) or 0.01
    low, high = low - 0.05 * span, high + 0.05 * span
    plot = width - label_width - 2 * pad
    height = pad * 2 + row_height * len(rows) + 16

    def x(value: float) -> float:
        return round(label_width + pad + plot * (value - low) / (high - low), 1)

    parts = [
        f'<line x1="{x(0)}" y1="{pad}" x2="{x(0)}" y2="{height - 16}" stroke="{NEUTRAL}" '
        'stroke-dasharray="3,3"/>'
    ]
    step = _tick_step(high - low)
    tick = math.ceil(low / step) * step
    while tick <= high:
        parts.append(
            f'<text x="{x(tick)}" y="{height - 3}" text-anchor="middle" font-size="10">'
            f"{tick:+.0%}</text>"
        )
        tick += step
    for i, (label, estimate, lo, hi, colour) in enumerate(rows):
        y = pad + i * row_height + row_height / 2
        parts.append(
            f'<text x="{label_width}" y="{y + 4}" text-anchor="end" font-size="11">'
            f"{escape(label)}</text>"
            f'<line x1="{x(lo)}" y1="{y}" x2="{x(hi)}" y2="{y}" stroke="{colour}" '
            'stroke-width="2"/>'
            f'<circle cx="{x(estimate)}" cy="{y}" r="3.5" fill="{colour}">'
            f"<title>{escape(label)}: {estimate:+.2%} [{lo:+.2%}, {hi:+.2%}]</title></circle>"
        )
    return (
        f'<svg class="forest" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">' + "".join(parts) + "</svg>"
    )


def _tick_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about five ticks."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _colour(row: pd.Series) -> str:
    low, high = row["ci_low"], row["ci_high"]
    if row.get("role") == "interference" or not (low > 0 or high < 0):
        return NEUTRAL
    better = low > 0 if row.get("direction") != "lower_is_better" else high < 0
    return GOOD if better else BAD


def _label(row: pd.Series) -> str:
    if row["estimator"] in ("welch", "cuped"):
        return f"{row['metric_name']} ({row['role']})"
    return f"{row['metric_name']}: {row['estimator'].replace('_', ' ')}"


def experiment_sections(results: pd.DataFrame | None) -> list[ReportSection]:
    """The report's experiments section from `warehouse.experiment_store`'s latest readouts;
    no section when no experiment has been read out."""
    if results is None or results.empty:
        return []
    blocks = []
    for experiment_id, rows in results.groupby("experiment_id", sort=True):
        first = rows.iloc[0]
        shown = rows[(rows["segment"] == "total") & rows["estimator"].isin(PLOTTED_ESTIMATORS)]
        shown = shown.assign(order=shown["role"].map(ROLE_ORDER).fillna(len(ROLE_ORDER)))
        shown = shown.sort_values(["order", "metric_name"], kind="stable")
        plot_rows = [
            (_label(r), r["relative_effect"], r["ci_low"], r["ci_high"], _colour(r))
            for _, r in shown.iterrows()
        ]
        srm = first["srm_p_value"]
        srm_text = (
            "no unit counts"
            if pd.isna(srm)
            else f"{'FAIL' if first['is_blocked'] else 'pass'} (p = {srm:.2g})"
        )
        tone = {"ship": "good", "don't ship": "bad"}.get(first["verdict"], "flat")
        blocks.append(
            f'<div class="experiment" id="experiment-{escape(experiment_id)}">'
            f"<h3>{escape(experiment_id)}: {escape(first['experiment_name'] or '')}</h3>"
            f'<p>Sample ratio: {escape(srm_text)}. Decision: <span class="{tone}">'
            f"<b>{escape(str(first['verdict']).upper())}</b></span> "
            f"({escape(first['decision_rule'])}): {escape(first['decision_reason'])}</p>"
            f'<div class="note">Relative lift against control with '
            f"{1 - first['alpha']:.0%} intervals (run {escape(first['run_id'])})</div>"
            f"{forest_plot_svg(plot_rows)}</div>"
        )
    return [ReportSection(SECTION_ID, "Experiments", Markup("".join(blocks)))]
