"""`pgc check`: run every check, keep the results in the `checks` schema, exit 1 when a
blocking check failed."""

from __future__ import annotations

import argparse
from pathlib import Path

from python_checks.cli.arguments import DEFAULT_WAREHOUSE


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="run every check, write the checks schema")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="DuckDB file (read-write)")
    parser.add_argument("--raw", type=Path, default=None, help="raw data folder to reconcile")


def run(args: argparse.Namespace) -> int:
    from python_checks.monitoring.check_runner import run_checks
    from python_checks.reporting.check_layout import render_check_summary
    from python_checks.reporting.progress import stderr_progress
    from python_checks.warehouse.check_inputs import read_check_inputs
    from python_checks.warehouse.check_store import write_check_run
    from python_checks.warehouse.connection import connect

    progress = stderr_progress("check")
    with connect(args.warehouse, read_only=False) as con:
        inputs = read_check_inputs(con, args.raw, progress)
        outcome = run_checks(inputs, progress=progress)
        progress("writing the results")
        write_check_run(con, outcome, str(args.warehouse))
    progress("done")
    print(render_check_summary(outcome.results))
    print(f"\nrun {outcome.run_id}: results in checks.check_results, exit {outcome.exit_code}")
    return outcome.exit_code
