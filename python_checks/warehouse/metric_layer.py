"""Reading the governed metric layer: `metrics.metric_catalogue`, `metric_tree`,
`metric_daily`, and leaf tables through the catalogue's `leaf_sql` (every combination of a
metric's allowed dimensions, per day), which the dbt macros compile from the same semantic
definitions as metric_daily. Python neither parses nor writes aggregate SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from python_checks.diagnosis.leaf_columns import leaf_value_column
from python_checks.warehouse.leaf_order import in_dimension_order

TOTAL = "total"
DAILY_COLUMNS = (
    "metric_date",
    "metric_name",
    "dimension_name",
    "dimension_value",
    "value",
    "numerator",
    "denominator",
)


def load_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """metrics.metric_catalogue, indexed by metric_name (kept as a column too), with
    allowed_dimensions as tuples of dimension names."""
    frame = con.execute("select * from metrics.metric_catalogue order by metric_name").df()
    frame["allowed_dimensions"] = [
        tuple(value) if value is not None else () for value in frame["allowed_dimensions"]
    ]
    return frame.set_index("metric_name", drop=False).rename_axis(None)


def load_tree(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """metrics.metric_tree: metric_name, parent_metric, relation, tier, status, depth; in name
    order, so drivers are listed the same way every run (tables keep no row order)."""
    return con.execute(
        "select metric_name, parent_metric, relation, tier, status, depth from metrics.metric_tree"
        " order by metric_name"
    ).df()


def date_range(
    con: duckdb.DuckDBPyConnection, metric: str | None = None
) -> tuple[dt.date, dt.date] | None:
    """First and last day with a total row in metrics.metric_daily (for one metric if given),
    None when there is none."""
    where = "dimension_name = 'total'" + (" and metric_name = $metric" if metric else "")
    params = {"metric": metric} if metric else {}
    first, last = con.execute(
        f"select min(metric_date), max(metric_date) from metrics.metric_daily where {where}",
        params,
    ).fetchone()
    return None if first is None else (first, last)


def daily_rows(
    con: duckdb.DuckDBPyConnection,
    metrics: Sequence[str] | None = None,
    dates: Sequence[dt.date] | None = None,
    dimensions: Sequence[str] | None = (TOTAL,),
) -> pd.DataFrame:
    """Rows of metrics.metric_daily for the given metrics, days and dimension names ('total'
    for the unsliced series); None reads all of them. metric_date as datetime.date."""
    clauses, params = ["true"], {}
    for column, values in (
        ("dimension_name", dimensions),
        ("metric_name", metrics),
        ("metric_date", dates),
    ):
        if values is not None:
            clauses.append(f"list_contains(${column}, {column})")
            params[column] = list(values)
    frame = con.execute(
        f"select {', '.join(DAILY_COLUMNS)} from metrics.metric_daily "
        f"where {' and '.join(clauses)}",
        params,
    ).df()
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame


def leaf_rows(
    con: duckdb.DuckDBPyConnection, leaf_sql: str, dates: Sequence[dt.date]
) -> pd.DataFrame:
    """A metric's leaf table (its catalogue `leaf_sql`) on the given days, one row per leaf
    with a row on one of them: the dimension values, then per day (in the order of `dates`)
    its numerator and, for ratios, its denominator, in columns named by `leaf_value_column`
    (null on a day without a row), in a stable order."""
    # A cursor of its own: a relation (which converts to Arrow without a copy) cannot start
    # while the caller's connection holds an unfinished result.
    with con.cursor() as cursor:
        return _leaf_rows(cursor, leaf_sql, dates)


def _leaf_rows(
    con: duckdb.DuckDBPyConnection, leaf_sql: str, dates: Sequence[dt.date]
) -> pd.DataFrame:
    columns = con.sql(leaf_sql).columns
    measures = [c for c in ("numerator", "denominator") if c in columns]
    dimensions = [c for c in columns if c not in ("metric_date", *measures)]
    days = {f"day{i}": day for i, day in enumerate(dates)}
    # leaf_sql has one row per leaf and day: its days are put side by side (a reshape, each
    # cell one value, not an aggregate) in DuckDB rather than in pandas, where the rows of
    # every day would be converted first.
    per_day = ", ".join(
        f"cast(any_value({measure}) filter (where metric_date = ${name}) as double) as "
        f'"{leaf_value_column(measure, day)}"'
        for name, day in days.items()
        for measure in measures
    )
    # The range is redundant with the list but reaches the table scan as a filter DuckDB
    # applies while it reads (a list only prunes by min/max), so columns are decoded for
    # the days between first and last only. Through Arrow, which makes one Python string per
    # distinct value (DuckDB's own conversion makes one per cell: 2 s of 13 dimensions for a
    # million leaves), with 64-bit offsets, the layout of pandas' own strings (otherwise
    # every text column is copied: 0.2 s for 888,428 leaves; the setting holds for the
    # whole database, and no other read depends on it). Ordered out of DuckDB (`leaf_order`:
    # the same order, for fewer CPU seconds, with the dimensions as categoricals).
    con.execute("set arrow_large_buffer_size = true")
    table = con.sql(
        f"select * exclude (metric_date, {', '.join(measures)}), {per_day} "
        f"from ({leaf_sql}) as leaves where metric_date between $first and $last "
        "and list_contains($dates, metric_date) group by all",
        params={"dates": list(dates), "first": min(dates), "last": max(dates), **days},
    ).to_arrow_table()
    return in_dimension_order(table, dimensions).to_pandas()
