"""What `pgc report` reads: the catalogue and tree, every metric's daily totals, the slices of
the reported metrics' latest days, and the latest check run's anomalies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from python_checks.warehouse.check_store import latest_anomalies
from python_checks.warehouse.metric_layer import daily_rows, load_catalogue, load_tree

# The report compares each metric's latest day with the same weekday a week before: two
# weeks of slices cover both even when metrics end a few days apart.
RECENT_DAYS = 15


@dataclass(frozen=True)
class ReportInputs:
    catalogue: pd.DataFrame
    tree: pd.DataFrame
    daily: pd.DataFrame  # metric_daily total rows of every metric and day
    slices: pd.DataFrame  # slice rows of the reported metrics on the recent days
    anomalies: pd.DataFrame | None  # the latest `pgc check` run's, None before any


def read_report_inputs(con: duckdb.DuckDBPyConnection, tiers: Sequence[str]) -> ReportInputs:
    """The report's inputs for the certified metrics of the given catalogue tiers."""
    catalogue = load_catalogue(con)
    chosen = catalogue[catalogue["tier"].isin(tiers) & (catalogue["status"] == "certified")]
    daily = daily_rows(con)
    latest = daily[daily["metric_name"].isin(chosen.index)]["metric_date"].max()
    recent = [latest - dt.timedelta(days=k) for k in range(RECENT_DAYS)]
    dimensions = sorted({d for values in chosen["allowed_dimensions"] for d in values})
    slices = daily_rows(con, list(chosen.index), recent, dimensions)
    return ReportInputs(catalogue, load_tree(con), daily, slices, latest_anomalies(con))
