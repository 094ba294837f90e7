"""`pgc localize FILE`: root causes of an incident given as a CSV file of leaves."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from python_checks.cli.arguments import UsageError, names, positive
from python_checks.diagnosis.leaf_columns import ROLES


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "localize",
        help="root causes of an incident given as a CSV file of leaves",
        description="Formats and column detection: docs/python_checks.md (incident files).",
    )
    parser.add_argument("file", type=Path, help="CSV of leaves (or <name>.a.csv)")
    parser.add_argument(
        "--dimensions", type=names, help="comma-separated dimension columns (default: detected)"
    )
    for role in ROLES:
        parser.add_argument(f"--{role.replace('_', '-')}", metavar="COLUMN", dest=role)
    parser.add_argument("--anomaly-time", help="the anomalous time (files with a time column)")
    parser.add_argument("--top", type=positive, default=5, help="culprits shown")
    parser.add_argument(
        "--max-causes", type=positive, metavar="N", help="at most N root causes (default 5)"
    )
    parser.add_argument(
        "--min-confidence",
        type=probability,
        metavar="P",
        help="report root causes of confidence P (0 to 1, default 0.5) or more; the others "
        "as alternatives",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the root causes as JSON, one list per file"
    )


def run(args: argparse.Namespace) -> int:
    from python_checks.diagnosis.incident_files import localize_incident
    from python_checks.reporting.explain_layout import render_culprit_table

    roles = {role: getattr(args, role) for role in ROLES if getattr(args, role)}
    try:
        result = localize_incident(
            args.file,
            args.dimensions,
            roles,
            args.anomaly_time,
            top_k=args.top,
            max_causes=args.max_causes,
            min_confidence=args.min_confidence,
        )
    except ValueError as error:
        raise UsageError(str(error)) from error
    if args.json:
        print(json.dumps([{k: _plain(v) for k, v in s.items()} for s in result.root_causes]))
        return 0
    print(f"{args.file}: total actual {result.total_actual:,.1f}, expected "
          f"{result.total_expected:,.1f} ({result.total_deviation:+,.1f})")  # fmt: skip
    print(render_culprit_table(result))
    return 0


def probability(text: str) -> float:
    """A number from 0 to 1 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"not a number from 0 to 1: {text!r}")
    return value


def _plain(value: object) -> object:
    """A numpy scalar as the Python value json can write."""
    return value.item() if hasattr(value, "item") else value
