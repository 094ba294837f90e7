"""Shared fixtures: a tiny simulated dataset and the warehouse built from it.

`make test` simulates the tiny dataset and runs `dbt build` on it before pytest;
these fixtures read what that produced (paths from PGC_TEST_RAW_DIR and
PGC_TEST_WAREHOUSE) and fail with a pointer to the make target if it is missing.
"""

import json
import os
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _path(variable: str, default: str) -> Path:
    return ROOT / os.environ.get(variable, default)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    path = _path("PGC_TEST_RAW_DIR", "data/tiny/raw")
    if not (path / "ground_truth.json").exists():
        pytest.fail(f"no simulated data at {path}: run `make test-warehouse` (or `make test`)")
    return path


@pytest.fixture(scope="session")
def truth(raw_dir: Path) -> dict:
    return json.loads((raw_dir / "ground_truth.json").read_text())


@pytest.fixture(scope="session")
def warehouse():
    path = _path("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make test-warehouse` (or `make test`)")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def raw(raw_dir: Path):
    """An in-memory DuckDB with one view per raw table, read straight from Parquet."""
    con = duckdb.connect()
    for table in ("viewers", "creators", "content", "rewards_enrollments"):
        con.execute(
            f"create view {table} as select * from read_parquet('{raw_dir / table}.parquet')"
        )
    for table in (
        "impressions", "views", "engagements", "follows", "rewards_payouts",
        "experiment_assignments",
    ):  # fmt: skip
        con.execute(
            f"create view {table} as select * from read_parquet('{raw_dir / table}/*.parquet')"
        )
    yield con
    con.close()
