"""Prove that benchmarks/floor.sql does the same work as `dbt run`.

Runs the floor script on a raw data folder into a fresh DuckDB file, attaches
a warehouse dbt built from the same folder (read-only), and compares every
floor output with the dbt table of the same name: the row count and, per
column, the count of non-null values; for numeric and boolean columns also
the sum (booleans as the number of true values). Integer and decimal sums
must be equal; double sums may differ by 1e-9 of the sum of absolute values
(float addition depends on the order rows are read in). Dates and timestamps
are summed as numbers, text columns compared by their number of distinct
values. Some tables are compared per group (metric_daily per metric and
dimension), so differences cannot cancel out across groups.

    python -m benchmarks.verify_floor --raw data/tiny/raw --warehouse warehouse/tiny.duckdb

Prints one line per table and exits non-zero, listing every difference, on a
mismatch.
"""

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.run_benchmark import floor_seconds

WAREHOUSE_ALIAS = "dbt"
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Comparison:
    """One floor output, the dbt relation it must match and the columns it is
    compared per (empty: the whole table at once)."""

    floor_table: str
    dbt_relation: str
    group_by: tuple[str, ...] = ()


# Every table `dbt run` builds that holds data, except the intermediate ones
# (the floor keeps its own intermediate tables) and metric_catalogue / metric_tree
# (literals from dbt's graph, no data work).
COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "audit_pgc__quarantined_rows",
        "audit.audit_pgc__quarantined_rows",
        ("source_table", "quarantine_reason"),
    ),
    Comparison(
        "audit_pgc__row_reconciliation", "audit.audit_pgc__row_reconciliation", ("source_table",)
    ),
    Comparison("fct_audience_daily", "marts.fct_audience_daily"),
    Comparison("fct_viewer_daily", "marts.fct_viewer_daily"),
    Comparison("fct_consumption_daily", "marts.fct_consumption_daily", ("activity_date",)),
    Comparison("dim_content", "marts.dim_content"),
    Comparison("fct_content_cold_start", "marts.fct_content_cold_start"),
    Comparison("fct_content_daily", "marts.fct_content_daily"),
    Comparison("fct_tool_adoption", "marts.fct_tool_adoption", ("tool_code",)),
    Comparison("fct_tool_usage_daily", "marts.fct_tool_usage_daily", ("tool_code",)),
    Comparison("dim_creators", "marts.dim_creators"),
    Comparison("dim_creators_history", "marts.dim_creators_history"),
    Comparison("fct_creator_cohort_retention", "marts.fct_creator_cohort_retention"),
    Comparison("fct_creator_daily", "marts.fct_creator_daily"),
    Comparison("fct_creator_growth_weekly", "marts.fct_creator_growth_weekly", ("creator_type",)),
    Comparison(
        "fct_distribution_daily", "marts.fct_distribution_daily", ("surface_code", "model_version")
    ),
    Comparison("fct_distribution_daily_total", "marts.fct_distribution_daily_total"),
    Comparison(
        "fct_experiment_assignment_daily",
        "marts.fct_experiment_assignment_daily",
        ("experiment_id", "unit_type", "variant"),
    ),
    Comparison(
        "fct_experiment_units", "marts.fct_experiment_units", ("experiment_id", "unit_type")
    ),
    Comparison(
        "fct_experiment_viewer_units", "marts.fct_experiment_viewer_units", ("experiment_id",)
    ),
    Comparison(
        "fct_experiment_creator_units", "marts.fct_experiment_creator_units", ("experiment_id",)
    ),
    Comparison("fct_rewards_creator_daily", "marts.fct_rewards_creator_daily"),
    Comparison("fct_rewards_daily", "marts.fct_rewards_daily"),
    Comparison("metric_time_spine_daily", "metrics.metric_time_spine_daily"),
    Comparison("metric_daily", "metrics.metric_daily", ("metric_name", "dimension_name")),
)

INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER"}
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@dataclass(frozen=True)
class ColumnKind:
    """How a column is summarized: 'exact' (integers, decimals, booleans, dates,
    timestamps, text), 'float' or 'none' (only its non-null values are counted)."""

    name: str
    data_type: str
    kind: str


@dataclass(frozen=True)
class TableCheck:
    """The outcome for one comparison: row counts and every difference found."""

    floor_table: str
    dbt_relation: str
    dbt_rows: int
    floor_rows: int
    checked_columns: int
    groups: int
    differences: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when nothing differed."""
        return not self.differences


def column_kinds(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[ColumnKind, ...]:
    """The columns of a dbt relation ('schema.table') and how each is summed."""
    schema, table = relation.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [WAREHOUSE_ALIAS, schema, table],
    ).fetchall()
    if not rows:
        raise SystemExit(f"verify_floor: the warehouse has no relation {relation}")
    return tuple(ColumnKind(name, data_type, kind_of(data_type)) for name, data_type in rows)


def kind_of(data_type: str) -> str:
    """'exact', 'float' or 'none' for a DuckDB type name."""
    if (
        data_type in INTEGER_TYPES
        or data_type in {"BOOLEAN", "DATE", "VARCHAR"}
        or data_type.startswith(("DECIMAL", "TIMESTAMP"))
    ):
        return "exact"
    if data_type in FLOAT_TYPES:
        return "float"
    return "none"


def exact_sum_sql(quoted_column: str, data_type: str) -> str:
    """An exact summary of a column: booleans count their true values, integers sum
    as hugeint (no overflow), decimals as decimals, dates and timestamps as days
    and microseconds since 1970, text as the number of distinct values."""
    if data_type == "BOOLEAN":
        return f"count(*) filter (where {quoted_column})"
    if data_type.startswith("DECIMAL"):
        return f"sum({quoted_column})"
    if data_type == "DATE":
        return f"sum(cast(date_diff('day', date '1970-01-01', {quoted_column}) as hugeint))"
    if data_type.startswith("TIMESTAMP"):
        return f"sum(cast(epoch_us({quoted_column}) as hugeint))"
    if data_type == "VARCHAR":
        return f"count(distinct {quoted_column})"
    return f"sum(cast({quoted_column} as hugeint))"


def summary_sql(relation: str, columns: tuple[ColumnKind, ...], group_by: tuple[str, ...]) -> str:
    """One row per group: the row count, then per column the non-null count and,
    for summed columns, the sum (and, for doubles, the sum of absolute values)."""
    measures = ["count(*)"]
    for column in columns:
        quoted = f'"{column.name}"'
        measures.append(f"count({quoted})")
        if column.kind == "exact":
            measures.append(exact_sum_sql(quoted, column.data_type))
        elif column.kind == "float":
            measures.append(f"sum({quoted})")
            measures.append(f"sum(abs({quoted}))")
    keys = [f'cast("{column}" as varchar)' for column in group_by]
    group_clause = f" group by {', '.join(keys)}" if keys else ""
    return f"select {', '.join([*keys, *measures])} from {relation}{group_clause}"


def summaries(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: tuple[ColumnKind, ...],
    group_by: tuple[str, ...],
) -> dict[tuple, tuple]:
    """The summary rows of a relation keyed by group."""
    rows = con.execute(summary_sql(relation, columns, group_by)).fetchall()
    return {tuple(row[: len(group_by)]): tuple(row[len(group_by) :]) for row in rows}


def measure_labels(columns: tuple[ColumnKind, ...]) -> list[tuple[str, str]]:
    """(label, 'exact' | 'float' | 'abs') for each value of a summary row."""
    labels = [("rows", "exact")]
    for column in columns:
        labels.append((f"count({column.name})", "exact"))
        if column.kind == "exact":
            labels.append((f"summary({column.name})", "exact"))
        elif column.kind == "float":
            labels.append((f"sum({column.name})", "float"))
            labels.append((f"sum(abs({column.name}))", "abs"))
    return labels


def values_differ(expected: object, actual: object, kind: str, scale: object) -> bool:
    """Whether a floor value differs from the dbt value beyond the tolerance."""
    if expected is None or actual is None:
        return expected is not actual
    if kind == "exact":
        return expected != actual
    if kind == "abs":
        return False
    tolerance = RELATIVE_TOLERANCE * max(float(scale or 0.0), 1.0)
    return not math.isclose(float(expected), float(actual), rel_tol=0.0, abs_tol=tolerance)


def compare(con: duckdb.DuckDBPyConnection, comparison: Comparison) -> TableCheck:
    """Compare one floor table with its dbt relation."""
    dbt_relation = f"{WAREHOUSE_ALIAS}.{comparison.dbt_relation}"
    columns = column_kinds(con, comparison.dbt_relation)
    floor_columns = {row[0] for row in con.execute(f"describe {comparison.floor_table}").fetchall()}
    missing = [column.name for column in columns if column.name not in floor_columns]
    if missing:
        differences = (f"floor table lacks columns {', '.join(missing)}",)
        return TableCheck(comparison.floor_table, comparison.dbt_relation, 0, 0, 0, 0, differences)
    expected = summaries(con, dbt_relation, columns, comparison.group_by)
    actual = summaries(con, comparison.floor_table, columns, comparison.group_by)
    labels = measure_labels(columns)
    differences = []
    for group in sorted(set(expected) | set(actual), key=str):
        where = f" [{', '.join(map(str, group))}]" if group else ""
        if group not in actual or group not in expected:
            side = "floor" if group not in actual else "dbt"
            differences.append(f"group{where} missing from {side}")
            continue
        for index, (label, kind) in enumerate(labels):
            scale = expected[group][index + 1] if kind == "float" else None
            if values_differ(expected[group][index], actual[group][index], kind, scale):
                differences.append(
                    f"{label}{where}: dbt {expected[group][index]}, floor {actual[group][index]}"
                )
    return TableCheck(
        floor_table=comparison.floor_table,
        dbt_relation=comparison.dbt_relation,
        dbt_rows=sum(values[0] for values in expected.values()),
        floor_rows=sum(values[0] for values in actual.values()),
        checked_columns=len(columns),
        groups=len(expected),
        differences=tuple(differences),
    )


def verify(raw_dir: Path, warehouse: Path, floor_database: Path) -> tuple[list[TableCheck], float]:
    """Run the floor on raw_dir into floor_database and compare it with warehouse."""
    if not (raw_dir / "views").is_dir():
        raise SystemExit(f"verify_floor: {raw_dir} is not a raw data folder (no views/)")
    if not warehouse.is_file():
        raise SystemExit(f"verify_floor: warehouse {warehouse} does not exist")
    seconds = floor_seconds(raw_dir.resolve(), floor_database)
    with duckdb.connect(str(floor_database), read_only=True) as con:
        con.execute(f"attach '{warehouse.resolve()}' as {WAREHOUSE_ALIAS} (read_only)")
        return [compare(con, comparison) for comparison in COMPARISONS], seconds


def report(checks: list[TableCheck], seconds: float) -> str:
    """A table of the checks, then every difference."""
    header = (
        f"{'floor table':32} {'dbt rows':>10} {'floor rows':>10} {'cols':>5} {'groups':>6}  result"
    )
    lines = [f"floor script: {seconds:.1f} s", header, "-" * len(header)]
    for check in checks:
        result = "ok" if check.passed else f"MISMATCH ({len(check.differences)})"
        lines.append(
            f"{check.floor_table:32} {check.dbt_rows:>10} {check.floor_rows:>10}"
            f" {check.checked_columns:>5} {check.groups:>6}  {result}"
        )
    for check in checks:
        lines.extend(f"  {check.floor_table}: {difference}" for difference in check.differences)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, required=True, help="raw data folder")
    parser.add_argument("--warehouse", type=Path, required=True, help="dbt-built DuckDB file")
    parser.add_argument("--floor-db", type=Path, help="where the floor writes (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        floor_database = args.floor_db or Path(scratch) / "floor.duckdb"
        checks, seconds = verify(args.raw, args.warehouse, floor_database)
    print(report(checks, seconds))
    failed = [check.floor_table for check in checks if not check.passed]
    if failed:
        sys.exit(f"verify_floor: the floor differs from dbt in {', '.join(failed)}")


if __name__ == "__main__":
    main()
