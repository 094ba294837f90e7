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

DBT = Path(sys.executable).parent / "dbt"
SCHEMAS = ("staging", "audit", "intermediate", "marts", "metrics")


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
    reference = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
    con = duckdb.connect()
    con.execute(f"attach '{reference}' as full_build (read_only)")
    con.execute(f"attach '{incremental_warehouse}' as incremental (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        f"where database_name = 'full_build' and schema_name in {SCHEMAS} order by 1, 2"
    ).fetchall()
    assert tables
    incremental_models = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'incremental'"
    ).fetchone()[0]
    assert incremental_models >= len(tables)
    differences = {}
    for schema, table in tables:
        full, incremental = f"full_build.{schema}.{table}", f"incremental.{schema}.{table}"
        (extra,) = con.execute(
            f"select count(*) from (select * from {incremental} except all select * from {full})"
        ).fetchone()
        (missing,) = con.execute(
            f"select count(*) from (select * from {full} except all select * from {incremental})"
        ).fetchone()
        if extra or missing:
            differences[f"{schema}.{table}"] = (extra, missing)
    assert differences == {}
