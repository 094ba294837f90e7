"""The model-selection primitives and the variance mixture: hand values, scipy, planted noise."""

import math

import numpy as np
import pytest
from scipy.optimize import nnls
from scipy.stats import chi2

from python_checks.stats.model_selection import (
    description_penalty,
    implied_level,
    posterior_probabilities,
)
from python_checks.stats.variance_mixture import _two_column_nnls, fit_variance_mixture


def test_the_description_penalty_by_hand():
    # Naming one of 50 slices and fitting one factor from 1,000 leaves.
    assert description_penalty(50, 1000) == pytest.approx(2 * math.log(50) + math.log(1000))
    assert description_penalty(1, 1) == 0.0
    assert description_penalty(50, 1000, parameters=2) == pytest.approx(
        2 * math.log(50) + 2 * math.log(1000)
    )
    with pytest.raises(ValueError, match="at least 1"):
        description_penalty(0, 10)


def test_the_implied_level_is_the_chi_square_tail():
    assert implied_level(3.841458820694124) == pytest.approx(0.05)
    assert implied_level(20.0, 2) == pytest.approx(chi2.sf(20.0, 2))


def test_posterior_probabilities_by_hand_and_without_overflow():
    # Evidence 2 and 0 against a null with evidence 0: e^1 / (1 + e^1 + e^0).
    probabilities = posterior_probabilities(np.array([2.0, 0.0]))
    assert probabilities == pytest.approx([math.e / (2 + math.e), 1 / (2 + math.e)])
    # Statistics in the thousands: the larger takes (almost) everything, nothing overflows.
    large = posterior_probabilities(np.array([5000.0, 4990.0]))
    assert large == pytest.approx([1 / (1 + math.exp(-5)), math.exp(-5) / (1 + math.exp(-5))])
    assert posterior_probabilities(np.array([])).size == 0


def test_two_column_nnls_matches_scipy():
    rng = np.random.default_rng(1)
    for _ in range(20):
        x, y = rng.lognormal(size=200), rng.lognormal(size=200)
        target = rng.normal(1, 1, size=200) * x + rng.normal(0.5, 1, size=200) * y
        ours = _two_column_nnls(x, y, target)
        reference, _ = nnls(np.stack([x, y], axis=1), target)
        assert ours == pytest.approx(tuple(reference), abs=1e-8)


def test_the_variance_mixture_recovers_planted_noise():
    rng = np.random.default_rng(2)
    mean = rng.lognormal(3, 1.2, size=20_000)
    # Poisson counts: variance = mean (level 1, nothing quadratic).
    poisson = fit_variance_mixture(rng.poisson(mean) - mean, mean, mean)
    assert poisson.level == pytest.approx(1.0, abs=0.05)
    assert poisson.quadratic == pytest.approx(0.0, abs=0.002)
    # A forecast off by 10% (normal, relative): variance = 0.01 mean^2.
    relative = fit_variance_mixture(mean * rng.normal(0, 0.1, size=mean.size), mean, mean)
    assert relative.quadratic == pytest.approx(0.01, rel=0.05)
    assert relative.level == pytest.approx(0.0, abs=0.05)
    # Both: negative-binomial-like counts, variance = 2 mean + 0.04 mean^2.
    rate = mean * rng.gamma(25.0, 1 / 25.0, size=mean.size)  # gamma with variance 0.04
    mixed = fit_variance_mixture(2 * rng.poisson(rate / 2) - mean, mean, mean)
    assert mixed.level == pytest.approx(2.0, rel=0.15)
    assert mixed.quadratic == pytest.approx(0.04, rel=0.15)
    # The leaves marked unusable (the anomalies) do not count.
    residual = mean * rng.normal(0, 0.1, size=mean.size)
    residual[:2000] += 3 * mean[:2000]
    usable = np.arange(mean.size) >= 2000
    assert fit_variance_mixture(residual, mean, mean, usable).quadratic == pytest.approx(
        0.01, rel=0.05
    )
    assert fit_variance_mixture(residual[:5], mean[:5], mean[:5]) is None
