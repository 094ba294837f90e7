"""The causal section of the HTML report: the latest `pgc causal rewards` run's estimator
table, an event-study plot with its intervals and the synthetic-control gap plot. Inline
SVG without xmlns (no URL in the report), text escaped here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Protocol

import pandas as pd
from markupsafe import Markup, escape

from python_checks.reporting.html_report import ReportSection
from python_checks.reporting.svg_charts import BAD, GOOD, NEUTRAL

LINE, BAND = "#0969da", "#9cc3f5"
EVENT_STUDY_OUTCOME = "post_count"


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    number = float(value)
    decimals = 3 if abs(number) < 10 else (1 if abs(number) < 1000 else 0)
    return f"{number:,.{decimals}f}"


def _scale(low: float, high: float, start: float, end: float):
    span = (high - low) or 1.0
    return lambda v: round(end - (end - start) * (v - low) / span, 1)


def event_study_svg(
    event_times: Sequence[int],
    estimates: Sequence[float],
    ci_low: Sequence[float],
    ci_high: Sequence[float],
    width: int = 520,
    height: int = 200,
) -> str:
    """Point estimates with interval whiskers by event time, a zero line and a dashed line
    between e = -1 and e = 0 (treatment starts)."""
    points = [
        (e, a, lo, hi)
        for e, a, lo, hi in zip(event_times, estimates, ci_low, ci_high, strict=True)
        if all(math.isfinite(v) for v in (a, lo, hi))
    ]
    if not points:
        return f'<svg width="{width}" height="{height}" role="img"></svg>'
    pad_left, pad, first, last = 44, 14, min(p[0] for p in points), max(p[0] for p in points)
    low = min(0.0, *(p[2] for p in points))
    high = max(0.0, *(p[3] for p in points))
    y = _scale(low, high, pad, height - pad - 12)
    span = max(last - first, 1)

    def x(e: float) -> float:
        return round(pad_left + (width - pad_left - pad) * (e - first) / span, 1)

    parts = [
        f'<line x1="{pad_left}" x2="{width - pad}" y1="{y(0)}" y2="{y(0)}" stroke="{NEUTRAL}"/>',
        f'<line x1="{x(-0.5)}" x2="{x(-0.5)}" y1="{pad}" y2="{height - pad - 12}" '
        f'stroke="{NEUTRAL}" stroke-dasharray="4 3"/>',
        f'<text x="4" y="{y(high) + 4}">{escape(_fmt(high))}</text>',
        f'<text x="4" y="{y(low)}">{escape(_fmt(low))}</text>',
        f'<text x="{pad_left}" y="{height - 2}">{first}</text>',
        f'<text x="{width - pad - 12}" y="{height - 2}">{last}</text>',
        f'<text x="{x(0) + 3}" y="{height - 2}">days since treatment</text>',
    ]
    for e, a, lo, hi in points:
        colour = LINE if e >= 0 else NEUTRAL
        parts.append(
            f'<line class="interval" x1="{x(e)}" x2="{x(e)}" y1="{y(lo)}" y2="{y(hi)}" '
            f'stroke="{BAND}" stroke-width="2"/>'
            f'<circle class="estimate" cx="{x(e)}" cy="{y(a)}" r="2.5" fill="{colour}">'
            f"<title>e = {e}: {escape(_fmt(a))} [{escape(_fmt(lo))}, {escape(_fmt(hi))}]"
            "</title></circle>"
        )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
        + "".join(parts)
        + "</svg>"
    )


def gap_svg(
    periods: Sequence[str],
    actual: Sequence[float],
    synthetic: Sequence[float],
    is_post: Sequence[bool],
    width: int = 520,
    height: int = 200,
) -> str:
    """The treated unit (solid) and its synthetic control (dashed) over time, the gap
    shaded after treatment starts (dotted vertical line)."""
    n = len(periods)
    if n < 2:
        return f'<svg width="{width}" height="{height}" role="img"></svg>'
    pad_left, pad = 44, 14
    values = [v for v in (*actual, *synthetic) if math.isfinite(v)]
    low, high = min(values), max(values)
    y = _scale(low, high, pad, height - pad - 12)

    def x(i: int) -> float:
        return round(pad_left + (width - pad_left - pad) * i / (n - 1), 1)

    def path(series: Sequence[float]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(series))

    start = next((i for i, post in enumerate(is_post) if post), n - 1)
    shaded = " ".join(
        [f"{x(i)},{y(actual[i])}" for i in range(start, n)]
        + [f"{x(i)},{y(synthetic[i])}" for i in reversed(range(start, n))]
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f'<polygon class="gap" points="{shaded}" fill="{BAND}" opacity="0.5"/>'
        f'<polyline class="actual" fill="none" stroke="{LINE}" stroke-width="1.5" '
        f'points="{path(actual)}"/>'
        f'<polyline class="synthetic" fill="none" stroke="{NEUTRAL}" stroke-width="1.5" '
        f'stroke-dasharray="5 3" points="{path(synthetic)}"/>'
        f'<line x1="{x(start)}" x2="{x(start)}" y1="{pad}" y2="{height - pad - 12}" '
        f'stroke="{NEUTRAL}" stroke-dasharray="2 2"/>'
        f'<text x="4" y="{y(high) + 4}">{escape(_fmt(high))}</text>'
        f'<text x="4" y="{y(low)}">{escape(_fmt(low))}</text>'
        f'<text x="{pad_left}" y="{height - 2}">{escape(periods[0])}</text>'
        f'<text x="{x(start) + 3}" y="{height - 2}">launch {escape(periods[start])}</text>'
        "</svg>"
    )


VERDICT_COLOUR = {"pass": GOOD, "fail": BAD, "warn": "#9a6700", "none": NEUTRAL}


def causal_report_section(
    estimates: pd.DataFrame, curves: pd.DataFrame, run_at: dt.datetime | None = None
) -> ReportSection:
    """The section of a stored run: `estimates` and `curves` as checks.causal_estimates and
    checks.causal_curves hold them."""
    rows = []
    for record in estimates.itertuples():
        colour = VERDICT_COLOUR.get(record.verdict, NEUTRAL)
        rows.append(
            "<tr>"
            f"<td>{escape(record.estimator)}</td><td>{escape(record.outcome)}</td>"
            f"<td>{escape(_fmt(record.estimate))}</td>"
            f"<td>[{escape(_fmt(record.ci_low))}, {escape(_fmt(record.ci_high))}]</td>"
            f"<td>{escape(_fmt(record.e_value))}</td>"
            f'<td style="text-align:left">{escape(record.assumption)}</td>'
            f'<td style="color:{colour}">{escape(record.verdict)}</td>'
            f'<td style="text-align:left">{escape(record.verdict_note)}</td>'
            "</tr>"
        )
    table = (
        "<table><tr><th>estimator</th><th>outcome</th><th>estimate</th><th>95% interval</th>"
        "<th>E-value</th><th>assumption</th><th>verdict</th><th>diagnostic</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    event = curves[(curves["curve"] == "event_study") & (curves["series"] == EVENT_STUDY_OUTCOME)]
    gap = curves[curves["curve"] == "synthetic_gap"]
    parts = [
        f'<p class="note">Latest <code>pgc causal rewards</code> run'
        f"{' at ' + escape(str(run_at)) if run_at is not None else ''}: effects of enrolling "
        "per creator-day. A verdict is what the diagnostics could check; passing them does "
        "not rule out a hidden confounder (docs/causal.md).</p>",
        table,
    ]
    if not event.empty:
        parts += [
            f'<div class="note">Event study ({EVENT_STUDY_OUTCOME}, Callaway and Sant\'Anna): '
            "effect by days since enrollment took effect, 95% intervals</div>",
            event_study_svg(
                [int(p) for p in event["position"]],
                list(event["estimate"]),
                list(event["ci_low"]),
                list(event["ci_high"]),
            ),
        ]
    if not gap.empty:
        parts += [
            f'<div class="note">Synthetic control: {escape(gap["series"].iloc[0])} '
            "(solid: actual posts per creator; dashed: synthetic; shaded: the gap)</div>",
            gap_svg(
                list(gap["period"]),
                list(gap["actual"]),
                list(gap["synthetic"]),
                list(gap["is_post"].astype(bool)),
            ),
        ]
    return ReportSection("causal", "What the rewards program caused", Markup("".join(parts)))


class StoredCausalRun(Protocol):
    """What `warehouse.causal_store.latest_causal_run` returns (read by attribute, so
    this layer need not import the warehouse layer)."""

    estimates: pd.DataFrame
    curves: pd.DataFrame
    run_at: dt.datetime


def causal_sections(run: StoredCausalRun | None) -> list[ReportSection]:
    """The report's causal section from the latest stored `pgc causal rewards` run; no
    section when it has not run."""
    if run is None or run.estimates.empty:
        return []
    return [causal_report_section(run.estimates, run.curves, run.run_at)]
