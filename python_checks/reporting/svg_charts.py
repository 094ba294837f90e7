"""Inline SVG charts for the HTML report: a sparkline with anomaly markers and a waterfall
of a change's contributions. Inline SVG in HTML5 needs no xmlns: leaving it out keeps the
report free of any URL."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from markupsafe import escape

from python_checks.reporting.formats import format_change, format_value

GOOD, BAD, NEUTRAL = "#1a7f37", "#cf222e", "#8c959f"


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
            text = format_value(a, value_format)
        else:
            left, right = sorted((x(a), x(b)))
            text = format_change(b - a, value_format)
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
