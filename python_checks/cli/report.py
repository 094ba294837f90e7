"""`pgc report`: write the self-contained HTML metric-health report."""

from __future__ import annotations

import argparse
from pathlib import Path

from python_checks.cli.arguments import DEFAULT_WAREHOUSE
from python_checks.reporting.html_report import REPORT_TIERS, render_report
from python_checks.warehouse.connection import connect
from python_checks.warehouse.report_inputs import read_report_inputs

DEFAULT_REPORT = "reports/metric_health.html"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="write the HTML metric-health report")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_REPORT))


def run(args: argparse.Namespace) -> int:
    with connect(args.warehouse) as con:
        inputs = read_report_inputs(con, REPORT_TIERS)
    html = render_report(
        inputs.catalogue, inputs.tree, inputs.daily, inputs.slices, inputs.anomalies,
        Path(args.warehouse).name,
    )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
