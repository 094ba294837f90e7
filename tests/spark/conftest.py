"""The two tiny builds the Spark tests compare: the DuckDB warehouse `make test-warehouse`
builds and the Spark warehouse directory `make test-spark` builds from the same raw data."""

import os

import pytest

from tests.python.conftest import ROOT

SPARK_DIR = ROOT / os.environ.get("PGC_TEST_SPARK_DIR", "warehouse/spark-tiny")
REFERENCE = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
RAW_DIR = ROOT / os.environ.get("PGC_TEST_RAW_DIR", "data/tiny/raw")


@pytest.fixture(scope="session")
def builds():
    """Both builds in one DuckDB connection: the Spark tables as the connection's own views
    (the warehouse layer's Spark reader), the DuckDB build attached as `duckdb_build`."""
    from python_checks.warehouse.connection import connect

    if not REFERENCE.exists():
        pytest.fail(f"no DuckDB build at {REFERENCE}: run `make test-warehouse`")
    if not (SPARK_DIR / "tables").is_dir():
        pytest.fail(f"no Spark build at {SPARK_DIR}: run `make test-spark`")
    con = connect(SPARK_DIR)
    con.execute(f"attach '{REFERENCE}' as duckdb_build (read_only)")
    yield con
    con.close()
