"""The main-effects fit of normal failure rates: against statsmodels' Poisson GLM, exact
cubes, hand-computed outlier tests and a planted interaction."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from python_checks.diagnosis.normal_rates import (
    MainEffects,
    fit_main_effects,
    normal_failures,
    outlying_values,
    robust_main_effects,
)


def grid(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Codes of the full cross product, one array per dimension."""
    return [c.ravel() for c in np.indices(sizes)]


def test_raking_is_the_poisson_glm_maximum_likelihood_fit():
    rng = np.random.default_rng(3)
    codes = grid((3, 4, 5))
    total = rng.integers(50, 500, size=len(codes[0])).astype(float)
    log_rate = -3.0 + sum(rng.normal(0, 0.4, size=c.max() + 1)[c] for c in codes)
    failed = rng.poisson(total * np.exp(log_rate)).astype(float)
    model = fit_main_effects(codes, failed, total, prior_failures=0.0, tolerance=1e-10)
    design = pd.get_dummies(
        pd.DataFrame({f"d{i}": c for i, c in enumerate(codes)}).astype(str), drop_first=True
    ).astype(float)
    glm = sm.GLM(failed, sm.add_constant(design), family=sm.families.Poisson(),
                 offset=np.log(total)).fit(tol=1e-12)  # fmt: skip
    ours = total * np.exp(model.log_rate(codes))
    assert ours == pytest.approx(glm.fittedvalues, rel=1e-6)


def test_an_exact_main_effects_cube_is_recovered():
    codes = grid((4, 6, 3))
    factors = [np.array([1.0, 2.0, 0.5, 3.0]), np.linspace(0.6, 1.8, 6), np.array([1, 1.4, 0.7])]
    total = 100.0 + 37.0 * (np.arange(len(codes[0])) % 7)
    failed = total * 0.02 * factors[0][codes[0]] * factors[1][codes[1]] * factors[2][codes[2]]
    model = fit_main_effects(codes, failed, total, prior_failures=0.0, tolerance=1e-12)
    for effect, factor in zip(model.effects, factors, strict=True):
        assert effect - effect[0] == pytest.approx(np.log(factor / factor[0]), abs=1e-8)
    # Effects are centred on the session-weighted mean, so the intercept is the rate of the
    # weighted-average leaf.
    for effect, sessions in zip(model.effects, model.sessions, strict=True):
        assert (effect * sessions).sum() == pytest.approx(0.0, abs=1e-6)


def test_zero_weights_fit_as_if_the_rows_were_absent():
    rng = np.random.default_rng(8)
    codes = grid((5, 4, 3))
    total = rng.integers(20, 200, size=len(codes[0])).astype(float)
    failed = rng.binomial(total.astype(int), 0.05).astype(float)
    keep = rng.random(len(total)) > 0.3
    weighted = fit_main_effects(codes, failed, total, weights=keep.astype(float))
    subset = fit_main_effects([c[keep] for c in codes], failed[keep], total[keep])
    assert weighted.log_rate([c[keep] for c in codes]) == pytest.approx(
        subset.log_rate([c[keep] for c in codes])
    )


def test_the_outlier_test_by_hand():
    effects = np.array([0.0, 0.1, -0.1, 0.2, -0.2, 1.5, -1.5, 0.3])
    failures = np.array([500.0, 400, 300, 200, 800, 600, 700, 5])
    model = MainEffects(-4.0, (effects,), (failures,), (failures * 50,), 1)
    test = outlying_values(model, min_z=3.0, min_log_factor=math.log(2.0))
    reliable = effects[failures >= 10]
    center = np.median(reliable)
    spread = 1.4826 * np.median(np.abs(reliable - center))
    assert test.center[0] == pytest.approx(center)
    assert test.spread[0] == pytest.approx(spread)
    limit = 3.0 * np.sqrt(spread**2 + 1 / (failures + 1))
    expected = (effects - center >= limit) & (effects - center >= math.log(2.0))
    assert test.outlying[0].tolist() == expected.tolist()
    assert test.outlying[0].tolist() == [False] * 5 + [True, False, False]  # only 1.5 is up
    both = outlying_values(model, direction="both")
    assert both.outlying[0].tolist() == [False] * 5 + [True, True, False]


def planted_interaction(seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, list]:
    rng = np.random.default_rng(seed)
    codes = grid((12, 8, 5))
    effects = [rng.normal(0, 0.3, size=c.max() + 1) for c in codes]
    total = rng.integers(200, 2000, size=len(codes[0])).astype(float)
    rate = 0.02 * np.exp(sum(e[c] for e, c in zip(effects, codes, strict=True)))
    rate = np.where((codes[0] == 2) & (codes[1] == 3), rate * 8, rate)  # the incident
    failed = rng.binomial(total.astype(int), rate).astype(float)
    return codes, failed, total, effects


def test_the_trimmed_fit_is_not_pulled_by_a_two_dimension_incident():
    codes, failed, total, effects = planted_interaction(4)
    plain = fit_main_effects(codes, failed, total)
    trimmed = robust_main_effects(codes, failed, total)
    truth = effects[0] - effects[0].mean()
    plain_error = abs((plain.effects[0][2] - plain.effects[0].mean()) - truth[2])
    trimmed_error = abs((trimmed.effects[0][2] - trimmed.effects[0].mean()) - truth[2])
    assert plain_error > 0.3  # the incident leaks into value 2's effect ...
    assert trimmed_error < 0.1  # ... unless its cell is left out


def test_normal_failures_expect_an_outlying_value_at_its_dimension_median():
    rng = np.random.default_rng(6)
    codes = grid((15, 6, 4))
    effects = [rng.normal(0, 0.2, size=c.max() + 1) for c in codes]
    total = rng.integers(500, 3000, size=len(codes[0])).astype(float)
    normal = 0.03 * np.exp(sum(e[c] for e, c in zip(effects, codes, strict=True)))
    broken = codes[0] == 7
    failed = rng.binomial(total.astype(int), np.where(broken, normal * 6, normal)).astype(float)
    expected = normal_failures(codes, failed, total)
    # Inside the broken value the expectation is near the normal rate, not the observed one.
    assert expected[broken].sum() / (normal * total)[broken].sum() == pytest.approx(1.0, abs=0.25)
    assert failed[broken].sum() / expected[broken].sum() > 4
    # Outside it the fit follows the data.
    assert expected[~broken].sum() == pytest.approx(failed[~broken].sum(), rel=0.01)
