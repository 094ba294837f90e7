"""The tiny warehouse built on Spark holds what the DuckDB build holds, row by row: every
table dbt builds (tests/spark/table_diff.py): the marts, the metric layer's tables
(metric_catalogue, metric_tree, metric_daily and the time spine), the audit tables that
account for every raw row, the validated base tables with their quarantine reasons, the
intermediate tables and the seeds. Views are compared through the tables they read."""

from tests.spark.table_diff import table_differences

COMPARED_SCHEMAS = ("marts", "metrics", "audit", "staging", "intermediate", "reference")


def compared_tables(con) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = "
        f"'duckdb_build' and schema_name in {COMPARED_SCHEMAS} order by all"
    ).fetchall()


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
