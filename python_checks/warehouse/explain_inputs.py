"""What `pgc explain` and `pgc report` read, in one place, before anything is computed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from python_checks.diagnosis.explanation import ExplainInputs
from python_checks.warehouse.metric_layer import (
    daily_rows,
    date_range,
    leaf_rows,
    load_catalogue,
    load_tree,
)


def read_explain_inputs(
    con: duckdb.DuckDBPyConnection, metric: str, dates: Sequence[dt.date]
) -> ExplainInputs:
    """The catalogue and tree, the metric's date range, and (when the metric exists and the
    days are in its range) the total rows of every metric, the metric's slices and its leaf
    rows on `dates`. What is not read is left empty, for `explain` to report why."""
    catalogue = load_catalogue(con)
    tree = load_tree(con)
    empty = pd.DataFrame(columns=["metric_date", "metric_name", "dimension_name"])
    if metric not in catalogue.index:
        return ExplainInputs(catalogue, tree, None, empty, empty, None, None)
    span = date_range(con, metric)
    if span is None or not all(span[0] <= day <= span[1] for day in dates):
        return ExplainInputs(catalogue, tree, span, empty, empty, None, None)
    entry = catalogue.loc[metric]
    leaf_sql = entry["leaf_sql"]
    has_leaves = isinstance(leaf_sql, str)
    return ExplainInputs(
        catalogue=catalogue,
        tree=tree,
        date_range=span,
        totals=daily_rows(con, None, dates),
        slices=daily_rows(con, [metric], dates, entry["allowed_dimensions"]),
        leaves=leaf_rows(con, leaf_sql, dates) if has_leaves else None,
        leaf_note=None if has_leaves else entry["leaf_sql_note"],
    )
