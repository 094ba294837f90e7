"""`pgc experiment`: the readout of a registered experiment (from the warehouse) or of a
summary file of per-arm sufficient statistics."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from python_checks.cli.arguments import DEFAULT_WAREHOUSE, UsageError, positive

# The keys of stats.multiple_testing.ADJUSTMENTS (tests/python/test_cli.py checks they are),
# named here so that parsing the command line does not import numpy.
ADJUSTMENT_NAMES = ("benjamini-hochberg", "holm")


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"alpha must be between 0 and 1, got {text}")
    return value


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "experiment",
        help="read out an A/B experiment: sample ratio, lifts, guardrails, decision",
        description="Methods and the summary-file layout: docs/experiments.md.",
    )
    parser.add_argument("experiment_id", nargs="?", help="an experiment of the registry")
    parser.add_argument(
        "--all", action="store_true", help="every experiment of the registry, one after another"
    )
    parser.add_argument("--summary", type=Path, help="CSV of per-arm sufficient statistics")
    parser.add_argument("--control", default="control", help="the control variant's name")
    parser.add_argument("--alpha", type=_alpha, default=0.05, help="1 - confidence level")
    parser.add_argument("--adjustment", choices=ADJUSTMENT_NAMES, default="benjamini-hochberg")
    parser.add_argument("--srm-threshold", type=_alpha, default=0.001)
    parser.add_argument(
        "--tightest-at", type=positive, default=5000, metavar="UNITS",
        help="units at which the always-valid interval is narrowest (set before starting)",
    )  # fmt: skip
    parser.add_argument("--no-cuped", action="store_true", help="no pre-period adjustment")
    parser.add_argument("--json", action="store_true", help="print the metric rows as JSON")
    parser.add_argument("--export-summary", type=Path, metavar="FILE.csv")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    parser.add_argument(
        "--no-store", action="store_true", help="do not write checks.experiment_results"
    )


def run(args: argparse.Namespace) -> int:
    from python_checks.experiments.experiment_readout import result_records
    from python_checks.experiments.readout import ReadoutOptions
    from python_checks.experiments.summary_files import (
        SummaryFileError,
        read_summary_file,
        summary_inputs,
        write_summary_file,
    )
    from python_checks.reporting.experiment_layout import render_readout
    from python_checks.warehouse.connection import connect
    from python_checks.warehouse.experiment_inputs import (
        read_experiment_ids,
        read_experiment_inputs,
    )
    from python_checks.warehouse.experiment_store import write_experiment_run

    if [bool(args.summary), bool(args.experiment_id), args.all].count(True) != 1:
        raise UsageError("give an EXPERIMENT_ID, --all or --summary FILE.csv (one of them)")
    if args.all and args.export_summary:
        raise UsageError("--export-summary writes one experiment's file: give its EXPERIMENT_ID")
    options = ReadoutOptions(
        alpha=args.alpha, control=args.control, adjustment=args.adjustment,
        srm_threshold=args.srm_threshold, tightest_at_units=args.tightest_at,
        cuped=not args.no_cuped,
    )  # fmt: skip
    if args.summary:
        try:
            summary = read_summary_file(args.summary, args.control)
            inputs = summary_inputs(summary, args.summary.name)
        except (SummaryFileError, ValueError) as error:
            raise UsageError(str(error)) from error
        readout = _build(inputs, options)
        if summary.ignored_columns and not args.json:
            print(f"ignored columns: {', '.join(summary.ignored_columns)}", file=sys.stderr)
    else:
        store = not args.no_store and not args.export_summary
        with connect(args.warehouse, read_only=not store) as con:
            ids = read_experiment_ids(con) if args.all else [args.experiment_id]
            readouts = []
            for experiment_id in ids:
                inputs = read_experiment_inputs(con, experiment_id)
                readouts.append(_build(inputs, options))
                if store:
                    write_experiment_run(con, readouts[-1], Path(args.warehouse).name)
        if args.export_summary:
            write_summary_file(args.export_summary, inputs.metrics, dict(inputs.designed_shares))
            print(f"wrote {args.export_summary}", file=sys.stderr)
        if len(readouts) > 1:
            return _print_all(readouts, args.json)
        readout = readouts[0]
    if args.json:
        print(json.dumps(result_records(readout), indent=2))
    else:
        print(render_readout(readout, colour=sys.stdout.isatty()))
    return 0


def _print_all(readouts, as_json: bool) -> int:
    """Every readout, one after another (a JSON object keyed by experiment with --json)."""
    from python_checks.experiments.experiment_readout import result_records
    from python_checks.reporting.experiment_layout import render_readout

    if as_json:
        records = {r.design.experiment_id: result_records(r) for r in readouts}
        print(json.dumps(records, indent=2))
    else:
        print("\n\n".join(render_readout(r, colour=sys.stdout.isatty()) for r in readouts))
    return 0


def _build(inputs, options):
    """The readout, with a bad input as a usage error."""
    from python_checks.experiments.experiment_readout import build_readout

    try:
        return build_readout(inputs, options)
    except ValueError as error:
        raise UsageError(str(error)) from error
