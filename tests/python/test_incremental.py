"""An incremental run over one new day gives exactly the tables a full build gives.

The reference is the warehouse `make test` built from all tiny days. Here a second
warehouse is built from a raw folder holding every day but the last, then the last day's
files arrive in that folder and dbt runs again, incrementally. Every table of the two
warehouses must hold the same rows.
"""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.run_benchmark import all_but_last_day, last_day, link_raw_files
from tests.python.conftest import ROOT
from tests.python.dbt_runs import differing_tables

DBT = Path(sys.executable).parent / "dbt"


def _dbt(verb: str, raw_dir: Path, warehouse: Path, work: Path) -> None:
    env = {
        **os.environ,
        "PGC_RAW_DIR": str(raw_dir),
        "PGC_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT),
        "DO_NOT_TRACK": "1",
    }
    command = [str(DBT), verb, "--target-path", str(work / "target"), "--log-path", str(work)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def incremental_warehouse(raw_dir: Path, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("incremental")
    landing = work / "raw"
    all_but_last_day(raw_dir, landing)
    warehouse = work / "incremental.duckdb"
    _dbt("seed", landing, warehouse, work)
    _dbt("run", landing, warehouse, work)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (days,) = con.execute("select max(view_date) from staging.stg_pgc__views").fetchone()
    assert str(days) < last_day(raw_dir)  # the first build really lacked the last day
    link_raw_files(raw_dir, landing, last_day_too=True)
    _dbt("run", landing, warehouse, work)
    return warehouse


def test_incremental_run_equals_full_refresh(incremental_warehouse: Path):
    assert differing_tables(incremental_warehouse) == {}
