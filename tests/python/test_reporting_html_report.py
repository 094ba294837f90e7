"""`pgc report`: one self-contained HTML file, a section per north-star and L1 metric, SVG
charts, and a marker per injected anomaly."""

import datetime as dt
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from python_checks import cli
from python_checks.reporting import html_report, svg_charts
from python_checks.warehouse.connection import connect
from python_checks.warehouse.report_inputs import read_report_inputs

ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE = str(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"))


def _anomalies(rows: list[tuple[str, dt.date, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric_name": [m for m, _, _ in rows],
            "dimension_name": "total",
            "dimension_value": "total",
            "metric_date": [d for _, d, _ in rows],
            "is_anomaly": True,
            "is_bad_direction": [bad for _, _, bad in rows],
        }
    )


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    anomalies = _anomalies(
        [
            ("watch_hours", dt.date(2026, 9, 28), False),
            ("watch_hours", dt.date(2026, 9, 24), True),
            ("views_per_active_viewer", dt.date(2026, 9, 24), True),
        ]
    )
    with connect(WAREHOUSE) as con:
        inputs = read_report_inputs(con, html_report.REPORT_TIERS)
    return html_report.render_report(
        inputs.catalogue, inputs.tree, inputs.daily, inputs.slices, anomalies, "tiny.duckdb"
    )


def _section(html: str, metric: str) -> str:
    return re.search(rf'<section class="metric" id="{metric}">(.*?)</section>', html, re.S)[1]


def test_one_section_per_certified_north_star_and_l1_metric(html, warehouse):
    expected = {
        name
        for (name,) in warehouse.execute(
            "select metric_name from metrics.metric_catalogue "
            "where tier in ('north_star', 'L1') and status = 'certified'"
        ).fetchall()
    }
    assert set(re.findall(r'<section class="metric" id="(\w+)">', html)) == expected
    assert html.index('id="watch_hours"') < html.index('id="daily_active_viewers"')


def test_the_file_is_self_contained(html):
    assert not re.search(r"https?:", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html


def test_svgs_are_well_formed(html):
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == html.count("<svg")
    assert html.count("<polyline") == html.count("<section")  # a sparkline per metric
    # watch_hours' waterfall: baseline, its three product factors, the day
    assert _section(html, "watch_hours").count("<rect") == 5
    for svg in svgs:
        root = ElementTree.fromstring(svg)  # raises on malformed XML
        assert root.tag == "svg" and root.get("viewBox")
        assert root.find("polyline") is not None or root.find("rect") is not None


def test_markers_for_the_injected_anomalies(html):
    watch = _section(html, "watch_hours")
    markers = re.findall(r'<circle class="anomaly"[^>]*fill="(#\w+)"', watch)
    assert sorted(markers) == sorted([svg_charts.BAD, svg_charts.NEUTRAL])
    assert len(re.findall(r'class="anomaly"', _section(html, "views_per_active_viewer"))) == 1
    assert 'class="anomaly"' not in _section(html, "daily_active_viewers")


def test_the_headline_change_matches_metric_daily(html, warehouse):
    (last,) = warehouse.execute(
        "select max(metric_date) from metrics.metric_daily "
        "where metric_name = 'daily_active_viewers' and dimension_name = 'total'"
    ).fetchone()
    now, before = (
        warehouse.execute(
            "select value from metrics.metric_daily where metric_name = 'daily_active_viewers' "
            "and dimension_name = 'total' and metric_date = ?",
            [day],
        ).fetchone()[0]
        for day in (last, last - dt.timedelta(days=7))
    )
    section = _section(html, "daily_active_viewers")
    assert (
        f"{now - before:+,.1f} ({(now - before) / before:+.1%}) vs {last - dt.timedelta(days=7)}"
        in section
    )
    assert ('class="good"' in section) == (now > before)  # higher is better


def test_sparkline_puts_a_marker_on_its_point():
    days = [dt.date(2026, 1, d) for d in (1, 2, 3)]
    svg = svg_charts.sparkline_svg(days, [1.0, 3.0, 2.0], [(days[1], True)], width=104, height=48)
    assert 'points="4.0,44.0 52.0,4.0 100.0,24.0"' in svg
    assert '<circle class="anomaly" cx="52.0" cy="4.0" r="3" fill="#cf222e">' in svg


def test_cli_report_writes_the_file(tmp_path, capsys):
    out = tmp_path / "sub" / "metric_health.html"
    assert cli.main(["report", "--warehouse", WAREHOUSE, "--out", str(out)]) == 0
    assert out.exists() and str(out) in capsys.readouterr().out
