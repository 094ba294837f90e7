"""`pgc report`: one self-contained HTML file on the health of the north-star and L1 metrics.

Per metric (certified, catalogue tier north_star or L1): the latest value, its change against
the same weekday a week before (signed, coloured by the catalogue's direction), a sparkline of
the daily total with anomaly markers, a waterfall of the latest change over the metric's first
exact identity, and the top slices. Inline CSS and SVG only: no scripts, fonts or links.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
from markupsafe import Markup, escape

from python_checks import console, explain, metric_data

REPORT_TIERS = ("north_star", "L1")
SPARKLINE_DAYS = 90
TOP_SLICES = 5
GOOD, BAD, NEUTRAL = "#1a7f37", "#cf222e", "#8c959f"
TEMPLATE = "metric_health.html.j2"


# ------------------------------------------------------------------------------ SVG
# Inline SVG in HTML5 needs no xmlns: leaving it out keeps the file free of any URL.


def sparkline_svg(
    dates: Sequence[dt.date],
    values: Sequence[float],
    markers: Sequence[tuple[dt.date, bool]] = (),
    width: int = 240,
    height: int = 48,
) -> str:
    """A polyline of the series with a circle per (date, is_bad) marker: red when the move
    is in the bad direction, grey otherwise. Days without a value break nothing: skipped."""
    points = [(d, v) for d, v in zip(dates, values, strict=True) if math.isfinite(v)]
    if len(points) < 2:
        return f'<svg width="{width}" height="{height}"></svg>'
    first, last = points[0][0], points[-1][0]
    low, high = min(v for _, v in points), max(v for _, v in points)
    span_days = max((last - first).days, 1)
    span_values = (high - low) or 1.0
    pad = 4

    def xy(day: dt.date, value: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (day - first).days / span_days
        y = height - pad - (height - 2 * pad) * (value - low) / span_values
        return round(x, 1), round(y, 1)

    by_day = dict(points)
    path = " ".join(f"{x},{y}" for x, y in (xy(d, v) for d, v in points))
    circles = []
    for day, is_bad in markers:
        if day in by_day:
            x, y = xy(day, by_day[day])
            colour = BAD if is_bad else NEUTRAL
            circles.append(
                f'<circle class="anomaly" cx="{x}" cy="{y}" r="3" fill="{colour}">'
                f"<title>anomaly on {day}</title></circle>"
            )
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
        f'<polyline fill="none" stroke="#0969da" stroke-width="1.5" points="{path}"/>'
        + "".join(circles)
        + "</svg>"
    )


def waterfall_svg(
    start: float,
    steps: Sequence[tuple[str, float, str]],
    end: float,
    value_format: str,
    width: int = 360,
) -> str:
    """Bars from the baseline value through each (label, contribution, colour) step to the
    day's value; each step floats from the running total. Labels and amounts in text."""
    bar_height, gap, label_width, pad = 18, 6, 150, 6
    rows = [("baseline", start, start, NEUTRAL)]
    running = start
    for label, amount, colour in steps:
        rows.append((label, running, running + amount, colour))
        running += amount
    rows.append(("day", end, end, NEUTRAL))
    low = min(0.0, *(min(a, b) for _, a, b, _ in rows))
    high = max(*(max(a, b) for _, a, b, _ in rows))
    # Zoom on the range the steps move in, so small changes on a large total stay visible.
    moving = [v for _, a, b, _ in rows[1:-1] for v in (a, b)] or [start, end]
    low, high = (min(moving), max(moving)) if steps else (low, high)
    span = (high - low) or 1.0
    plot = width - label_width - 2 * pad - 70
    height = len(rows) * (bar_height + gap) + pad

    def x(value: float) -> float:
        return round(label_width + pad + plot * (value - low) / span, 1)

    parts = []
    for i, (label, a, b, colour) in enumerate(rows):
        y = pad + i * (bar_height + gap)
        if label in ("baseline", "day"):
            left, right = x(low), x(a)
            text = console.format_value(a, value_format)
        else:
            left, right = sorted((x(a), x(b)))
            text = console.format_change(b - a, value_format)
        parts.append(
            f'<text x="{label_width}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{max(round(right - left, 1), 1.0)}" '
            f'height="{bar_height}" '
            f'fill="{colour}"/>'
            f'<text x="{max(left, right) + 4}" y="{y + 13}">{escape(text)}</text>'
        )
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">' + "".join(parts) + "</svg>"
    )


# --------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class Card:
    """What the template shows for one metric."""

    metric: str
    label: str
    tier: str
    day: dt.date
    baseline_day: dt.date
    value: str
    change: str
    relative: str
    tone: str
    sparkline: Markup
    sparkline_note: str
    waterfall_title: str
    waterfall: Markup
    slices: tuple[dict[str, str], ...]


def _is_good(change: float, direction: str) -> bool | None:
    if change == 0 or not math.isfinite(change):
        return None
    return (change > 0) == (direction == "higher_is_better")


def _markers(anomalies: pd.DataFrame | None, metric: str) -> list[tuple[dt.date, bool]]:
    if anomalies is None or anomalies.empty:
        return []
    rows = anomalies[
        (anomalies["metric_name"] == metric)
        & (anomalies["dimension_name"] == "total")
        & anomalies["is_anomaly"].astype(bool)
    ]
    return [
        (d, bool(bad)) for d, bad in zip(rows["metric_date"], rows["is_bad_direction"], strict=True)
    ]


def _waterfall(result: explain.Explanation, direction: str) -> tuple[str, Markup]:
    node = result.drivers
    if not node.identities:
        return "No exact identity to decompose this metric", Markup("")
    identity = node.identities[0]
    value_format = result.value_formats.get(result.metric, "#,##0.00")
    steps = []
    for item in identity.contributions:
        good = _is_good(item.contribution, direction)
        colour = NEUTRAL if good is None else (GOOD if good else BAD)
        steps.append((item.driver, item.contribution, colour))
    svg = waterfall_svg(node.baseline, steps, node.comparison, value_format)
    return f"{identity.formula} ({identity.kind}, {identity.method})", Markup(svg)


def _top_slices(result: explain.Explanation) -> tuple[dict[str, str], ...]:
    value_format = result.value_formats.get(result.metric, "#,##0.00")
    names = console.short_dimension_names([b.dimension for b in result.slices])
    rows = []
    for breakdown in result.slices:
        for record in breakdown.slices.itertuples():
            rows.append((abs(record.contribution), names[breakdown.dimension], record))
    rows.sort(key=lambda item: item[0], reverse=True)
    return tuple(
        {
            "slice": f"{dimension}={record.dimension_value}",
            "baseline": console.format_value(record.baseline, value_format),
            "comparison": console.format_value(record.comparison, value_format),
            "contribution": console.format_change(record.contribution, value_format),
        }
        for _, dimension, record in rows[:TOP_SLICES]
    )


def build_card(
    metric: str,
    catalogue: pd.DataFrame,
    tree: pd.DataFrame,
    daily: pd.DataFrame,
    slices: pd.DataFrame,
    anomalies: pd.DataFrame | None,
) -> Card | None:
    """The card of one metric on its latest day with a value; None without a week of data."""
    entry = catalogue.loc[metric]
    series = daily[(daily["metric_name"] == metric) & daily["value"].notna()]
    series = series.sort_values("metric_date")
    if series.empty:
        return None
    day = series["metric_date"].iloc[-1]
    baseline = explain.choose_baseline(day, weeks_back=1)
    if baseline.dates[0] not in set(series["metric_date"]):
        return None
    empty = explain.Culprits((), None, "not run in the report")
    result = explain.explain_frames(
        metric, day, baseline, catalogue, tree, daily, slices, empty, TOP_SLICES
    )
    value_format = result.value_formats.get(metric, "#,##0.00")
    good = _is_good(result.change, entry["direction"])
    window = series[series["metric_date"] > day - dt.timedelta(days=SPARKLINE_DAYS)]
    markers = _markers(anomalies, metric)
    shown = [m for m in markers if m[0] > day - dt.timedelta(days=SPARKLINE_DAYS)]
    title, waterfall = _waterfall(result, entry["direction"])
    return Card(
        metric=metric,
        label=str(entry["metric_label"]),
        tier=str(entry["tier"]),
        day=day,
        baseline_day=baseline.dates[0],
        value=console.format_value(result.value, value_format),
        change=console.format_change(result.change, value_format),
        relative=console.format_percent(result.relative_change),
        tone="flat" if good is None else ("good" if good else "bad"),
        sparkline=Markup(
            sparkline_svg(list(window["metric_date"]), list(window["value"]), markers)
        ),
        sparkline_note=f"last {SPARKLINE_DAYS} days; {len(shown)} anomalies marked",
        waterfall_title=title,
        waterfall=waterfall,
        slices=_top_slices(result),
    )


def report_metrics(catalogue: pd.DataFrame) -> list[str]:
    """Certified north_star and L1 metrics, north star first, then by name."""
    chosen = catalogue[catalogue["tier"].isin(REPORT_TIERS) & (catalogue["status"] == "certified")]
    order = chosen.assign(rank=chosen["tier"].map({t: i for i, t in enumerate(REPORT_TIERS)}))
    return list(order.sort_values(["rank", "metric_name"])["metric_name"])


def render_report(
    con: duckdb.DuckDBPyConnection, anomalies: pd.DataFrame | None, warehouse: str = ""
) -> str:
    """The report's HTML for the warehouse behind `con`."""
    catalogue = metric_data.load_catalogue(con)
    tree = metric_data.load_tree(con)
    metrics = report_metrics(catalogue)
    daily = metric_data.daily_rows(con, None, None)
    latest = daily[daily["metric_name"].isin(metrics)]["metric_date"].max()
    # slices of the latest days only: each metric's latest day and a week before it
    recent = [latest - dt.timedelta(days=k) for k in range(0, 15)]
    dimensions = sorted({d for m in metrics for d in catalogue.loc[m, "allowed_dimensions"]})
    slices = metric_data.daily_rows(con, metrics, recent, dimensions)
    cards = [build_card(m, catalogue, tree, daily, slices, anomalies) for m in metrics]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    note = "no anomaly results" if anomalies is None else f"{len(anomalies):,} series-days scored"
    return environment.get_template(TEMPLATE).render(
        cards=[c for c in cards if c is not None],
        latest_day=latest,
        warehouse=warehouse,
        anomaly_note=note,
    )


def write_report(
    warehouse: str | Path,
    out: str | Path,
    anomalies: pd.DataFrame | None = None,
) -> Path:
    """Write the report; anomalies default to the latest `pgc check` run's, when there is one."""
    with metric_data.connect(warehouse) as con:
        if anomalies is None:
            anomalies = metric_data.latest_anomalies(con)
        html = render_report(con, anomalies, Path(warehouse).name)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
