"""Localization finds every incident the simulator planted, from warehouse leaves (tiny data).

Other seeds and scales: `python -m evaluation.incident_recovery` (docs/python_checks.md).
"""

import datetime as dt

import pytest

from evaluation.incident_recovery import QUESTIONS, recover_incidents
from evaluation.warehouse_leaves import warehouse_leaves
from python_checks.diagnosis.baseline_period import BaselinePeriod


@pytest.fixture(scope="module")
def recoveries(warehouse, truth):
    return recover_incidents(warehouse, truth)


def test_every_question_about_every_planted_incident_is_asked(recoveries, truth):
    asked = {(r.incident_id, r.metric) for r in recoveries}
    expected = {
        (incident["incident_id"], question.metric)
        for incident in truth["incidents"]
        for question in QUESTIONS[incident["kind"]]
    }
    assert asked == expected
    assert {r.incident_id for r in recoveries} == {
        "logging_bug_br_31_2",
        "sports_traffic_spike",
        "rec_v8_new_creator_exposure",
    }


def test_the_top_culprit_is_the_planted_root_cause(recoveries, truth):
    planted = {i["incident_id"]: i["root_cause"] for i in truth["incidents"]}
    for recovery in recoveries:
        assert dict(recovery.planted) == planted[recovery.incident_id]
        found = {name: str(value) for name, value in recovery.found.items()}
        assert found == planted[recovery.incident_id], (recovery.incident_id, recovery.metric)
        assert recovery.matches


def test_the_logging_bug_explains_most_of_the_completion_drop(recoveries):
    (bug,) = [r for r in recoveries if r.incident_id == "logging_bug_br_31_2"]
    assert bug.explanatory_power > 0.5  # 0.51 to 0.79 over tiny seeds 1, 2, 3, 7


def test_leaves_add_up_to_the_governed_daily_metrics(warehouse, truth):
    """The leaves of the logging bug's day sum to metrics.metric_daily's totals, and the
    planted slice logged no completed view (magnitude 1.0)."""
    (incident,) = [i for i in truth["incidents"] if i["kind"] == "logging_bug"]
    day = dt.date.fromisoformat(incident["dates"][0])
    leaves = warehouse_leaves(
        warehouse,
        "intermediate.int_views_enriched",
        {"region": "viewer_region_code", "app_version": "app_version"},
        "is_completed",
        day,
        BaselinePeriod.previous_days(day, 3),
        denominator="1",
    )
    daily = dict(
        warehouse.execute(
            "select metric_name, value from metrics.metric_daily where metric_date = ? "
            "and dimension_name = 'total' and metric_name in ('views', 'completed_views')",
            [day],
        ).fetchall()
    )
    assert leaves["actual"].sum() == daily["completed_views"]
    assert leaves["actual_denominator"].sum() == daily["views"]
    broken = (leaves["region"] == "BR") & (leaves["app_version"] == "31.2")
    assert incident["magnitude"] == 1.0
    assert leaves.loc[broken, "actual"].sum() == 0.0
    assert leaves.loc[broken, "expected"].sum() > 0
