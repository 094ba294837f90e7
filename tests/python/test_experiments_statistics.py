"""The experiment statistics against independent references: scipy's Welch test and
chi-square, statsmodels' OLS, robust WLS, delta method and multiple-testing corrections
(to 1e-8 where they compute the same statistic), hand-computed examples, and simulations
with a known truth for the always-valid interval and the two-sided design's gradients."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats._delta_method import NonlinearDeltaCov
from statsmodels.stats.multitest import multipletests

from python_checks.experiments.arm_statistics import ArmStatistics, ArmStatisticsError
from python_checks.experiments.decision import PrimaryEvidence, decide
from python_checks.experiments.exposure import gini, top_share
from python_checks.experiments.lifts import compare_arms
from python_checks.experiments.readout import MetricArms, ReadoutOptions, compare_metrics
from python_checks.experiments.sequential import confidence_sequence, mixing_scale
from python_checks.experiments.srm import sample_ratio_check
from python_checks.experiments.two_sided import (
    VECTOR_SIZE,
    ClusterMoments,
    TwoSidedInputs,
    relative_effect,
)
from python_checks.stats.delta_method import ratio_unit_variance
from python_checks.stats.multiple_testing import adjust_p_values
from python_checks.stats.welch import t_test, welch_test

TIGHT = 1e-8


def _arm(y, x=None, z=None) -> ArmStatistics:
    y = np.asarray(y, dtype=float)
    fields = {"n": len(y), "sum": y.sum(), "sum_squares": (y * y).sum()}
    if x is not None:
        x = np.asarray(x, dtype=float)
        fields |= {"denominator_sum": x.sum(), "denominator_sum_squares": (x * x).sum(),
                   "sum_product": (y * x).sum()}  # fmt: skip
    if z is not None:
        z = np.asarray(z, dtype=float)
        fields |= {"pre_sum": z.sum(), "pre_sum_squares": (z * z).sum(),
                   "sum_product_pre": (y * z).sum()}  # fmt: skip
    return ArmStatistics(**fields)


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(20261130)
    z_c, z_t = rng.gamma(2.0, 3.0, 800), rng.gamma(2.0, 3.0, 700)
    y_c = 1.0 + 2.0 * z_c + rng.normal(0, 3, 800)
    y_t = 1.6 + 2.0 * z_t + rng.normal(0, 4, 700)
    return y_c, z_c, y_t, z_t


def test_welch_matches_scipy(samples):
    y_c, _, y_t, _ = samples
    lift = compare_arms(_arm(y_c), _arm(y_t))
    reference = stats.ttest_ind(y_t, y_c, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert lift.absolute.statistic == pytest.approx(reference.statistic, rel=TIGHT)
    assert lift.absolute.p_value == pytest.approx(reference.pvalue, rel=TIGHT)
    assert lift.absolute.degrees_of_freedom == pytest.approx(reference.df, rel=TIGHT)
    assert (lift.absolute.ci_low, lift.absolute.ci_high) == pytest.approx(
        (interval.low, interval.high), rel=TIGHT
    )


def test_welch_from_summary_statistics_matches_scipy():
    ours = welch_test(10.0, 4.0, 30, 11.5, 9.0, 25)
    reference = stats.ttest_ind_from_stats(11.5, 3.0, 25, 10.0, 2.0, 30, equal_var=False)
    assert (ours.statistic, ours.p_value) == pytest.approx(
        (reference.statistic, reference.pvalue), rel=TIGHT
    )


def test_cuped_is_the_ols_treatment_coefficient_and_welch_on_adjusted_values(samples):
    y_c, z_c, y_t, z_t = samples
    lift = compare_arms(_arm(y_c, z=z_c), _arm(y_t, z=z_t))
    design = np.column_stack([np.ones(1500), np.r_[np.zeros(800), np.ones(700)], np.r_[z_c, z_t]])
    ols = sm.OLS(np.r_[y_c, y_t], design).fit()
    assert lift.absolute.estimate == pytest.approx(ols.params[1], rel=TIGHT)
    assert lift.theta == pytest.approx(ols.params[2], rel=TIGHT)
    adjusted = stats.ttest_ind(y_t - lift.theta * z_t, y_c - lift.theta * z_c, equal_var=False)
    assert lift.absolute.statistic == pytest.approx(adjusted.statistic, rel=TIGHT)
    assert lift.absolute.degrees_of_freedom == pytest.approx(adjusted.df, rel=TIGHT)
    # The covariate explains most of the variance: var(y | z) / var(y) is about 0.25 here.
    plain = compare_arms(_arm(y_c), _arm(y_t))
    assert lift.variance_reduction == pytest.approx(
        1 - (lift.absolute.standard_error / plain.absolute.standard_error) ** 2, rel=TIGHT
    )
    assert lift.variance_reduction > 0.5


def test_ratio_variance_is_the_robust_weighted_regression_variance():
    # mean(y) / mean(x) is WLS of y / x on a constant with weights x; HC1 is the delta method.
    rng = np.random.default_rng(7)
    x = rng.poisson(20, 400) + 1.0
    y = rng.binomial(x.astype(int), 0.4).astype(float)
    arm = _arm(y, x)
    fit = sm.WLS(y / x, np.ones(400), weights=x).fit(cov_type="HC1")
    assert arm.value == pytest.approx(fit.params[0], rel=TIGHT)
    assert arm.value_variance() == pytest.approx(fit.cov_params()[0, 0], rel=TIGHT)


def test_relative_lift_variance_matches_statsmodels_delta_method(samples):
    y_c, _, y_t, _ = samples
    lift = compare_arms(_arm(y_c), _arm(y_t))
    means = np.array([y_c.mean(), y_t.mean()])
    cov = np.diag([y_c.var(ddof=1) / len(y_c), y_t.var(ddof=1) / len(y_t)])
    delta = NonlinearDeltaCov(lambda m: np.array([m[1] / m[0] - 1]), means, cov)
    assert lift.relative.estimate == pytest.approx(delta.predicted()[0], rel=TIGHT)
    assert lift.relative.standard_error == pytest.approx(delta.se_vectorized()[0], rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=3, max_size=40),
    st.lists(st.floats(0, 100), min_size=3, max_size=40),
    st.sampled_from([0.01, 0.05, 0.2]),
)
def test_an_interval_excludes_zero_exactly_when_p_is_below_alpha(control, treatment, alpha):
    if (np.ptp(control) == 0 and np.ptp(treatment) == 0) or sum(control) == 0:
        return
    lift = compare_arms(_arm(control), _arm(treatment), alpha=alpha)
    for test in (lift.absolute, lift.relative):
        excludes = test.ci_low > 0 or test.ci_high < 0
        assert excludes == (test.p_value < alpha) or math.isclose(test.p_value, alpha)


def test_a_constant_arm_pair_is_exact():
    test = t_test(0.5, 0.0, math.inf)
    assert (test.p_value, test.ci_low, test.ci_high) == (0.0, 0.5, 0.5)


def test_ratio_unit_variance_by_hand():
    # R = 2; (s_yy - 2 R s_xy + R^2 s_xx) / mean_x^2 = (5 - 4 * 1 + 4 * 1) / 4 = 1.25
    assert ratio_unit_variance(4.0, 2.0, 5.0, 1.0, 1.0) == pytest.approx(1.25)


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"n": 1, "sum": 1.0, "sum_squares": 1.0}, "n"),
        ({"n": 10, "sum": 10.0, "sum_squares": 9.0}, "sum_squares"),
        ({"n": 10, "sum": 10.0, "sum_squares": 20.0, "denominator_sum": 5.0},
         "denominator_sum_squares"),
        ({"n": 4, "sum": 4.0, "sum_squares": 5.0, "denominator_sum": 4.0,
          "denominator_sum_squares": 5.0, "sum_product": 9.0}, "sum_product"),
        ({"n": 4, "sum": 4.0, "sum_squares": 5.0, "pre_sum": 4.0, "pre_sum_squares": 5.0,
          "sum_product_pre": 4.0, "denominator_sum": 4.0, "denominator_sum_squares": 5.0,
          "sum_product": 4.0}, "pre_sum"),
        ({"n": 4, "sum": math.nan, "sum_squares": 5.0}, "sum"),
    ],
)  # fmt: skip
def test_impossible_statistics_name_their_field(fields, column):
    with pytest.raises(ArmStatisticsError) as error:
        ArmStatistics(**fields)
    assert error.value.field == column


def test_srm_matches_scipy_and_the_threshold_blocks():
    check = sample_ratio_check(
        {"control": 8790, "treatment": 8227}, {"control": 0.5, "treatment": 0.5}
    )
    reference = stats.chisquare([8790, 8227])
    assert (check.statistic, check.p_value) == pytest.approx(
        (reference.statistic, reference.pvalue), rel=TIGHT
    )
    # By hand: (8790 - 8508.5)^2 / 8508.5 * 2 = 18.6266...
    assert check.statistic == pytest.approx(2 * 281.5**2 / 8508.5, rel=TIGHT)
    assert check.is_mismatch and check.most_off_variant == "treatment"
    balanced = sample_ratio_check({"a": 500, "b": 510}, {"a": 0.5, "b": 0.5})
    assert not balanced.is_mismatch
    uneven = sample_ratio_check({"c": 900, "t": 100}, {"c": 0.9, "t": 0.1})
    assert uneven.p_value == pytest.approx(1.0)
    decision = decide([check], None, [], 0.05)
    assert decision.verdict == "blocked" and "treatment is -3.3%" in decision.reason


@pytest.mark.parametrize("method", ["benjamini-hochberg", "holm"])
def test_adjustments_match_statsmodels(method):
    p = [0.001, 0.04, 0.03, 0.2, np.nan, 0.012]
    ours = adjust_p_values(p, method)
    reference = multipletests(
        [v for v in p if not np.isnan(v)],
        method={"benjamini-hochberg": "fdr_bh", "holm": "holm"}[method],
    )[1]
    assert np.isnan(ours[4])
    assert np.delete(ours, 4) == pytest.approx(reference, rel=TIGHT)


def test_the_readout_adjusts_headline_metrics_as_one_family(samples):
    y_c, _, y_t, _ = samples
    arms = {"control": _arm(y_c), "treatment": _arm(y_t)}
    metrics = [MetricArms(f"m{i}", "secondary", "higher_is_better", arms) for i in range(3)]
    metrics.append(MetricArms("m0", "secondary", "higher_is_better", arms, segment="surface=x"))
    results = compare_metrics(metrics, ReadoutOptions(adjustment="holm"))
    p = results[0].lift.relative.p_value
    assert [r.adjusted_p_value for r in results[:3]] == pytest.approx([min(1, 3 * p)] * 3)
    assert results[3].adjusted_p_value == pytest.approx(p) and results[3].family_size == 1


def test_confidence_sequence_formula_and_p_value_agree():
    # Howard et al. (2021) eq. (14) with rho tuned for t* = 5000, alpha = 0.05, by hand.
    r = 5000 / (2 * math.log(20) + math.log(1 + 2 * math.log(20)))
    assert mixing_scale(5000, 0.05) == pytest.approx(r)
    sequence = confidence_sequence(0.03, 0.01, 10_000)
    half = 0.01 * math.sqrt((10_000 + r) / 10_000 * (math.log(1 + 10_000 / r) + 2 * math.log(20)))
    assert (sequence.ci_low, sequence.ci_high) == pytest.approx((0.03 - half, 0.03 + half))
    for estimate in np.linspace(-0.06, 0.06, 25):
        s = confidence_sequence(float(estimate), 0.01, 10_000)
        assert (s.ci_low > 0 or s.ci_high < 0) == (s.p_value < 0.05)
    # Wider than the fixed-horizon interval at the same look: it pays for looking often.
    assert half > 1.96 * 0.01


def test_confidence_sequence_covers_under_daily_peeking():
    """A null effect watched at 30 looks: the always-valid interval excludes 0 at some look
    in under 5 % of runs, the fixed-horizon one in far more (the peeking problem)."""
    rng = np.random.default_rng(11)
    runs, looks, per_look = 2000, 30, 200
    increments = rng.normal(0, 1, (runs, looks, per_look)).sum(axis=2)
    sums, counts = increments.cumsum(axis=1), per_look * np.arange(1, looks + 1)
    estimates, errors = sums / counts, 1 / np.sqrt(counts)
    always_valid = fixed = 0
    for run in range(runs):
        sequences = [
            confidence_sequence(estimates[run, k], errors[k], int(counts[k]), 0.05, 3000)
            for k in range(looks)
        ]
        always_valid += any(s.ci_low > 0 or s.ci_high < 0 for s in sequences)
        fixed += any(abs(estimates[run, k]) > 1.96 * errors[k] for k in range(looks))
    assert always_valid / runs < 0.05
    assert fixed / runs > 0.15


def test_gini_and_top_share_by_hand():
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)  # (n - 1) / n
    assert gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)  # sum (2i-n-1) x / (n sum x)
    assert top_share(np.arange(1, 201)) == pytest.approx((200 + 199) / 20100)  # top 2 of 200


def test_two_sided_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    totals = rng.uniform(100, 1000, VECTOR_SIZE)
    totals[0::2] = totals[1::2] * rng.uniform(0.3, 0.7, VECTOR_SIZE // 2)  # views < impressions
    terms = [(1, [3], 0), (-1, [3], 1), (1, [0], 0), (-1, [0], 1), (-0.5, [1, 2], 0)]
    value, gradient = relative_effect(totals, terms)
    for i in range(VECTOR_SIZE):
        step = np.zeros(VECTOR_SIZE)
        step[i] = 1e-4 * totals[i]
        up, _ = relative_effect(totals + step, terms)
        down, _ = relative_effect(totals - step, terms)
        assert gradient[i] == pytest.approx((up - down) / (2 * step[i]), rel=1e-5, abs=1e-12)
    ratio = {cell: totals[i] / totals[i + 1] for cell, i in (("11", 6), ("11pre", 14),
             ("00", 0), ("00pre", 8))}  # fmt: skip
    pooled = (totals[2] + totals[4]) / (totals[3] + totals[5])
    expected = ratio["11"] / ratio["11pre"] * ratio["00"] / ratio["00pre"] * pooled**-0.5 - 1
    assert value == pytest.approx(expected, rel=TIGHT)


def test_cluster_variance_is_the_sample_variance_of_cluster_totals():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(50, VECTOR_SIZE))
    moments = ClusterMoments(50, vectors.sum(axis=0), vectors.T @ vectors)
    gradient = rng.normal(size=VECTOR_SIZE)
    assert moments.variance(gradient) == pytest.approx(
        50 * np.var(vectors @ gradient, ddof=1), rel=TIGHT
    )
    inputs = TwoSidedInputs("m", [moments], [moments], [moments])
    assert inputs.n_viewers == 50


def test_decision_rules():
    good = PrimaryEvidence("m", "fixed", "higher_is_better", 0.05, 0.01, 0.09)
    bad = PrimaryEvidence("m", "fixed", "higher_is_better", -0.05, -0.09, -0.01)
    unclear = PrimaryEvidence("m", "fixed", "higher_is_better", 0.01, -0.02, 0.04)
    lower = PrimaryEvidence("m", "fixed", "lower_is_better", -0.05, -0.09, -0.01)
    assert decide([], good, [], 0.05).verdict == "ship"
    assert decide([], bad, [], 0.05).verdict == "don't ship"
    assert decide([], unclear, [], 0.05).verdict == "inconclusive"
    assert decide([], lower, [], 0.05).verdict == "ship"


def test_cuped_relative_lift_variance_matches_statsmodels_delta_method(samples):
    """(adjusted difference) / control mean, as a function of the four arm means, with
    theta fixed: statsmodels' numerical delta method on the block-diagonal covariance."""
    y_c, z_c, y_t, z_t = samples
    lift = compare_arms(_arm(y_c, z=z_c), _arm(y_t, z=z_t))
    theta = lift.theta
    means = np.array([y_c.mean(), z_c.mean(), y_t.mean(), z_t.mean()])
    cov = np.zeros((4, 4))
    cov[:2, :2] = np.cov(y_c, z_c) / len(y_c)
    cov[2:, 2:] = np.cov(y_t, z_t) / len(y_t)

    def relative(m):
        return np.array([((m[2] - theta * m[3]) - (m[0] - theta * m[1])) / m[0]])

    delta = NonlinearDeltaCov(relative, means, cov)
    assert lift.relative.estimate == pytest.approx(delta.predicted()[0], rel=TIGHT)
    assert lift.relative.standard_error == pytest.approx(delta.se_vectorized()[0], rel=1e-6)
