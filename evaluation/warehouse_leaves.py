"""Leaf tables for `localize` from any table of the warehouse, for the evaluation of
localization on the simulator's planted incidents (the product reads leaves through the
catalogue's `leaf_sql` instead).

A leaf is one combination of dimension values. For each leaf the query sums a numerator
expression (and optionally a denominator expression) over the comparison day(s) and over the
baseline days (a `BaselinePeriod`), as means per day, so that
`localize(leaves, dims, LEAF_COLUMNS)` (or `RATIO_LEAF_COLUMNS` with a denominator) answers
"why did this metric move on that day?".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from python_checks.diagnosis.baseline_period import BaselinePeriod
from python_checks.diagnosis.leaf_columns import LeafColumns

LEAF_COLUMNS = LeafColumns("actual", "expected")
RATIO_LEAF_COLUMNS = LeafColumns("actual", "expected", "actual_denominator", "expected_denominator")


def quote_identifier(name: str) -> str:
    """A DuckDB identifier in double quotes (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _quoted_table(table: str) -> str:
    return ".".join(quote_identifier(part) for part in table.split("."))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of `table` ('schema.table' or 'table'); errors name it."""
    try:
        described = con.execute(f"describe {_quoted_table(table)}").fetchall()
    except duckdb.Error as error:
        raise ValueError(f"table {table!r} cannot be read: {error}") from error
    return {str(row[0]): str(row[1]) for row in described}


def _date_column(columns: Mapping[str, str], table: str, date_column: str | None) -> str:
    if date_column is not None:
        if date_column not in columns:
            raise ValueError(f"table {table!r} has no date column {date_column!r}")
        return date_column
    dates = [name for name, kind in columns.items() if kind == "DATE" and name.endswith("_date")]
    if len(dates) != 1:
        raise ValueError(
            f"table {table!r}: cannot tell the date column (DATE columns named *_date: "
            f"{dates}); pass date_column"
        )
    return dates[0]


def _check_expression(
    con: duckdb.DuckDBPyConnection, table: str, role: str, expression: str
) -> None:
    """Fail early, naming the table, when an expression does not compile against it."""
    try:
        quoted = _quoted_table(table)
        con.execute(f"select sum(cast(({expression}) as double)) from {quoted} limit 0")
    except duckdb.Error as error:
        raise ValueError(f"table {table!r}: {role} {expression!r} is invalid: {error}") from error


def warehouse_leaves(
    con: duckdb.DuckDBPyConnection,
    table: str,
    dimensions: Mapping[str, str] | Sequence[str],
    numerator: str,
    day: dt.date,
    baseline: BaselinePeriod,
    denominator: str | None = None,
    date_column: str | None = None,
    comparison_days: int = 1,
) -> pd.DataFrame:
    """One row per leaf: dimension values, `actual` and `expected` per-day means of
    sum(numerator), and with a denominator `actual_denominator`, `expected_denominator`.

    dimensions: output name -> column (e.g. {"region": "viewer_region_code"}), or a list of
      column names kept as they are. Columns are quoted; numerator and denominator are SQL
      expressions evaluated per row and summed (`1` counts rows, `is_completed` counts true
      values, `watch_ms / 3.6e6` sums hours).
    day, comparison_days: the comparison period is `day` and the following days.
    Leaves seen in neither period are left out.
    """
    if comparison_days < 1:
        raise ValueError(f"comparison_days must be at least 1, got {comparison_days}")
    names = dict(dimensions) if isinstance(dimensions, Mapping) else {d: d for d in dimensions}
    if not names:
        raise ValueError("no dimensions given")
    columns = table_columns(con, table)
    missing = [column for column in names.values() if column not in columns]
    if missing:
        raise ValueError(f"table {table!r} has no column(s) {missing}; it has {list(columns)}")
    when = quote_identifier(_date_column(columns, table, date_column))
    roles = {"numerator": numerator, **({"denominator": denominator} if denominator else {})}
    for role, expression in roles.items():
        _check_expression(con, table, role, expression)
    comparison = [day + dt.timedelta(days=k) for k in range(comparison_days)]
    base_days = list(baseline.dates)
    measures = []
    for role, expression in roles.items():
        suffix = "" if role == "numerator" else "_denominator"
        for label, days in (("actual", comparison), ("expected", base_days)):
            placeholders = ", ".join("?" for _ in days)
            measures.append(
                f"coalesce(sum(cast(({expression}) as double)) filter (where {when} in "
                f"({placeholders})), 0) / {len(days)} as {label}{suffix}"
            )
    selected = [f"{quote_identifier(col)} as {quote_identifier(n)}" for n, col in names.items()]
    every_day = sorted({*comparison, *base_days})
    day_list = ", ".join("?" for _ in every_day)
    sql = (
        f"select {', '.join(selected)}, {', '.join(measures)} "
        f"from {_quoted_table(table)} where {when} in ({day_list}) "
        f"group by all"
    )
    parameters: list[dt.date] = []
    for _ in roles:
        parameters += [*comparison, *base_days]
    frame = con.execute(sql, [*parameters, *every_day]).df()
    return frame.sort_values(list(names)).reset_index(drop=True)
