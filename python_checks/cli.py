"""The `pgc` command line: argument parsing and dispatch only.

    pgc check   [--warehouse PATH] [--raw DIR]
    pgc explain METRIC --date D [--baseline D0 | --baseline-days N | --weeks-back K] [--top N]
    pgc report  [--warehouse PATH] [--out reports/metric_health.html]
    pgc localize FILE [--dimensions A,B,...] [--ROLE COLUMN ...] [--anomaly-time T] [--json]

Exit codes: 0 success, 1 a blocking check failed (`check`), 2 a usage error (bad arguments,
unknown metric, a day outside the data, a missing warehouse); errors go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_WAREHOUSE = "warehouse/pgc.duckdb"
DEFAULT_REPORT = "reports/metric_health.html"
USAGE_ERROR = 2


class UsageError(Exception):
    """A problem with what the user asked for: printed to stderr, exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no column names in {text!r}")
    return names


# The columns a `localize` file's values can be named by, instead of detected.
ROLES = ("actual", "expected", "actual_denominator", "expected_denominator", "time")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the check, explain and report subcommands."""
    parser = argparse.ArgumentParser(prog="pgc", description="Checks and explanations of metrics")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run every check, write the checks schema")
    check.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="DuckDB file (read-write)")
    check.add_argument("--raw", type=Path, default=None, help="raw data folder to reconcile")

    explain = commands.add_parser("explain", help="why a metric moved on a day")
    explain.add_argument("metric")
    explain.add_argument("--date", type=_date, required=True, help="the day to explain")
    baseline = explain.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=_date, help="compare with this day")
    baseline.add_argument("--baseline-days", type=_positive, help="mean of the N days before")
    baseline.add_argument(
        "--weeks-back", type=_positive, help="same weekday K weeks before (default: 1)"
    )
    explain.add_argument("--top", type=_positive, default=5, help="slices and culprits shown")
    explain.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    explain.add_argument(
        "--manifest", default="target/semantic_manifest.json", help="for the culprit search"
    )

    localize = commands.add_parser(
        "localize",
        help="root causes of an incident given as a CSV file of leaves",
        description="Formats and column detection: docs/python_checks.md (incident files).",
    )
    localize.add_argument("file", type=Path, help="CSV of leaves (or <name>.a.csv)")
    localize.add_argument(
        "--dimensions", type=_names, help="comma-separated dimension columns (default: detected)"
    )
    for role in ROLES:
        localize.add_argument(f"--{role.replace('_', '-')}", metavar="COLUMN", dest=role)
    localize.add_argument("--anomaly-time", help="the anomalous time (files with a time column)")
    localize.add_argument("--top", type=_positive, default=5, help="culprits shown")
    localize.add_argument(
        "--json", action="store_true", help="print the root causes as JSON, one list per file"
    )

    report = commands.add_parser("report", help="write the HTML metric-health report")
    report.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    report.add_argument("--out", type=Path, default=Path(DEFAULT_REPORT))
    return parser


def _run_explain(args: argparse.Namespace) -> int:
    from python_checks import console, explain, metric_data

    baseline = explain.choose_baseline(
        args.date, args.baseline, args.baseline_days, args.weeks_back
    )
    try:
        manifest = metric_data.load_manifest(args.manifest)
    except FileNotFoundError as error:
        print(f"pgc explain: {error}; culprits are skipped", file=sys.stderr)
        manifest = None
    with metric_data.connect(args.warehouse) as con:
        result = explain.explain_metric(con, args.metric, args.date, baseline, args.top, manifest)
        direction = metric_data.load_catalogue(con).loc[args.metric, "direction"]
    good = None if result.change == 0 else (result.change > 0) == (direction == "higher_is_better")
    print(console.render_explanation(result, color=sys.stdout.isatty(), good=good))
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from python_checks import check_runner, console

    outcome = check_runner.run_checks(args.warehouse, raw_dir=args.raw)
    print(console.render_check_summary(outcome.results))
    print(f"\nrun {outcome.run_id}: results in checks.check_results, exit {outcome.exit_code}")
    return outcome.exit_code


def _run_localize(args: argparse.Namespace) -> int:
    from python_checks import console
    from python_checks.incident_files import localize_incident

    roles = {role: getattr(args, role) for role in ROLES if getattr(args, role)}
    try:
        result = localize_incident(
            args.file, args.dimensions, roles, args.anomaly_time, top_k=args.top
        )
    except ValueError as error:
        raise UsageError(str(error)) from error
    if args.json:
        print(json.dumps([{k: _plain(v) for k, v in s.items()} for s in result.root_causes]))
        return 0
    print(f"{args.file}: total actual {result.total_actual:,.1f}, expected "
          f"{result.total_expected:,.1f} ({result.total_deviation:+,.1f})")  # fmt: skip
    print(console.render_culprit_table(result))
    return 0


def _plain(value: object) -> object:
    """A numpy scalar as the Python value json can write."""
    return value.item() if hasattr(value, "item") else value


def _run_report(args: argparse.Namespace) -> int:
    from python_checks import report

    path = report.write_report(args.warehouse, args.out)
    print(f"wrote {path}")
    return 0


COMMANDS = {
    "check": _run_check,
    "explain": _run_explain,
    "localize": _run_localize,
    "report": _run_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (sys.argv when None), run the command, return its exit code."""
    from python_checks.explain import ExplainError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error to stderr
        return int(exit_.code or 0)
    try:
        return COMMANDS[args.command](args)
    except (ExplainError, FileNotFoundError, UsageError) as error:
        print(f"pgc {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
