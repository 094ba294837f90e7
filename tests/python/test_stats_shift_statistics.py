"""The pure statistics behind the distribution-shift monitors: PSI against hand-computed
values and its properties, quantile binning, the KS and chi-square wrappers against an
independent computation, the status rule, BH against statsmodels and a hand example, and
planted shifts that are flagged while unshifted resamples are not."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from python_checks.monitoring.check_results import CheckResult
from python_checks.monitoring.shift_monitors import day_vs_week_before, latest_periods, shift_status
from python_checks.monitoring.validation import adjust_for_multiple_testing
from python_checks.stats.shift_statistics import (
    bin_counts,
    compare_categorical,
    compare_numeric,
    population_stability_index,
    quantile_bin_edges,
)

counts = st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=12)


def test_psi_matches_a_hand_computed_example():
    # Shares 50/50 -> 25/75: 0.25 ln 2 + 0.25 ln 1.5, by hand.
    assert population_stability_index(np.array([50, 50]), np.array([25, 75])) == pytest.approx(
        0.2746530722
    )


def test_psi_replaces_an_empty_bin_share_by_epsilon():
    # Shares (1, 0 -> 1e-4) vs (0.5, 0.5): 0.5 ln 2 + 0.4999 ln 5000, by hand.
    assert population_stability_index(np.array([100, 0]), np.array([50, 50])) == pytest.approx(
        4.6043184667, rel=1e-9
    )


@settings(max_examples=50, deadline=None)
@given(counts, st.integers(min_value=1, max_value=50))
def test_psi_is_zero_for_identical_shares(bins, scale):
    baseline = np.array(bins)
    assert population_stability_index(baseline, baseline * scale) == pytest.approx(0, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(counts.flatmap(lambda a: st.tuples(st.just(a), st.permutations(a))))
def test_psi_is_symmetric_and_non_negative(pair):
    baseline, current = (np.array(side) for side in pair)
    forward = population_stability_index(baseline, current)
    assert forward == pytest.approx(population_stability_index(current, baseline))
    assert forward >= 0


def test_psi_rejects_bins_that_do_not_match():
    with pytest.raises(ValueError, match="same bins"):
        population_stability_index(np.array([1, 2]), np.array([1, 2, 3]))


def test_quantile_bins_split_the_baseline_into_equal_parts():
    baseline = np.arange(1, 101)
    edges = quantile_bin_edges(baseline, 10)
    assert len(edges) == 9
    assert bin_counts(baseline, edges).tolist() == [10] * 10


def test_quantile_bins_merge_tied_edges():
    baseline = np.array([0] * 90 + list(range(1, 11)))  # mostly zero, like posts per day
    edges = quantile_bin_edges(baseline, 10)
    # Eight deciles fall on zero; the ninth interpolates between 0 and 1 (position 89.1).
    assert edges.tolist() == pytest.approx([0.0, 0.1])
    assert bin_counts(baseline, edges).tolist() == [90, 0, 10]


def test_numeric_comparison_matches_scipy_and_a_histogram_psi():
    rng = np.random.default_rng(1)
    baseline, current = rng.lognormal(0, 1, 3000), rng.lognormal(0.2, 1, 2500)
    shift = compare_numeric(baseline, current)
    ks = stats.ks_2samp(baseline, current)
    assert (shift.statistic, shift.p_value) == pytest.approx((ks.statistic, ks.pvalue))
    # An independent binning: numpy's histogram over the baseline deciles (continuous data,
    # so which side of an edge is closed does not matter).
    edges = np.quantile(baseline, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    expected_bins = np.histogram(baseline, edges)[0], np.histogram(current, edges)[0]
    b, c = (side / side.sum() for side in expected_bins)
    assert shift.psi == pytest.approx(np.sum((c - b) * np.log(c / b)))
    assert (shift.n_baseline, shift.n_current) == (3000, 2500)


def test_categorical_comparison_is_the_chi_square_of_homogeneity():
    baseline = pd.Series({"a": 120, "b": 300, "c": 80})
    current = pd.Series({"b": 260, "c": 150, "d": 40})  # "a" vanished, "d" is new
    shift = compare_categorical(baseline, current)
    observed = np.array([[120, 300, 80, 0], [0, 260, 150, 40]], dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0) / observed.sum()
    statistic = ((observed - expected) ** 2 / expected).sum()
    assert shift.statistic == pytest.approx(statistic)
    assert shift.p_value == pytest.approx(stats.chi2.sf(statistic, df=3))
    assert shift.largest_move in {"a", "d"}  # the categories present in one period only
    assert (shift.n_baseline, shift.n_current) == (500, 450)


def test_categorical_comparison_of_one_category_cannot_shift():
    shift = compare_categorical(pd.Series({"web": 10}), pd.Series({"web": 30}))
    assert (shift.statistic, shift.p_value, shift.psi) == (0.0, 1.0, pytest.approx(0.0))


@pytest.mark.parametrize(
    ("q_value", "psi", "status"),
    [
        (0.2, 3.0, "pass"),  # not significant: no flag however large
        (1e-30, 0.05, "pass"),  # significant but small: large-sample noise
        (1e-30, 0.15, "warn"),
        (0.01, 0.25, "fail"),
        (None, 1.0, "pass"),
        (float("nan"), 1.0, "pass"),
    ],
)
def test_shift_status_needs_both_significance_and_size(q_value, psi, status):
    assert shift_status(q_value, psi) == status


def _flag(shift) -> str:
    return shift_status(shift.p_value, shift.psi)  # one test: q = p


def test_a_planted_category_jump_is_flagged_and_a_resample_is_not():
    rng = np.random.default_rng(7)
    categories = np.array(["news", "sports", "music", "food"])
    usual = [0.4, 0.1, 0.3, 0.2]
    baseline = pd.Series(rng.choice(categories, 20_000, p=usual)).value_counts()
    resample = pd.Series(rng.choice(categories, 20_000, p=usual)).value_counts()
    spike = pd.Series(rng.choice(categories, 20_000, p=[0.25, 0.4, 0.2, 0.15])).value_counts()

    assert _flag(compare_categorical(baseline, resample)) == "pass"
    jumped = compare_categorical(baseline, spike)
    assert _flag(jumped) == "fail"
    assert jumped.largest_move == "sports"


def test_a_planted_numeric_shift_is_flagged_and_a_resample_is_not():
    rng = np.random.default_rng(11)
    baseline = rng.lognormal(9, 1, 20_000)
    assert _flag(compare_numeric(baseline, rng.lognormal(9, 1, 20_000))) == "pass"
    assert _flag(compare_numeric(baseline, rng.lognormal(9.5, 1, 20_000))) in {"warn", "fail"}


def _result(p_value: float | None, category: str = "distribution_shift") -> CheckResult:
    return CheckResult("x", category, "s", "pass", False, "", p_value=p_value, effect_size=1.0)


def test_bh_q_values_match_statsmodels_and_a_hand_example():
    p_values = [0.01, 0.04, 0.03, 0.2]
    results = [_result(p) for p in p_values] + [_result(None, "invariant")]
    adjusted = adjust_for_multiple_testing(results)
    q_values = [r.q_value for r in adjusted[:4]]
    assert q_values == pytest.approx(multipletests(p_values, method="fdr_bh")[1])
    # By hand: m = 4, sorted p 0.01, 0.03, 0.04, 0.2 -> 0.04, 0.06, 0.0533, 0.2, then the
    # running minimum from the top.
    assert q_values == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert adjusted[4].q_value is None
    # PSI 1.0 everywhere: only q = 0.04 is below 5%, although three p-values are.
    assert [r.status for r in adjusted[:4]] == ["fail", "pass", "pass", "pass"]


def test_periods_are_adjacent_weeks_or_a_day_and_its_weekday_a_week_before():
    periods = latest_periods(date(2026, 10, 4))
    assert (periods.baseline_start, periods.baseline_end) == (date(2026, 9, 21), date(2026, 9, 27))
    assert (periods.current_start, periods.current_end) == (date(2026, 9, 28), date(2026, 10, 4))
    day = day_vs_week_before(date(2026, 9, 28))
    assert (day.baseline_start, day.baseline_end) == (date(2026, 9, 21),) * 2
    assert (day.current_start, day.current_end) == (date(2026, 9, 28),) * 2
    with pytest.raises(ValueError, match="at least one day"):
        latest_periods(date(2026, 10, 4), 0)
