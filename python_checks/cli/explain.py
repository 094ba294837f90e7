"""`pgc explain METRIC --date D`: why a metric moved on a day."""

from __future__ import annotations

import argparse
import sys

from python_checks.cli.arguments import DEFAULT_WAREHOUSE, SERVING_HELP, date, positive


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("explain", help="why a metric moved on a day")
    parser.add_argument("metric")
    parser.add_argument("--date", type=date, required=True, help="the day to explain")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=date, help="compare with this day")
    baseline.add_argument("--baseline-days", type=positive, help="mean of the N days before")
    baseline.add_argument(
        "--weeks-back", type=positive, help="same weekday K weeks before (default: 1)"
    )
    parser.add_argument("--top", type=positive, default=5, help="slices and culprits shown")
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"DuckDB file (default: {SERVING_HELP})",
    )


def run(args: argparse.Namespace) -> int:
    from python_checks.diagnosis.baseline_period import choose_baseline
    from python_checks.diagnosis.explanation import explain
    from python_checks.reporting.explain_layout import render_explanation
    from python_checks.reporting.progress import stderr_progress
    from python_checks.warehouse.connection import connect
    from python_checks.warehouse.explain_inputs import read_explain_inputs
    from python_checks.warehouse.publish import reading_path

    progress = stderr_progress("explain")
    baseline = choose_baseline(args.date, args.baseline, args.baseline_days, args.weeks_back)
    warehouse = reading_path(args.warehouse, DEFAULT_WAREHOUSE)
    with connect(warehouse) as con:
        inputs = read_explain_inputs(con, args.metric, [args.date, *baseline.dates])
    # Only once the metric and days were found: a usage error stays the one line on stderr.
    if inputs.leaves is not None:
        progress(f"read {args.metric}; localizing over {len(inputs.leaves):,} leaves")
    explanation = explain(args.metric, args.date, baseline, inputs, args.top)
    progress("done")
    print(render_explanation(explanation, color=sys.stdout.isatty()))
    return 0
