"""The monetization marts against the simulator's truth: eligibility counts in
ground_truth.json, enrollment days in hidden_traits.parquet, and payouts in the
raw payout logs."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

START_DATE = dt.date(2026, 9, 7)
NOT_ENROLLED = -9999


@pytest.fixture(scope="module")
def hidden_traits(raw_dir) -> pd.DataFrame:
    return pd.read_parquet(raw_dir / "hidden_traits.parquet")


def test_eligible_creators_equal_the_truth_every_day(warehouse, truth):
    # The truth key's name says "unenrolled", but the simulator counts every
    # eligible creator (eligible.sum() in enroll(), before it sets the enrolled
    # aside), so it is compared with eligible_creators.
    observed = dict(
        warehouse.execute(
            "select cast(activity_date as varchar), eligible_creators from marts.fct_rewards_daily "
            "where program_id = 'creator_rewards'"
        ).fetchall()
    )
    expected = {
        day: counts["eligible_creators"]
        for day, counts in truth["daily"].items()
        if day >= truth["rewards_program"]["launch_date"]
    }
    assert observed == expected
    assert sum(expected.values()) > 0
    before_launch = [
        counts["eligible_creators"]
        for day, counts in truth["daily"].items()
        if day < truth["rewards_program"]["launch_date"]
    ]
    assert set(before_launch) <= {0}


def test_enrollment_dates_equal_the_hidden_enrollment_day(warehouse, hidden_traits):
    enrolled = hidden_traits[hidden_traits["enrolled_day"] != NOT_ENROLLED]
    expected = {
        creator: START_DATE + dt.timedelta(days=int(day))
        for creator, day in zip(enrolled["creator_id"], enrolled["enrolled_day"], strict=True)
    }
    observed = dict(
        warehouse.execute(
            "select creator_id, cast(rewards_enrolled_at as date) from marts.dim_creators "
            "where rewards_enrolled_at is not null"
        ).fetchall()
    )
    assert observed == expected
    assert len(expected) > 0


def test_creators_enroll_only_on_a_day_they_are_eligible(warehouse, hidden_traits):
    enrolled = hidden_traits[hidden_traits["enrolled_day"] != NOT_ENROLLED]
    eligible_on_day = dict(
        warehouse.execute(
            "select creator_id, is_eligible from marts.fct_rewards_creator_daily "
            "where activity_date = enrollment_date"
        ).fetchall()
    )
    assert set(eligible_on_day) == set(enrolled["creator_id"])
    assert all(eligible_on_day.values())


def test_eligible_unenrolled_counts_use_the_hidden_enrollment_day(warehouse, hidden_traits):
    rows = warehouse.execute(
        "select creator_id, activity_date, is_eligible, is_eligible_unenrolled "
        "from marts.fct_rewards_creator_daily"
    ).df()
    day_index = (pd.to_datetime(rows["activity_date"]) - pd.Timestamp(START_DATE)).dt.days
    enrolled_day = rows["creator_id"].map(
        hidden_traits.set_index("creator_id")["enrolled_day"].replace(
            NOT_ENROLLED, np.iinfo(np.int32).max
        )
    )
    expected = rows["is_eligible"] & (enrolled_day > day_index)
    assert (rows["is_eligible_unenrolled"] == expected).all()


@pytest.fixture(scope="module")
def clean_raw_payouts(raw) -> pd.DataFrame:
    # Planted bad rows out: exact duplicates, null keys, negative amounts.
    return raw.execute(
        """
        select distinct *
        from rewards_payouts
        where payout_id is not null and creator_id is not null and program_id is not null
            and payout_usd >= 0
        """
    ).df()


def test_payouts_equal_the_clean_raw_payouts_each_day(warehouse, clean_raw_payouts):
    raw_daily = clean_raw_payouts.groupby("payout_date").agg(
        payout_usd=("payout_usd", "sum"),
        paid_creators=("creator_id", "nunique"),
        qualified_view_count=("qualified_views", "sum"),
    )
    mart = (
        warehouse.execute(
            "select activity_date, payout_usd, paid_creators, qualified_view_count "
            "from marts.fct_rewards_daily where paid_creators > 0 order by activity_date"
        )
        .df()
        .set_index("activity_date")
    )
    raw_daily.index = pd.to_datetime(raw_daily.index)
    mart.index = pd.to_datetime(mart.index)
    assert len(raw_daily) > 0
    assert list(mart.index) == list(raw_daily.index)
    np.testing.assert_allclose(mart["payout_usd"], raw_daily["payout_usd"], rtol=1e-9)
    assert (mart["paid_creators"] == raw_daily["paid_creators"]).all()
    assert (mart["qualified_view_count"] == raw_daily["qualified_view_count"]).all()


def test_effective_rpm_by_region_equals_the_program_rate(warehouse, clean_raw_payouts):
    # Payouts are rounded to 4 decimals per creator-day, so the effective rate
    # is close to, not exactly, the seed's rate.
    rules = warehouse.execute(
        "select region_code, rpm_usd from reference.rewards_program_rules"
    ).df()
    by_region = warehouse.execute(
        "select region_code, sum(payout_usd) * 1000 / sum(paid_qualified_view_count) as rpm "
        "from marts.fct_rewards_creator_daily where is_paid group by region_code "
        "having sum(paid_qualified_view_count) > 1000"
    ).df()
    merged = by_region.merge(rules, on="region_code")
    assert len(merged) > 0
    np.testing.assert_allclose(merged["rpm"], merged["rpm_usd"], rtol=0.01)
    assert clean_raw_payouts["payout_usd"].sum() > 0
