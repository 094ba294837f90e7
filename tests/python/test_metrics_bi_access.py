"""A BI tool's view of the metric layer: a read-only SQLAlchemy connection
(duckdb_engine, the driver SQLAlchemy-based tools such as Superset or Metabase
use) lists the certified metrics from metric_catalogue and pulls a week of a
metric by one of its allowed dimensions from metric_daily."""

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bi_engine(tmp_path_factory: pytest.TempPathFactory):
    # A copy of the warehouse: one process may not open the same DuckDB file
    # with two configurations (the `warehouse` fixture's and this driver's).
    source = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
    copy = tmp_path_factory.mktemp("bi") / source.name
    shutil.copyfile(source, copy)
    # The URL from docs/metrics.md, with the copy's absolute path.
    engine = sqlalchemy.create_engine(f"duckdb:///{copy}?access_mode=READ_ONLY")
    yield engine
    engine.dispose()


def test_bi_tool_lists_certified_metrics_and_pulls_a_week(bi_engine) -> None:
    with bi_engine.connect() as connection:
        certified = connection.execute(
            sqlalchemy.text(
                "select metric_name, allowed_dimensions, unit, value_format"
                " from metrics.metric_catalogue where status = 'certified' order by metric_name"
            )
        ).all()
        assert len(certified) >= 30
        by_name = {row.metric_name: row for row in certified}
        assert "watch_hours" in by_name and "impressions_per_active_viewer" not in by_name

        dimension = by_name["completion_rate"].allowed_dimensions[0]
        last_day = connection.execute(
            sqlalchemy.text(
                "select max(metric_date) from metrics.metric_daily where metric_name = :metric"
            ),
            {"metric": "completion_rate"},
        ).scalar_one()
        week = connection.execute(
            sqlalchemy.text(
                "select metric_date, dimension_value, value, numerator, denominator"
                " from metrics.metric_daily"
                " where metric_name = :metric and dimension_name = :dimension"
                " and metric_date > :last_day - interval 7 day"
                " order by metric_date, dimension_value"
            ),
            {"metric": "completion_rate", "dimension": dimension, "last_day": last_day},
        ).all()
    assert len({row.metric_date for row in week}) == 7
    assert len({row.dimension_value for row in week}) > 1
    for row in week:
        assert 0 <= row.value <= 1
        assert row.value == pytest.approx(row.numerator / row.denominator)


def test_bi_tool_pulls_a_week_of_every_certified_metric_by_every_dimension(bi_engine) -> None:
    """Every certified metric, by the total and by each allowed dimension the
    catalogue lists, has rows in the last week of its data."""
    with bi_engine.connect() as connection:
        catalogue = connection.execute(
            sqlalchemy.text(
                "select metric_name, allowed_dimensions from metrics.metric_catalogue"
                " where status = 'certified'"
            )
        ).all()
        weeks = connection.execute(
            sqlalchemy.text(
                """
                with last_days as (
                    select metric_name, max(metric_date) as last_day
                    from metrics.metric_daily group by metric_name
                )
                select daily.metric_name, daily.dimension_name, count(*) as row_count
                from metrics.metric_daily as daily
                inner join last_days on daily.metric_name = last_days.metric_name
                where daily.metric_date > last_days.last_day - interval 7 day
                group by daily.metric_name, daily.dimension_name
                """
            )
        ).all()
    pulled = {(row.metric_name, row.dimension_name) for row in weeks if row.row_count > 0}
    wanted = {
        (row.metric_name, dimension)
        for row in catalogue
        for dimension in ["total", *row.allowed_dimensions]
    }
    assert wanted - pulled == set()


def test_bi_connection_cannot_write(bi_engine) -> None:
    with bi_engine.connect() as connection, pytest.raises(SQLAlchemyError, match="read-only"):
        connection.execute(sqlalchemy.text("create table metrics.scratch as select 1 as x"))
