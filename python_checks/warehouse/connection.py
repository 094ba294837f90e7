"""Opening the warehouse, with one-line errors for the ways it fails: a DuckDB file, or the
directory of a warehouse dbt built on Spark (python_checks/warehouse/spark_tables.py)."""

import os
from pathlib import Path

import duckdb

from python_checks.warehouse.spark_tables import connect_spark, is_spark_warehouse

# The same memory limit dbt builds with (profiles.yml): DuckDB's own default is 80 % of the
# machine's memory, and `pgc check` on the large warehouse then peaked at 20 GB; past the
# limit DuckDB spills to disk instead.
MEMORY_LIMIT = os.environ.get("PGC_DUCKDB_MEMORY_LIMIT", "6GB")


class WarehouseError(Exception):
    """The warehouse cannot be opened or read as asked: a one-line message saying what to do."""


def connect(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (or Spark warehouse directory); a missing file or a lock held by
    another process is a WarehouseError naming the file."""
    if not Path(path).exists():
        raise WarehouseError(f"no warehouse at {path}: build it with `make run`")
    if is_spark_warehouse(Path(path)):
        return connect_spark(Path(path), read_only)
    if Path(path).is_dir():
        raise WarehouseError(
            f"{path} is a directory but not a Spark warehouse (no tables/ inside): "
            "pass a DuckDB file or the PGC_SPARK_DIR of a Spark build"
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = str(error).split("Conflicting lock is held in", 1)[-1].strip()
        raise WarehouseError(
            f"{path} is locked by another process ({holder}): a build or a reader holds it; "
            "wait for it to finish or close it, then run again"
        ) from None
    # A setting, not a connect-time config: DuckDB refuses a second connection to a file with
    # a config different from the first's (a caller's own connection, in tests).
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    return con
