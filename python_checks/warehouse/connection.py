"""Opening the warehouse, with one-line errors for the ways it fails: a DuckDB file, or the
directory of a warehouse dbt built on Spark (python_checks/warehouse/spark_tables.py)."""

from pathlib import Path

import duckdb

from python_checks.warehouse.spark_tables import connect_spark, is_spark_warehouse


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
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = str(error).split("Conflicting lock is held in", 1)[-1].strip()
        raise WarehouseError(
            f"{path} is locked by another process ({holder}): a build or a reader holds it; "
            "wait for it to finish or close it, then run again"
        ) from None
