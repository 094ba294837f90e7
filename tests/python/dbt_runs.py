"""Helpers for the fault tests: dbt runs on a raw folder and warehouse of their own, raw
folders laid out as links to the tiny data with some files replaced, and table-by-table
comparison with the reference warehouse `make test-warehouse` built.

A test module keeps one raw folder path, one warehouse path and one target folder for all
its dbt runs, so that dbt parses the project once and partially after that (a change of the
warehouse path or of PGC_RAW_DIR's value would make it parse everything again).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.python.conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
REFERENCE = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
SCHEMAS = ("staging", "audit", "intermediate", "marts", "metrics")
EVENT_TABLES = (
    "impressions", "views", "engagements", "follows", "rewards_payouts", "experiment_assignments",
)  # fmt: skip
# Seeds and models, no data or unit tests: what the fault tests compare is the tables.
NO_TESTS = ("--exclude-resource-type", "test", "unit_test")


def dbt_environment(raw_dir: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PGC_RAW_DIR": str(raw_dir),
        "PGC_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT),
        "DO_NOT_TRACK": "1",
        "PYTHONUNBUFFERED": "1",
    }


def dbt_command(verb: str, work: Path, *arguments: str) -> list[str]:
    return [
        str(DBT), verb, "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        *arguments,
    ]  # fmt: skip


def dbt(verb: str, raw_dir: Path, warehouse: Path, work: Path, *arguments: str):
    """Run dbt to the end; the CompletedProcess (stdout and stderr together in stdout)."""
    return subprocess.run(
        dbt_command(verb, work, *arguments),
        cwd=ROOT,
        env=dbt_environment(raw_dir, warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def link_raw(source: Path, target: Path, skip_day: str | None = None) -> None:
    """`target` mirrors the raw folder `source` with a link per file (the day's event files
    left out when skip_day is given); a fresh copy each call."""
    if target.exists():
        shutil.rmtree(target)
    for path in source.rglob("*"):
        if path.is_dir() or (skip_day is not None and path.stem.endswith(skip_day)):
            continue
        link = target / path.relative_to(source)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)


def event_days(raw_dir: Path) -> list[str]:
    return sorted(path.stem[-10:] for path in (raw_dir / "views").glob("views_*.parquet"))


def replace_file(link: Path, content: bytes) -> None:
    """Replace a linked raw file by a real file (the source stays untouched)."""
    link.unlink()
    link.write_bytes(content)


def relations(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    """(schema, name) of the tables and views of an attached warehouse's layers: a model a
    view on DuckDB (the quarantine audit) is compared as it reads."""
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = $db "
        f"and schema_name in {SCHEMAS} union select schema_name, view_name from duckdb_views() "
        f"where database_name = $db and schema_name in {SCHEMAS} and not internal order by 1, 2",
        {"db": database},
    ).fetchall()


def differing_tables(warehouse: Path, reference: Path = REFERENCE) -> dict[str, tuple[int, int]]:
    """Tables and views of the reference's layers whose rows differ in `warehouse`: name ->
    (rows only in warehouse, rows only in the reference); one missing there counts as
    differing."""
    con = duckdb.connect()
    # Not `reference`: the seeds' schema has that name, and a view's SQL names it bare.
    con.execute(f"attach '{reference}' as expected (read_only)")
    con.execute(f"attach '{warehouse}' as built (read_only)")
    tables = relations(con, "expected")
    if not tables:
        raise ValueError(f"{reference} holds no tables of {SCHEMAS}: build it first")
    present = set(relations(con, "built"))
    differences = {}
    for schema, table in tables:
        if (schema, table) not in present:
            differences[f"{schema}.{table}"] = (-1, -1)
            continue
        built, expected = f"built.{schema}.{table}", f"expected.{schema}.{table}"
        (extra,) = con.execute(
            f"select count(*) from (select * from {built} except all select * from {expected})"
        ).fetchone()
        (missing,) = con.execute(
            f"select count(*) from (select * from {expected} except all select * from {built})"
        ).fetchone()
        if extra or missing:
            differences[f"{schema}.{table}"] = (extra, missing)
    con.close()
    return differences
