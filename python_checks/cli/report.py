"""`pgc report`: write the self-contained HTML metric-health report."""

from __future__ import annotations

import argparse
from pathlib import Path

from python_checks.cli.arguments import DEFAULT_WAREHOUSE, SERVING_HELP

DEFAULT_REPORT = "reports/metric_health.html"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="write the HTML metric-health report")
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"DuckDB file (default: {SERVING_HELP})",
    )
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_REPORT))


def run(args: argparse.Namespace) -> int:
    from python_checks.reporting.causal_section import causal_sections
    from python_checks.reporting.experiment_section import experiment_sections
    from python_checks.reporting.html_report import REPORT_TIERS, render_report
    from python_checks.warehouse.causal_store import latest_causal_run
    from python_checks.warehouse.connection import connect
    from python_checks.warehouse.experiment_store import latest_experiment_readouts
    from python_checks.warehouse.publish import reading_path
    from python_checks.warehouse.report_inputs import read_report_inputs

    warehouse = reading_path(args.warehouse, DEFAULT_WAREHOUSE)
    with connect(warehouse) as con:
        inputs = read_report_inputs(con, REPORT_TIERS)
        experiments = latest_experiment_readouts(con)
        causal = latest_causal_run(con)
    html = render_report(
        inputs.catalogue, inputs.tree, inputs.daily, inputs.slices, inputs.anomalies,
        warehouse.resolve().name, experiment_sections(experiments) + causal_sections(causal),
    )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
