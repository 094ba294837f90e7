"""Synthetic leaf cubes with planted culprits, for tests and the localization benchmark."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def planted_cube(
    sizes: Sequence[int],
    culprit: Mapping[str, str],
    effect: float,
    seed: int,
    n_leaves: int | None = None,
    noise: float = 0.05,
    mean_expected: float = 200.0,
    ratio: bool = False,
    base_rate: float = 0.05,
) -> pd.DataFrame:
    """One row per leaf; dimensions d0, d1, ... with values 'd0_v0', 'd0_v1', ...

    Additive (ratio=False): `expected` is lognormal around mean_expected and `actual` is
    Poisson(expected * lognormal(-noise^2/2, noise) * (1 + effect inside the culprit)).
    Ratio (ratio=True): `total` sessions per leaf (actual and expected volumes), `failed`
    expected at base_rate; inside the culprit the actual failure rate is base_rate*(1+effect).
    Leaves are a random subset of the full cross product when n_leaves is smaller than it.
    """
    rng = np.random.default_rng(seed)
    names = [f"d{i}" for i in range(len(sizes))]
    space = math.prod(sizes)
    n = space if n_leaves is None or n_leaves >= space else n_leaves
    flat = np.arange(space) if n == space else rng.choice(space, size=n, replace=False)
    codes = np.unravel_index(flat, tuple(sizes))
    frame = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(
                code, categories=[f"{name}_v{j}" for j in range(size)]
            ).astype(str)
            for name, code, size in zip(names, codes, sizes, strict=True)
        }
    )
    inside = np.ones(n, dtype=bool)
    for name, value in culprit.items():
        inside &= frame[name].to_numpy() == value
    volume = rng.lognormal(math.log(mean_expected), 1.0, size=n)
    jitter = rng.lognormal(-(noise**2) / 2, noise, size=n)  # mean 1
    lift = np.where(inside, 1.0 + effect, 1.0)
    if not ratio:
        frame["expected"] = volume
        frame["actual"] = rng.poisson(volume * jitter * lift).astype(float)
        return frame
    expected_total = rng.poisson(volume).astype(float)
    actual_total = rng.poisson(volume * jitter).astype(float)
    frame["expected_total"] = expected_total
    frame["actual_total"] = actual_total
    frame["expected_failed"] = rng.binomial(expected_total.astype(np.int64), base_rate).astype(
        float
    )
    rate = np.clip(base_rate * lift, 0.0, 1.0)
    frame["actual_failed"] = rng.binomial(actual_total.astype(np.int64), rate).astype(float)
    return frame
