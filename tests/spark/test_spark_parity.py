"""The tiny warehouse built on Spark holds what the DuckDB build holds, row by row: every
table dbt builds (tests/spark/table_diff.py): the marts, the metric layer's tables
(metric_catalogue, metric_tree, metric_daily and the time spine), the audit tables that
account for every raw row, the validated base tables with their quarantine reasons, the
intermediate tables and the seeds. Views are compared through the tables they read, and
where one engine builds a view and the other a table (the quarantine audit), the two are
compared as they read."""

from python_checks.warehouse.spark_tables import table_folders
from tests.spark.conftest import SPARK_DIR
from tests.spark.table_diff import table_differences

COMPARED_SCHEMAS = ("marts", "metrics", "audit", "staging", "intermediate", "reference")


def compared_tables(con) -> list[tuple[str, str]]:
    """The DuckDB build's tables, and its views the Spark build writes as tables."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = "
        f"'duckdb_build' and schema_name in {COMPARED_SCHEMAS}"
    ).fetchall()
    views = con.execute(
        "select schema_name, view_name from duckdb_views() where database_name = "
        f"'duckdb_build' and schema_name in {COMPARED_SCHEMAS} and not internal"
    ).fetchall()
    spark_tables = table_folders(SPARK_DIR)
    return sorted([*tables, *(view for view in views if view in spark_tables)])


def test_every_table_agrees(builds):
    problems = []
    for schema, table in compared_tables(builds):
        problems += table_differences(builds, f"duckdb_build.{schema}.{table}", f"{schema}.{table}")
    assert not problems, "Spark and DuckDB builds differ:\n" + "\n".join(problems)


def test_the_comparison_covers_the_marts_and_the_metric_layer(builds):
    tables = compared_tables(builds)
    assert {
        ("metrics", "metric_catalogue"),
        ("metrics", "metric_tree"),
        ("metrics", "metric_daily"),
        ("marts", "fct_creator_daily"),
        ("audit", "audit_pgc__row_reconciliation"),
        ("audit", "audit_pgc__quarantined_rows"),
        ("staging", "base_pgc__views"),
    } <= set(tables)
    assert len([t for t in tables if t[0] == "marts"]) >= 20
