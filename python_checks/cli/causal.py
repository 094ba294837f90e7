"""`pgc causal rewards|tools`: run every causal estimator on the marts, print one table,
keep the estimates in checks.causal_estimates (one row per estimator x outcome x run)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid

from python_checks.cli.arguments import DEFAULT_WAREHOUSE, UsageError

STUDIES = ("rewards", "tools")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "causal", help="estimate what the rewards program or the content tools caused"
    )
    parser.add_argument("study", choices=STUDIES, help="which program to study")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="DuckDB file")
    parser.add_argument(
        "--no-store", action="store_true", help="print only; do not write checks.causal_*"
    )


def run(args: argparse.Namespace) -> int:
    from python_checks.causal.estimate import CausalInputError
    from python_checks.causal.studies import rewards_study, tools_study
    from python_checks.reporting.causal_layout import render_study
    from python_checks.warehouse.causal_inputs import read_causal_panel
    from python_checks.warehouse.causal_store import write_causal_run
    from python_checks.warehouse.connection import connect

    studies = {"rewards": rewards_study, "tools": tools_study}
    # Read once (read-only: a dashboard may hold the file), compute, then store.
    with connect(args.warehouse) as con:
        panel = read_causal_panel(con, str(args.warehouse))
    try:
        result = studies[args.study](panel)
    except CausalInputError as error:
        raise UsageError(str(error)) from None
    print(render_study(result, colour=sys.stdout.isatty()))
    if args.no_store:
        return 0
    run_id = uuid.uuid4().hex[:12]
    run_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with connect(args.warehouse, read_only=False) as con:
        rows = write_causal_run(con, result, run_id, run_at, str(args.warehouse))
    print(f"\nrun {run_id}: {rows} estimates in checks.causal_estimates")
    return 0
