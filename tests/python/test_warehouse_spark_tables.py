"""The warehouse layer opens a Spark build's folder as DuckDB views over its Parquet files
(python_checks/warehouse/spark_tables.py): partition columns come back from the folder
names, Spark's UTC instants as plain timestamps, recorded views are defined over the
tables, and a folder that is not a Spark build is a one-line error. The Spark-written
layout is made here with DuckDB; tests/spark reads a real Spark build."""

import datetime as dt

import duckdb
import pytest

from python_checks.warehouse.connection import WarehouseError, connect
from python_checks.warehouse.spark_tables import CHECKS_FILE


@pytest.fixture
def spark_dir(tmp_path):
    tables = tmp_path / "tables"
    writer = duckdb.connect()
    writer.execute("set TimeZone = 'UTC'")
    (tables / "marts.db").mkdir(parents=True)
    writer.execute(
        "copy (select * from (values (date '2026-10-01', 'a', 1), (date '2026-10-02', 'b', 2))"
        " as t(activity_date, creator_id, view_count)) "
        f"to '{tables}/marts.db/fct_daily' (format parquet, partition_by (activity_date))"
    )
    (tables / "staging.db" / "base_events").mkdir(parents=True)
    writer.execute(
        "copy (select timestamptz '2026-10-01 23:30:00+00' as viewed_at, 7 as view_id) "
        f"to '{tables}/staging.db/base_events/part-0.parquet' (format parquet)"
    )
    (tables / "build_log.db" / "view_definitions").mkdir(parents=True)
    writer.execute(
        "copy (select * from (values "
        "('staging', 'stg_events', 'select view_id from staging.base_events', "
        "timestamp '2026-10-03 00:00:00'), "
        "('staging', 'stg_events', 'select viewed_at from staging.base_events', "
        "timestamp '2026-10-01 00:00:00')) "
        "as t(schema_name, view_name, view_sql, recorded_at)) "
        f"to '{tables}/build_log.db/view_definitions/part-0.parquet' (format parquet)"
    )
    # A table Spark created but never wrote: no view.
    (tables / "marts.db" / "fct_empty").mkdir()
    return tmp_path


def test_partitioned_tables_read_back_with_their_partition_column(spark_dir):
    with connect(spark_dir) as con:
        rows = con.execute(
            "select activity_date, creator_id, view_count from marts.fct_daily order by 1"
        ).fetchall()
        tables = con.execute("select view_name from duckdb_views() where not internal").fetchall()
    assert rows == [(dt.date(2026, 10, 1), "a", 1), (dt.date(2026, 10, 2), "b", 2)]
    assert ("fct_empty",) not in tables


def test_instants_read_back_as_utc_timestamps(spark_dir):
    with connect(spark_dir) as con:
        con.execute("set TimeZone = 'America/New_York'")
        kind, value = con.execute(
            "select typeof(viewed_at), viewed_at from staging.base_events"
        ).fetchone()
    assert (kind, value) == ("TIMESTAMP", dt.datetime(2026, 10, 1, 23, 30))


def test_the_newest_recorded_definition_of_a_view_is_used(spark_dir):
    with connect(spark_dir) as con:
        assert con.execute("select * from staging.stg_events").fetchall() == [(7,)]


def test_checks_are_kept_beside_the_tables_only_when_writing(spark_dir):
    with connect(spark_dir) as con:
        con.execute("create schema checks")
    assert not (spark_dir / CHECKS_FILE).exists()
    with connect(spark_dir, read_only=False) as con:
        con.execute("create schema checks")
        con.execute("create table checks.kept as select 1 as one")
    with duckdb.connect(str(spark_dir / CHECKS_FILE), read_only=True) as con:
        assert con.execute("select one from checks.kept").fetchall() == [(1,)]


def test_a_folder_that_is_not_a_spark_build_is_a_one_line_error(tmp_path):
    with pytest.raises(WarehouseError, match="not a Spark warehouse") as error:
        connect(tmp_path)
    assert "\n" not in str(error.value)
