"""Leaves from a warehouse table (the evaluation's leaf reader): per-day means of a numerator
(and denominator) by leaf, checked against sums done by hand on a small in-memory table."""

import datetime as dt

import duckdb
import pytest

from evaluation.warehouse_leaves import warehouse_leaves
from python_checks.diagnosis.baseline_period import BaselineError, BaselinePeriod

DAY = dt.date(2026, 9, 24)  # a Thursday


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema events")
    con.execute(
        'create table events.plays (play_date date, "Region Code" varchar, device varchar, '
        "is_done boolean, watch_ms bigint)"
    )
    rows = [
        # the comparison day
        (DAY, "BR", "ios", True, 1000),
        (DAY, "BR", "ios", False, 3000),
        (DAY, "US", "web", True, 500),
        # the three previous days
        (DAY - dt.timedelta(days=1), "BR", "ios", True, 2000),
        (DAY - dt.timedelta(days=2), "BR", "ios", True, 2000),
        (DAY - dt.timedelta(days=3), "US", "web", False, 100),
        # the same weekday one and two weeks back
        (DAY - dt.timedelta(days=7), "BR", "ios", True, 700),
        (DAY - dt.timedelta(days=14), "BR", "ios", False, 1400),
        (DAY - dt.timedelta(days=14), "MX", "android", True, 50),
        # outside every window
        (DAY - dt.timedelta(days=5), "MX", "android", True, 9999),
    ]
    con.executemany("insert into events.plays values (?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def test_previous_days_means_by_leaf(con):
    leaves = warehouse_leaves(
        con,
        "events.plays",
        {"region": "Region Code", "device": "device"},
        "is_done",
        DAY,
        BaselinePeriod.previous_days(DAY, 3),
        denominator="1",
    )
    assert list(leaves.columns) == [
        "region", "device", "actual", "expected", "actual_denominator", "expected_denominator",
    ]  # fmt: skip
    by_region = leaves.set_index("region")
    # BR: 1 of 2 plays done today; 2 done of 2 over three days -> 2/3 a day.
    assert by_region.loc["BR", ["actual", "actual_denominator"]].tolist() == [1.0, 2.0]
    assert by_region.loc["BR", "expected"] == pytest.approx(2 / 3)
    assert by_region.loc["BR", "expected_denominator"] == pytest.approx(2 / 3)
    assert by_region.loc["US", "expected"] == pytest.approx(0.0)
    assert by_region.loc["US", "expected_denominator"] == pytest.approx(1 / 3)
    assert "MX" not in by_region.index  # seen in neither period


def test_same_weekday_baseline_and_an_additive_expression(con):
    leaves = warehouse_leaves(
        con,
        "events.plays",
        ["device"],
        "watch_ms / 1000",
        DAY,
        BaselinePeriod.same_weekdays(DAY, 2),
    )
    by_device = leaves.set_index("device")
    assert by_device.loc["ios", "actual"] == pytest.approx(4.0)
    assert by_device.loc["ios", "expected"] == pytest.approx((0.7 + 1.4) / 2)
    assert by_device.loc["android", "expected"] == pytest.approx(0.05 / 2)
    assert by_device.loc["web", "expected"] == pytest.approx(0.0)
    assert BaselinePeriod.same_weekdays(DAY, 2).dates == tuple(
        DAY - dt.timedelta(days=7 * k) for k in (2, 1)
    )


def test_a_comparison_period_of_two_days_is_a_mean(con):
    leaves = warehouse_leaves(
        con, "events.plays", ["device"], "1", DAY - dt.timedelta(days=1),
        BaselinePeriod.previous_days(DAY - dt.timedelta(days=1), 1), comparison_days=2,
    )  # fmt: skip
    ios = leaves.set_index("device").loc["ios"]
    assert (ios["actual"], ios["expected"]) == (1.5, 1.0)


def test_errors_name_the_table_and_the_column(con):
    baseline = BaselinePeriod.previous_days(DAY, 3)
    with pytest.raises(ValueError, match=r"events\.plays.*'region_code'"):
        warehouse_leaves(con, "events.plays", ["region_code"], "1", DAY, baseline)
    with pytest.raises(ValueError, match=r"events\.nothing"):
        warehouse_leaves(con, "events.nothing", ["device"], "1", DAY, baseline)
    with pytest.raises(ValueError, match=r"events\.plays.*numerator 'no_such \+ 1'"):
        warehouse_leaves(con, "events.plays", ["device"], "no_such + 1", DAY, baseline)
    with pytest.raises(ValueError, match=r"events\.plays.*denominator"):
        warehouse_leaves(con, "events.plays", ["device"], "1", DAY, baseline, denominator="x(")
    with pytest.raises(ValueError, match=r"events\.plays.*date column 'day'"):
        warehouse_leaves(con, "events.plays", ["device"], "1", DAY, baseline, date_column="day")
    with pytest.raises(BaselineError, match="at least one"):
        BaselinePeriod.previous_days(DAY, 0)
