"""Argument types and defaults shared by the subcommands, and the errors that are the
user's to fix (printed as one line, exit code 2)."""

from __future__ import annotations

import argparse
import datetime as dt

DEFAULT_WAREHOUSE = "warehouse/pgc.duckdb"
# Read commands open the serving snapshot when one is published (`pgc publish`).
SERVING_HELP = "warehouse/serving.duckdb when published, else warehouse/pgc.duckdb"


class UsageError(Exception):
    """A problem with what the user asked for: printed to stderr, exit code 2."""


def usage_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix. Imported when an error is being handled, so
    that starting a subcommand loads only what that subcommand uses."""
    from python_checks.diagnosis.baseline_period import BaselineError
    from python_checks.diagnosis.explanation import ExplainError
    from python_checks.warehouse.connection import WarehouseError

    return (BaselineError, ExplainError, FileNotFoundError, UsageError, WarehouseError)


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no column names in {text!r}")
    return names
