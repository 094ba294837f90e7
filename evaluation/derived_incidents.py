"""A third generator of incident files, written from a published description of another
design: Squeeze's derived-measure datasets (Li et al., "Generic and Robust Localization of
Multi-Dimensional Root Causes", ISSRE 2019, dataset D), where the measure that broke is a
ratio of two additive measures and each file comes as `<name>.a.csv` + `<name>.b.csv`, both
with `real` and `predict` per leaf.

What it draws, per file:

- Four dimensions `a`, `b`, `c`, `d` of 4-12 values; every combination is a leaf, 0-20% of them
  without traffic (all values zero).
- Measure b (requests): a forecast per leaf, lognormal (sigma 1.2) times a lognormal factor
  per dimension value (sigma 0.7); the actual is Poisson around the forecast times a forecast
  error, normal with a relative spread of 0-10% per file.
- Measure a (successes): the forecast is the forecast of b times the leaf's normal success
  rate, `1 - failure rate`, the failure rate 0.5-5% times a lognormal factor per value (sigma
  0.3) and per leaf (sigma 0.2); the actual is binomial out of the actual requests.
- Root causes: 1-3 disjoint slices of 1-3 dimensions, each holding 1-30% of the forecast
  requests (at least two leaves). Inside, the failure rate is multiplied by 2-20
  (log-uniform), and in 40% of them the requests also drop to 50-90% (an outage loses
  traffic as well).
- In half of the files a slice of one dimension that is not a root cause changes its traffic
  by a factor of 0.5-2 at an unchanged success rate: the ratio did not move there.

The derived measure a / b (the success rate) falls in the root causes. Values of a and b
are counts; forecasts are rounded to 3 decimals as in the published files.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd

from evaluation.incident_cubes import Incident

DIMENSIONS = ("a", "b", "c", "d")


def _slice_mask(frame: pd.DataFrame, cause: dict[str, object]) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for name, value in cause.items():
        mask &= frame[name].to_numpy() == value
    return mask


def derived_incident(rng: np.random.Generator) -> Incident:
    """One generated incident: leaves with the dimensions, `real_a`, `predict_a`, `real_b`,
    `predict_b`, and the planted root-cause slices."""
    sizes = [int(rng.integers(4, 13)) for _ in DIMENSIONS]
    grid = list(product(*[range(size) for size in sizes]))
    codes = np.array(grid, dtype=np.int64)
    frame = pd.DataFrame(
        {name: [f"{name}{code + 1}" for code in codes[:, i]] for i, name in enumerate(DIMENSIONS)}
    )
    n = len(frame)
    volume = rng.lognormal(math.log(200.0), 1.2, size=n)
    failure = np.full(n, math.exp(rng.uniform(math.log(0.005), math.log(0.05))))
    for i, size in enumerate(sizes):
        volume *= rng.lognormal(0.0, 0.7, size=size)[codes[:, i]]
        failure *= rng.lognormal(0.0, 0.3, size=size)[codes[:, i]]
    failure *= rng.lognormal(0.0, 0.2, size=n)
    failure = np.minimum(failure, 0.5)
    volume *= rng.uniform(size=n) >= rng.uniform(0.0, 0.2)  # leaves without traffic
    causes, traffic, factor = _root_causes(rng, frame, volume)
    distractor = np.ones(n)
    if rng.random() < 0.5:
        distractor = _distractor(rng, frame, causes)
    noise = rng.uniform(0.0, 0.1)
    error = np.maximum(1.0 + rng.normal(0.0, noise, size=n), 0.0)
    real_b = rng.poisson(volume * error * traffic * distractor)
    real_failure = np.minimum(failure * factor, 0.95)
    real_a = rng.binomial(real_b, 1.0 - real_failure)
    frame["real_a"] = real_a.astype(float)
    frame["predict_a"] = np.round(volume * (1.0 - failure), 3)
    frame["real_b"] = real_b.astype(float)
    frame["predict_b"] = np.round(volume, 3)
    return Incident(frame, tuple(causes))


def _root_causes(
    rng: np.random.Generator, frame: pd.DataFrame, volume: np.ndarray
) -> tuple[list[dict[str, object]], np.ndarray, np.ndarray]:
    """1-3 disjoint slices with 1-30% of the volume each; per leaf, the traffic factor and
    the failure-rate multiplier they apply."""
    wanted = int(rng.integers(1, 4))
    causes: list[dict[str, object]] = []
    taken = np.zeros(len(frame), dtype=bool)
    traffic = np.ones(len(frame))
    factor = np.ones(len(frame))
    weights = volume / volume.sum()
    for _ in range(500):
        if len(causes) == wanted:
            break
        size = int(rng.integers(1, 4))
        dims = sorted(rng.choice(len(DIMENSIONS), size=size, replace=False))
        row = int(rng.choice(len(frame), p=weights))
        cause = {DIMENSIONS[d]: frame.iloc[row, d] for d in dims}
        inside = _slice_mask(frame, cause)
        share = volume[inside].sum() / volume.sum()
        if not 0.01 <= share <= 0.3 or (inside & taken).any() or (volume[inside] > 0).sum() < 2:
            continue
        causes.append(cause)
        taken |= inside
        factor[inside] = math.exp(rng.uniform(math.log(2.0), math.log(20.0)))
        if rng.random() < 0.4:
            traffic[inside] = rng.uniform(0.5, 0.9)
    return causes, traffic, factor


def _distractor(
    rng: np.random.Generator, frame: pd.DataFrame, causes: list[dict[str, object]]
) -> np.ndarray:
    """A traffic factor of 0.5-2 on one value of one dimension that is not a root cause."""
    for _ in range(50):
        dim = DIMENSIONS[int(rng.integers(len(DIMENSIONS)))]
        value = rng.choice(frame[dim].unique())
        if {dim: value} in causes:
            continue
        change = np.ones(len(frame))
        change[frame[dim].to_numpy() == value] = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
        return change
    return np.ones(len(frame))
