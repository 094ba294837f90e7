"""`pgc report`: one self-contained HTML file on the health of the north-star and L1 metrics.

Per metric (certified, catalogue tier north_star or L1): the latest value, its change against
the same weekday a week before (signed, coloured by the catalogue's direction), a sparkline of
the daily total with anomaly markers, a waterfall of the latest change over the metric's first
exact identity, and the top slices. Inline CSS and SVG only: no scripts, fonts or links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from python_checks.diagnosis.baseline_period import BaselinePeriod
from python_checks.diagnosis.culprits import Culprits
from python_checks.diagnosis.explanation import Explanation, explain_frames, is_good_change
from python_checks.reporting.formats import (
    DEFAULT_FORMAT,
    format_change,
    format_percent,
    format_value,
    short_dimension_names,
)
from python_checks.reporting.svg_charts import BAD, GOOD, NEUTRAL, sparkline_svg, waterfall_svg

REPORT_TIERS = ("north_star", "L1")
SPARKLINE_DAYS = 90
TOP_SLICES = 5
TEMPLATE = "metric_health.html.j2"


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


def _waterfall(result: Explanation, direction: str) -> tuple[str, Markup]:
    node = result.drivers
    if not node.identities:
        return "No exact identity to decompose this metric", Markup("")
    identity = node.identities[0]
    value_format = result.value_formats.get(result.metric, DEFAULT_FORMAT)
    steps = []
    for item in identity.contributions:
        good = is_good_change(item.contribution, direction)
        colour = NEUTRAL if good is None else (GOOD if good else BAD)
        steps.append((item.driver, item.contribution, colour))
    svg = waterfall_svg(node.baseline, steps, node.comparison, value_format)
    return f"{identity.formula} ({identity.kind}, {identity.method})", Markup(svg)


def _top_slices(result: Explanation) -> tuple[dict[str, str], ...]:
    value_format = result.value_formats.get(result.metric, DEFAULT_FORMAT)
    names = short_dimension_names([b.dimension for b in result.slices])
    rows = []
    for breakdown in result.slices:
        for record in breakdown.slices.itertuples():
            rows.append((abs(record.contribution), names[breakdown.dimension], record))
    rows.sort(key=lambda item: item[0], reverse=True)
    return tuple(
        {
            "slice": f"{dimension}={record.dimension_value}",
            "baseline": format_value(record.baseline, value_format),
            "comparison": format_value(record.comparison, value_format),
            "contribution": format_change(record.contribution, value_format),
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
    baseline = BaselinePeriod.weeks_back(day, 1)
    if baseline.dates[0] not in set(series["metric_date"]):
        return None
    empty = Culprits((), None, "not run in the report")
    result = explain_frames(
        metric, day, baseline, catalogue, tree, daily, slices, empty, TOP_SLICES
    )
    value_format = result.value_formats.get(metric, DEFAULT_FORMAT)
    good = result.is_good
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
        value=format_value(result.value, value_format),
        change=format_change(result.change, value_format),
        relative=format_percent(result.relative_change),
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


@dataclass(frozen=True)
class ReportSection:
    """A section after the metric cards (experiments, causal estimates, ...): its title and
    its body, HTML its own renderer escaped (inline CSS and SVG only)."""

    section_id: str
    title: str
    body: Markup


def render_report(
    catalogue: pd.DataFrame,
    tree: pd.DataFrame,
    daily: pd.DataFrame,
    slices: pd.DataFrame,
    anomalies: pd.DataFrame | None,
    warehouse: str = "",
    sections: Sequence[ReportSection] = (),
) -> str:
    """The report's HTML: `daily` holds metric_daily's total rows, `slices` the report
    metrics' slice rows of their latest days, `anomalies` the latest check run's (or None),
    `sections` what follows the metric cards."""
    metrics = report_metrics(catalogue)
    latest = daily[daily["metric_name"].isin(metrics)]["metric_date"].max()
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
        sections=sections,
    )
