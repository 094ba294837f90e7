"""The `pgc` command line: argument parsing and dispatch only, one module per subcommand.

    pgc check    [--warehouse PATH] [--raw DIR]
    pgc explain  METRIC --date D [--baseline D0 | --baseline-days N | --weeks-back K] [--top N]
    pgc localize FILE [--dimensions A,B,...] [--ROLE COLUMN ...] [--anomaly-time T]
                 [--max-causes N] [--min-confidence P] [--json]
    pgc report   [--warehouse PATH] [--out reports/metric_health.html]
    pgc experiment EXPERIMENT_ID | --summary FILE.csv [--control NAME] [--alpha A] [--json]
    pgc causal   rewards|tools [--warehouse PATH] [--no-store]
    pgc publish  [--warehouse PATH] [--serving-dir DIR] [--keep N] [--rollback]

Each subcommand reads what it needs through `python_checks.warehouse`, computes with the
domain packages and renders with `python_checks.reporting`. Exit codes: 0 success, 1 a
blocking check failed (`check`), 2 a usage error (bad arguments, unknown metric, a day
outside the data, a missing or locked warehouse, an unreadable file); errors go to stderr
as one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from python_checks.cli import causal, check, experiment, explain, localize, publish, report
from python_checks.cli.arguments import usage_errors

USAGE_ERROR = 2
# Each module's top level imports only argparse and cli.arguments; what its command
# computes with is imported when it runs.
SUBCOMMANDS = {
    "check": check,
    "explain": explain,
    "localize": localize,
    "report": report,
    "experiment": experiment,
    "causal": causal,
    "publish": publish,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per module of SUBCOMMANDS."""
    parser = argparse.ArgumentParser(prog="pgc", description="Checks and explanations of metrics")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (sys.argv when None), run the command, return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error to stderr
        return int(exit_.code or 0)
    try:
        return SUBCOMMANDS[args.command].run(args)
    except Exception as error:
        if not isinstance(error, usage_errors()):
            raise
        print(f"pgc {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
