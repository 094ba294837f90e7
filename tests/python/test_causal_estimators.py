"""The estimators on data built to satisfy or to break their assumptions: each diagnostic
fails on a case made to fail it (a pre-trend, a manipulated threshold, no overlap, ...),
and the numbers agree with a second library or a hand computation."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from pysyncon.base import VanillaOptimMixin

from python_checks.causal.did import (
    treated_row_weights,
    two_group_did,
    two_way_fixed_effects,
)
from python_checks.causal.discovery import (
    PagEdge,
    discover_graph,
    possibly_confounded,
    structural_hamming_distance,
    true_pag,
)
from python_checks.causal.estimate import CausalInputError
from python_checks.causal.naive import difference_in_means
from python_checks.causal.propensity import (
    covariate_balance,
    doubly_robust,
    inverse_probability_weighting,
    nearest_neighbor_matching,
    standardization,
)
from python_checks.causal.rd import regression_discontinuity
from python_checks.causal.sensitivity import e_value_mean_difference
from python_checks.causal.staggered import staggered_did
from python_checks.causal.synthetic_control import simplex_weights, synthetic_control


def _panel(trend_gap: float, effect: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """200 units x 10 periods; half treated from period 6; the treated group's untreated
    outcome grows `trend_gap` per period faster than the control group's."""
    rng = np.random.default_rng(seed)
    units, periods = 200, 10
    unit = np.repeat(np.arange(units), periods)
    time = np.tile(np.arange(periods), units)
    group = (unit < units // 2).astype(int)
    post = (time >= 6).astype(int)
    level = rng.normal(0, 1, units)[unit]
    y = level + 0.3 * time + trend_gap * group * time + effect * group * post
    return pd.DataFrame(
        {"unit": unit, "time": time, "group": group, "post": post,
         "y": y + rng.normal(0, 0.5, len(unit))}
    )  # fmt: skip


def test_two_group_did_is_the_difference_of_cell_means_and_passes_parallel_trends():
    data = _panel(trend_gap=0.0)
    result = two_group_did(data, "y", "unit", "time", "group", "post")
    cells = data.groupby(["group", "post"])["y"].mean()
    by_hand = (cells[1, 1] - cells[1, 0]) - (cells[0, 1] - cells[0, 0])
    assert result.estimate == pytest.approx(by_hand, rel=1e-10)
    assert result.covers(1.0)
    assert result.verdict == "pass"


def test_a_planted_pre_trend_fails_the_two_group_did():
    result = two_group_did(_panel(trend_gap=0.2), "y", "unit", "time", "group", "post")
    assert result.verdict == "fail" and "pre-trends differ" in result.verdict_note
    assert not result.covers(1.0)  # the trend is read as effect


def _staggered_panel(growing: bool, pre_trend: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """Cohorts first treated in periods 3, 5 and 7 and never; the effect grows by one per
    period since treatment when `growing`, else is 1."""
    rng = np.random.default_rng(seed)
    cohorts = np.repeat([3, 5, 7, 0], 60)
    rows = []
    for unit, cohort in enumerate(cohorts):
        alpha = rng.normal()
        for time in range(1, 11):
            treated = cohort and time >= cohort
            effect = (time - cohort + 1 if growing else 1.0) if treated else 0.0
            trend = pre_trend * time * (cohort == 7)
            rows.append(
                (unit, time, cohort or np.nan, int(bool(treated)),
                 alpha + 0.2 * time + trend + effect + rng.normal(0, 0.3))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["unit", "time", "first", "treated", "y"])


def test_twfe_matches_dummy_regression_and_flags_negative_weights():
    data = _staggered_panel(growing=True)
    result = two_way_fixed_effects(data, "y", "unit", "time", "treated")
    dummies = smf.ols("y ~ treated + C(unit) + C(time)", data).fit()
    assert result.estimate == pytest.approx(dummies.params["treated"], rel=1e-8)
    assert result.verdict == "warn" and "negative weight" in result.verdict_note
    weights = treated_row_weights(
        data["treated"].to_numpy(float), data["unit"].to_numpy(), data["time"].to_numpy() - 1
    )
    assert weights.sum() == pytest.approx(1.0)
    assert (weights < 0).any()
    # With growing effects TWFE is biased; Callaway and Sant'Anna recover the average.
    truth = data.loc[data["treated"] == 1].eval("time - first + 1").mean()
    assert not result.covers(truth)
    staggered = staggered_did(data, "y", "unit", "time", "first", control_group="nevertreated")
    assert staggered.overall.covers(truth)
    assert staggered.overall.verdict == "pass"


def test_a_planted_pre_trend_fails_the_staggered_test():
    data = _staggered_panel(growing=False, pre_trend=0.15)
    result = staggered_did(data, "y", "unit", "time", "first", control_group="nevertreated")
    assert result.overall.verdict == "fail"
    assert result.pre_trend_p_value < 0.01


def test_staggered_names_the_unit_of_an_unbalanced_panel():
    data = _staggered_panel(growing=False).drop(index=5)
    with pytest.raises(CausalInputError, match="balanced; unit 0 has 9 of 10 periods"):
        staggered_did(data, "y", "unit", "time", "first")


def _rd_data(manipulated: bool, fuzzy: bool = False, seed: int = 2) -> pd.DataFrame:
    """4,000 units, running variable U(-1, 1), effect 2 at the cutoff 0. Manipulated: 40 %
    of the units just below the cutoff push themselves just above it."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, 4000)
    if manipulated:
        movers = (x < 0) & (x > -0.2) & (rng.random(4000) < 0.4)
        x = np.where(movers, -x, x)
    above = x >= 0
    treated = (rng.random(4000) < np.where(above, 0.8, 0.1)) if fuzzy else above
    y = 1 + 0.5 * x + 2.0 * treated + rng.normal(0, 0.5, 4000)
    return pd.DataFrame({"x": x, "y": y, "d": treated.astype(int)})


def test_rd_recovers_the_jump_and_passes_the_density_test():
    result = regression_discontinuity(_rd_data(manipulated=False), "y", "x")
    assert result.covers(2.0)
    assert result.verdict == "pass"
    assert result.diagnostics["density_p_value"] > 0.05


def test_a_manipulated_threshold_fails_the_density_test():
    result = regression_discontinuity(_rd_data(manipulated=True), "y", "x")
    assert result.verdict == "fail" and "density" in result.verdict_note
    assert result.diagnostics["density_p_value"] < 0.01


def test_fuzzy_rd_reports_its_first_stage():
    result = regression_discontinuity(_rd_data(False, fuzzy=True), "y", "x", treatment="d")
    assert result.diagnostics["first_stage"] == pytest.approx(0.7, abs=0.1)
    assert result.covers(2.0)
    assert result.estimator == "rd_fuzzy"


def test_rd_needs_units_on_both_sides():
    data = _rd_data(False)
    with pytest.raises(CausalInputError, match="each side needs at least 5"):
        regression_discontinuity(data[data["x"] > -0.001], "y", "x")


def _observational(overlap: bool, seed: int = 3) -> pd.DataFrame:
    """Treatment depends on x; effect 1 on everyone. Without overlap the treated have
    x far above every control's."""
    rng = np.random.default_rng(seed)
    n = 3000
    x = rng.normal(0, 1, n)
    if overlap:
        d = rng.random(n) < 1 / (1 + np.exp(-(x - 0.5)))
    else:
        d = x > 1.0
        x = np.where(d, x + 3.0, x)
    y = 2 * x + 1.0 * d + rng.normal(0, 1, n)
    return pd.DataFrame({"x": x, "x2": rng.normal(size=n), "d": d.astype(int), "y": y})


@pytest.mark.parametrize(
    "estimator", [inverse_probability_weighting, standardization, doubly_robust]
)
@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_weighting_and_regression_recover_the_effect_with_overlap(estimator, estimand):
    data = _observational(overlap=True)
    naive = difference_in_means(data, "y", "d")
    result = estimator(data, "y", "d", ["x", "x2"], estimand=estimand)
    assert not naive.covers(1.0)  # confounded by x
    assert result.covers(1.0)
    assert result.verdict == "pass"


def test_no_overlap_fails():
    result = inverse_probability_weighting(_observational(overlap=False), "y", "d", ["x"])
    assert result.verdict == "fail" and "no overlap" in result.verdict_note
    assert result.diagnostics["overlap_treated_outside_share"] > 0.5


def test_balance_table_smd_by_hand():
    data = _observational(overlap=True)
    table = covariate_balance(data, "d", ["x", "x2"]).set_index("covariate")
    t, c = data.loc[data["d"] == 1, "x"], data.loc[data["d"] == 0, "x"]
    by_hand = (t.mean() - c.mean()) / np.sqrt((t.var() + c.var()) / 2)
    assert table.loc["x", "smd_before"] == pytest.approx(by_hand, rel=1e-10)
    assert abs(table.loc["x", "smd_after"]) < 0.05


def test_matching_by_hand():
    """Two treated, three controls, one covariate: each treated unit takes the control
    nearest to it (x 1 -> 1.1, x 5 -> 4), so the ATT is ((10 - 7) + (20 - 12)) / 2."""
    data = pd.DataFrame(
        {"x": [1.0, 5.0, 1.1, 4.0, 9.0], "d": [1, 1, 0, 0, 0], "y": [10, 20, 7, 12, 30]}
    )
    result = nearest_neighbor_matching(data, "y", "d", ["x"])
    assert result.estimate == pytest.approx(5.5)
    assert result.diagnostics["distinct_matches"] == 2


def test_e_value_of_a_mean_difference_uses_the_standardized_difference():
    """d = 0.5 sd: RR = exp(0.91 x 0.5) = 1.576, E = RR + sqrt(RR (RR - 1))."""
    values = e_value_mean_difference(5.0, 3.0, 7.0, outcome_sd=10.0)
    rr = np.exp(0.91 * 0.5)
    assert values.risk_ratio == pytest.approx(rr)
    assert values.point == pytest.approx(rr + np.sqrt(rr * (rr - 1)))
    assert values.interval < values.point


def _regions(effect: float, seed: int = 4, outside: bool = False) -> pd.DataFrame:
    """Eight donor regions with a common shock and their own noise; the treated region is
    0.5 A + 0.3 B + 0.2 C and its own small noise (+ 10, above every donor, when
    `outside`), plus `effect` from period 30 of 50."""
    rng = np.random.default_rng(seed)
    periods = np.arange(50)
    common = np.cumsum(rng.normal(0, 0.3, 50))
    donors = {
        name: 10 + i + common + rng.normal(0, 0.3, 50) + 0.5 * np.sin(periods / (i + 2))
        for i, name in enumerate("ABCDEFGH")
    }
    treated = 0.5 * donors["A"] + 0.3 * donors["B"] + 0.2 * donors["C"] + rng.normal(0, 0.1, 50)
    treated = treated + effect * (periods >= 30) + (10 if outside else 0)
    rows = [(name, t, v) for name, series in {**donors, "T": treated}.items()
            for t, v in zip(periods, series, strict=True)]  # fmt: skip
    return pd.DataFrame(rows, columns=["region", "period", "y"])


def test_synthetic_control_weights_equal_pysyncon_and_recover_a_convex_combination():
    data = _regions(effect=0.0)
    wide = data.pivot(index="period", columns="region", values="y")
    pre = wide.index < 30
    ours = simplex_weights(
        wide.loc[pre, "T"].to_numpy(), wide.loc[pre, list("ABCDEFGH")].to_numpy()
    )
    theirs, _ = VanillaOptimMixin.w_optimize(
        np.eye(int(pre.sum())), wide.loc[pre, list("ABCDEFGH")].to_numpy(),
        wide.loc[pre, "T"].to_numpy(),
    )  # fmt: skip
    assert ours == pytest.approx(theirs, abs=1e-4)
    assert ours[:3] == pytest.approx([0.5, 0.3, 0.2], abs=0.05)


def test_synthetic_control_interval_holds_the_planted_effect():
    result = synthetic_control(_regions(effect=2.0), "y", "region", "period", "T", 30)
    assert result.estimate.covers(2.0)
    assert not result.estimate.covers(0.0)
    assert result.placebo_p_value == pytest.approx(1 / 9)  # the largest ratio of nine
    assert result.estimate.verdict == "pass"
    post = [gap.gap for gap in result.gaps if gap.is_post]
    assert np.mean(post) == pytest.approx(result.estimate.estimate)


def test_a_treated_level_outside_the_donors_fails_unless_demeaned():
    data = _regions(effect=2.0, outside=True)
    plain = synthetic_control(data, "y", "region", "period", "T", 30)
    assert plain.estimate.verdict == "fail" and "outside the donors" in plain.estimate.verdict_note
    demeaned = synthetic_control(data, "y", "region", "period", "T", 30, intercept=True)
    assert demeaned.estimate.covers(2.0)


def _latent_data(n: int = 20_000, seed: int = 5) -> pd.DataFrame:
    """Z -> D -> Y, X -> D, and a hidden U -> D, U -> Y: D <-> Y is confounded. V -> W <- Q
    and W -> Y: the edge W -> Y is unconfounded and visible (V *-> W, V not adjacent to Y)."""
    rng = np.random.default_rng(seed)
    u, z, x, v, q = (rng.normal(size=n) for _ in range(5))
    d = 0.8 * z + 0.6 * x + 0.8 * u + rng.normal(size=n)
    w = 0.9 * v + 0.9 * q + rng.normal(size=n)
    y = 0.7 * d + 0.8 * u + 0.6 * w + rng.normal(size=n)
    return pd.DataFrame({"z": z, "x": x, "d": d, "v": v, "q": q, "w": w, "y": y})


def test_fci_recovers_the_oracle_pag_and_flags_the_hidden_confounder():
    names = ["z", "x", "d", "v", "q", "w", "y"]
    edges = [("z", "d"), ("x", "d"), ("u", "d"), ("u", "y"), ("d", "y"), ("v", "w"),
             ("q", "w"), ("w", "y")]  # fmt: skip
    truth = true_pag(names, ["u"], edges)
    found = discover_graph(_latent_data(), names)
    assert structural_hamming_distance(found, truth)["total"] == 0
    assert possibly_confounded(truth, "d", "y")
    assert possibly_confounded(found, "d", "y")
    assert str(found.edge("w", "y")) == "w --> y"
    assert not possibly_confounded(found, "w", "y")  # visible: v -> w, v not adjacent to y
    assert found.edge("z", "y") is not None  # an inducing path through the latent
    assert not possibly_confounded(found, "v", "y")  # not adjacent


def test_structural_hamming_distance_counts_missing_edges_and_other_marks():
    truth = true_pag(["a", "b", "c"], [], [("a", "b"), ("c", "b")])  # a *-> b <-* c
    a_b, c_b = truth.edge("a", "b"), truth.edge("c", "b")
    missing = replace(truth, edges=(a_b,))
    assert structural_hamming_distance(missing, truth) == {"adjacency": 1, "marks": 0, "total": 1}
    flipped = replace(
        truth,
        edges=(
            PagEdge("a", "b", a_b.mark_b, a_b.mark_a),
            PagEdge("c", "b", "tail", "tail"),
        ),
    )
    assert c_b.mark_b == "arrow"
    assert structural_hamming_distance(flipped, truth) == {"adjacency": 0, "marks": 2, "total": 2}


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"y": [1.0, 2.0], "d": [0, 1]}), "no column 'unit'"),
        (pd.DataFrame({"y": [1.0, None], "d": [0, 1], "unit": [1, 2]}), "value at row 1"),
        (pd.DataFrame({"y": [1.0, 2.0], "d": [0, 2], "unit": [1, 2]}), "must be 0/1"),
    ],
)
def test_bad_input_is_one_line_naming_the_column_and_row(frame, message):
    with pytest.raises(CausalInputError, match=message) as error:
        difference_in_means(frame, "y", "d", cluster="unit")
    assert "\n" not in str(error.value)
