"""Opening the warehouse file, with one-line errors for the ways it fails."""

from pathlib import Path

import duckdb


class WarehouseError(Exception):
    """The warehouse cannot be opened or read as asked: a one-line message saying what to do."""


def connect(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a missing file or a lock held by another process is a
    WarehouseError naming the file."""
    if not Path(path).exists():
        raise WarehouseError(f"no warehouse at {path}: build it with `make run`")
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
