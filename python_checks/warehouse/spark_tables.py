"""A warehouse that dbt built on Spark, opened as DuckDB: every table Spark wrote under
`<spark dir>/tables/<schema>.db/<table>/` becomes the view `<schema>.<table>` over its
Parquet files, so the rest of the warehouse layer runs its SQL unchanged (docs/spark.md).

Reading the files is exact (the values Spark wrote, no second engine's arithmetic) and
needs no JVM. A Spark view is not a file: the build records each view's SQL in
build_log.view_definitions (macros/builds/record_view_definitions.sql), and the same view is
defined here over the table views."""

from __future__ import annotations

from pathlib import Path

import duckdb

TABLES = "tables"
# Where `pgc check` keeps its results for a Spark build: the Spark tables stay read-only.
CHECKS_FILE = "pgc_checks.duckdb"


def is_spark_warehouse(path: Path) -> bool:
    """A Spark warehouse is a directory holding the `tables` folder dbt-spark writes to."""
    return path.is_dir() and (path / TABLES).is_dir()


def table_folders(path: Path) -> dict[tuple[str, str], Path]:
    """(schema, table) -> the folder of a Spark table with at least one Parquet file."""
    folders = {}
    for schema_dir in sorted((path / TABLES).glob("*.db")):
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
            if next(table_dir.rglob("*.parquet"), None) is not None:
                folders[(schema_dir.name.removesuffix(".db"), table_dir.name)] = table_dir
    return folders


def _select_list(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """Every column, Spark's UTC instants (TIMESTAMP WITH TIME ZONE in Parquet) read back
    as the plain UTC timestamps the DuckDB build holds."""
    columns = con.execute(f"describe select * from {source}").fetchall()
    return ", ".join(
        f"timezone('UTC', {name}) as {name}" if kind == "TIMESTAMP WITH TIME ZONE" else name
        for name, kind, *_ in columns
    )


def connect_spark(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """DuckDB over the Spark tables: in memory when read-only, else in CHECKS_FILE (which
    keeps the `checks` schema between runs)."""
    con = duckdb.connect(":memory:" if read_only else str(path / CHECKS_FILE))
    for (schema, table), folder in table_folders(path).items():
        # Partitioned tables keep the partition column in the folder names (col=value).
        source = f"read_parquet('{folder.resolve()}/**/*.parquet', hive_partitioning = true)"
        con.execute(f"create schema if not exists {schema}")
        con.execute(
            f"create or replace view {schema}.{table} as "
            f"select {_select_list(con, source)} from {source}"
        )
    _define_views(con)
    return con


def _define_views(con: duckdb.DuckDBPyConnection) -> None:
    """The views the Spark build recorded, each defined once its inputs are (a view over a
    view waits for it). A view whose Spark SQL DuckDB cannot bind is left undefined: reading
    it fails naming it."""
    recorded = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'build_log' and table_name = 'view_definitions'"
    ).fetchone()[0]
    if not recorded:
        return
    pending = con.execute(
        "select schema_name, view_name, view_sql from build_log.view_definitions "
        "qualify row_number() over (partition by schema_name, view_name "
        "order by recorded_at desc) = 1 order by all"
    ).fetchall()
    while pending:
        waiting = []
        for schema, view, sql in pending:
            try:
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create or replace view {schema}.{view} as {sql}")
            except duckdb.Error:
                waiting.append((schema, view, sql))
        if len(waiting) == len(pending):
            return
        pending = waiting
