"""The benchmark's floor script (benchmarks/floor.sql) builds what dbt builds.

Runs the floor on the tiny raw data and compares it with the tiny warehouse
through benchmarks/verify_floor.py, so that a model change the floor does not
follow fails here. Also checks that the comparison covers every mart and that
it does catch a planted difference.
"""

import os
from pathlib import Path

import duckdb
import pytest

from benchmarks.verify_floor import COMPARISONS, WAREHOUSE_ALIAS, Comparison, compare, verify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warehouse_path() -> Path:
    # A path, not the shared `warehouse` connection: the floor attaches the file itself.
    path = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make test-warehouse` (or `make test`)")
    return path


@pytest.fixture(scope="module")
def floor_run(raw_dir: Path, warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The floor built once on the tiny data, with its comparison to the warehouse."""
    database = tmp_path_factory.mktemp("floor") / "floor.duckdb"
    checks, _ = verify(raw_dir, warehouse_path, database)
    return database, checks


def test_every_floor_output_matches_its_dbt_table(floor_run) -> None:
    _, checks = floor_run
    failures = {check.floor_table: check.differences for check in checks if not check.passed}
    assert failures == {}
    assert all(check.dbt_rows > 0 for check in checks)


def test_the_comparison_covers_every_mart_and_metric_table(warehouse_path: Path) -> None:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        built = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema in ('marts', 'metrics')"
            ).fetchall()
        }
    compared = {comparison.dbt_relation for comparison in COMPARISONS}
    # The catalogue and the tree are literals from dbt's graph: the floor leaves them out.
    assert built - compared == {"metrics.metric_catalogue", "metrics.metric_tree"}
    assert len([relation for relation in built if relation.startswith("marts.")]) == 21


def test_the_floor_reconciles_raw_rows_with_the_simulator(floor_run, truth: dict) -> None:
    database, _ = floor_run
    with duckdb.connect(str(database), read_only=True) as con:
        raw_rows = dict(
            con.execute(
                "select source_table, raw_row_count from audit_pgc__row_reconciliation"
            ).fetchall()
        )
    assert raw_rows == {table: entry["raw_rows"] for table, entry in truth["tables"].items()}


@pytest.mark.parametrize(
    ("statement", "expected_label"),
    [
        # One more view on one creator-day: an integer sum off by one.
        (
            "update fct_creator_daily set view_count = view_count + 1"
            " where rowid = (select min(rowid) from fct_creator_daily)",
            "summary(view_count)",
        ),
        # A gini off by one part in a million: beyond the double tolerance.
        (
            "update fct_distribution_daily_total"
            " set creator_impression_gini = creator_impression_gini * (1 + 1e-6)",
            "sum(creator_impression_gini)",
        ),
        # A value turned null: the non-null count changes.
        (
            "update fct_rewards_daily set effective_rpm_usd = null"
            " where effective_rpm_usd is not null"
            " and rowid = (select min(rowid) from fct_rewards_daily"
            " where effective_rpm_usd is not null)",
            "count(effective_rpm_usd)",
        ),
    ],
)
def test_a_planted_difference_is_reported(
    floor_run, warehouse_path: Path, tmp_path: Path, statement: str, expected_label: str
) -> None:
    database, _ = floor_run
    planted = tmp_path / "planted.duckdb"
    planted.write_bytes(database.read_bytes())
    table = statement.split()[1]
    comparison = next(item for item in COMPARISONS if item.floor_table == table)
    with duckdb.connect(str(planted)) as con:
        assert con.execute(statement).fetchone()[0] >= 1
        con.execute(f"attach '{warehouse_path.resolve()}' as {WAREHOUSE_ALIAS} (read_only)")
        check = compare(con, comparison)
    assert not check.passed
    assert any(difference.startswith(expected_label) for difference in check.differences)


def test_a_missing_group_is_reported(floor_run, warehouse_path: Path, tmp_path: Path) -> None:
    database, _ = floor_run
    planted = tmp_path / "planted.duckdb"
    planted.write_bytes(database.read_bytes())
    with duckdb.connect(str(planted)) as con:
        con.execute("delete from metric_daily where metric_name = 'likes'")
        con.execute(f"attach '{warehouse_path.resolve()}' as {WAREHOUSE_ALIAS} (read_only)")
        check = compare(con, Comparison("metric_daily", "metrics.metric_daily", ("metric_name",)))
    assert check.differences == ("group [likes] missing from floor",)
