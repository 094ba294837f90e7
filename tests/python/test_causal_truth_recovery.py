"""The simulator's causal estimands, and the estimators against them on the tiny warehouse.

The estimands are expected counterfactuals (simulator/causal_truth.py): the first tests
check that the "with treatment" side matches what the logs hold, so the "without" side,
computed the same way, can be trusted. Then the rewards study runs on the tiny warehouse
(seed 7, 150 creators, 8 enrolled): where power allows, the designs whose assumptions hold
cover the truth and the naive comparison overstates it. The full recovery at `small` is
evaluation/causal_recovery.py, with its figures in docs/causal.md.
"""

import json
import os

import duckdb
import numpy as np
import pandas as pd
import pytest

from evaluation.causal_recovery import assumptions_hold, discovery_score, load_effects, truth_of
from python_checks.causal.discovery import possibly_confounded, true_pag
from python_checks.causal.studies import DISCOVERY_VARIABLES, rewards_study
from python_checks.warehouse.causal_inputs import read_causal_panel
from simulator.params import REGION_LAUNCHES, REWARDS, TOOLS
from tests.python.conftest import ROOT

WAREHOUSE = str(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"))


@pytest.fixture(scope="module")
def effects(raw_dir) -> pd.DataFrame:
    return load_effects(raw_dir)


@pytest.fixture(scope="module")
def realized(warehouse) -> pd.DataFrame:
    frame = warehouse.execute(
        "select creator_id, activity_date, post_count, view_count from marts.fct_creator_daily"
    ).df()
    frame["activity_date"] = pd.to_datetime(frame["activity_date"]).dt.date
    return frame


@pytest.mark.parametrize("treatment", ["rewards_program", "scheduler", "editor"])
def test_expected_outcomes_with_the_treatment_match_the_logs(effects, realized, treatment):
    """Sum of expected posts and views over the treated creator-days vs what the marts
    counted there: Poisson noise allows a few standard deviations (the views side also
    ignores the 0.97 cap on a view probability and the one day the logging bug drops)."""
    columns = ["creator_id", "activity_date", "post_count_with", "view_count_with"]
    rows = effects.loc[effects["treatment"] == treatment, columns].merge(
        realized, on=["creator_id", "activity_date"], how="inner"
    )
    assert len(rows) > 50
    for outcome in ("post_count", "view_count"):
        expected, counted = rows[f"{outcome}_with"].sum(), rows[outcome].sum()
        assert abs(counted - expected) < 4 * np.sqrt(expected) + 0.01 * expected, outcome


def test_the_counterfactuals_apply_the_planted_multipliers(effects):
    rewards = effects[effects["treatment"] == "rewards_program"]
    posting = rewards[rewards["post_count_with"] > 0]
    ratio = posting["post_count_with"] / posting["post_count_without"]
    assert np.allclose(ratio, REWARDS.posting_rate_multiplier)
    since = pd.to_datetime(rewards["treated_since_date"]).dt.date
    assert (rewards["activity_date"] >= since).all()  # effects act from the day after enrolling
    views = rewards[rewards["view_count_with"] > 0]
    view_ratio = views["view_count_with"] / views["view_count_without"]
    low = REWARDS.reach_multiplier
    high = REWARDS.reach_multiplier * REWARDS.posting_rate_multiplier
    assert view_ratio.between(low - 1e-9, high + 1e-9).all()
    editor = effects[effects["treatment"] == "editor"]
    assert (editor["post_count_with"] == editor["post_count_without"]).all()
    editor_views = editor[editor["view_count_with"] > 0]
    assert (
        (editor_views["view_count_with"] / editor_views["view_count_without"])
        .between(1 - 1e-9, TOOLS.editor_reach_multiplier + 1e-9)
        .all()
    )


def test_region_launch_truth_is_zero_before_and_the_multiplier_after(truth):
    launch = truth["region_launches"]["desktop_upload"]
    multiplier = REGION_LAUNCHES.posting_rate_multiplier["desktop_upload"]
    for date, day in launch["by_date"].items():
        with_it, without = day["post_count_per_creator_with"], day["post_count_per_creator_without"]
        if date < launch["launch_date"]:
            assert with_it == without
        else:
            assert with_it == pytest.approx(multiplier * without)
    assert launch["average_effect_on_post_count_per_creator"] > 0


@pytest.fixture(scope="module")
def study(warehouse):
    panel = read_causal_panel(warehouse, WAREHOUSE)
    return rewards_study(panel)


def _by(study, estimator, outcome):
    return next(e for e in study.estimates if e.estimator == estimator and e.outcome == outcome)


@pytest.mark.parametrize("outcome", ["post_count", "view_count", "watch_minutes"])
def test_naive_comparison_overstates_the_effect(study, effects, truth, outcome):
    naive = _by(study, "naive", outcome)
    assert naive.estimate > 1.5 * truth_of(naive, study, effects, truth)


@pytest.mark.parametrize("estimator", ["twfe", "callaway_santanna"])
def test_panel_designs_cover_the_truth_where_parallel_trends_hold(study, effects, truth, estimator):
    """Posts: no seasonality, no competition, so parallel trends hold (views and watch
    time do not: evaluation.causal_recovery.assumptions_hold). The two-group design has
    only four launch-week enrollees at tiny scale and is left to the small-scale run."""
    estimate = _by(study, estimator, "post_count")
    assert assumptions_hold(estimator, "post_count")
    assert estimate.covers(truth_of(estimate, study, effects, truth))


def test_synthetic_control_covers_the_region_launch(study, effects, truth):
    estimate = _by(study, "synthetic_control", "post_count")
    assert estimate.covers(truth_of(estimate, study, effects, truth))
    assert study.synthetic is not None
    assert sum(w for _, w in study.synthetic.weights) == pytest.approx(1.0)


def test_every_estimate_carries_its_e_value_and_a_verdict(study):
    assert {e.estimator for e in study.estimates} >= {
        "naive", "did_2x2", "twfe", "callaway_santanna", "ipw_att", "g_formula_att",
        "aipw_att", "matching_att", "synthetic_control",
    }  # fmt: skip
    for estimate in study.estimates:
        assert estimate.diagnostics["e_value"] >= 1.0
        assert estimate.verdict in ("pass", "warn", "fail", "none")
    assert study.event_studies["post_count"]


def test_the_true_graph_hides_motivation_and_fci_is_scored_against_it(study, truth):
    graph = truth["causal_graph"]
    assert "motivation" in graph["hidden"] and "motivation" not in graph["observed"]
    assert tuple(graph["observed"]) == DISCOVERY_VARIABLES
    reference = true_pag(list(graph["observed"]), list(graph["hidden"]), graph["edges"])
    assert possibly_confounded(reference, "is_enrolled", "posts_after")
    score = discovery_score(study.discovery, truth)
    assert 0 <= score["shd"] <= len(DISCOVERY_VARIABLES) * (len(DISCOVERY_VARIABLES) - 1) // 2
    assert score["flagged_in_truth"] is True


def test_the_truth_file_records_the_estimands(truth, raw_dir):
    rewards = truth["rewards_program"]["effects_on_treated"]
    assert rewards["treated_creator_days"] > 0
    assert set(rewards["average_effect_on_treated"]) == {"post_count", "view_count", "watch_ms"}
    assert "0" in rewards["by_days_since_treated"]
    assert truth["tools"]["effects_on_adopters"]["scheduler"]["treated_creator_days"] > 0
    assert "creators_in_band" in truth["rewards_program"]["local_effect_at_threshold"]
    with duckdb.connect() as con:
        (rows,) = con.execute(
            f"select count(*) from read_parquet('{raw_dir / 'treatment_effects.parquet'}') "
            "where treatment = 'rewards_program'"
        ).fetchone()
    assert rows == rewards["treated_creator_days"]
    json.dumps(truth)  # plain JSON throughout
