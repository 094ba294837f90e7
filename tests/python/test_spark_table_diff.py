"""The row-by-row comparison the Spark differential test relies on (tests/spark/table_diff.py)
reports every kind of difference it promises to, and nothing within the tolerance."""

import duckdb
import pytest

from tests.spark.table_diff import table_differences

BASE = (
    "select cast(id as bigint) as id, label, cast(amount as double) as amount, day from (values"
    " (1, 'a', 10.0, date '2026-10-01'), (2, 'b', 0.0, date '2026-10-02'),"
    " (3, null, 1e300, date '2026-10-03')) as t(id, label, amount, day)"
)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(f"create table expected as {BASE}")
    yield con
    con.close()


def differences(con, actual_sql: str) -> list[str]:
    con.execute(f"create or replace table actual as {actual_sql}")
    return table_differences(con, "expected", "actual")


def test_the_same_rows_in_another_order_agree(con):
    assert differences(con, f"select * from ({BASE}) order by id desc") == []


def test_a_relative_error_within_the_tolerance_is_not_a_difference(con):
    assert (
        differences(con, f"select id, label, amount * (1 + 1e-12) as amount, day from ({BASE})")
        == []
    )


def test_a_relative_error_above_the_tolerance_is(con):
    found = differences(con, f"select id, label, amount * (1 + 1e-7) as amount, day from ({BASE})")
    assert len(found) == 2 and "amount: 10.0 vs" in found[0]  # 0.0 stays 0.0


def test_a_changed_key_a_null_and_a_missing_row_are_differences(con):
    assert differences(con, f"select * replace (id + 1 as id) from ({BASE})")
    assert differences(con, f"select * replace (coalesce(label, 'c') as label) from ({BASE})")
    found = differences(con, f"select * from ({BASE}) where id < 3")
    assert found[0] == "actual: 2 rows, expected has 3"


def test_infinity_against_null_is_a_difference(con):
    found = differences(
        con,
        f"select * replace (case when id = 2 then null else amount end as amount) from ({BASE})",
    )
    assert found and "amount: 0.0 vs None" in found[0]


def test_a_column_of_another_type_is_a_difference(con):
    found = differences(con, f"select * replace (cast(id as integer) as id) from ({BASE})")
    assert found == ["actual: columns differ from expected: [('id', 'BIGINT'), ('id', 'INTEGER')]"]
