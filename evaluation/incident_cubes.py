"""Synthetic leaf cubes with planted culprits, for tests and the localization benchmarks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Incident:
    """One generated incident: its leaves and the root-cause slices planted in them."""

    leaves: pd.DataFrame  # dimensions and value columns (VALUE_COLUMNS)
    root_causes: tuple[dict[str, object], ...]

    @property
    def dimensions(self) -> list[str]:
        """The leaves' columns other than the values."""
        return [column for column in self.leaves.columns if column not in VALUE_COLUMNS]


# Value columns of generated leaves: failed and total of the anomalous period and of a
# baseline period, real and forecast values, both parts of a derived measure, a time.
VALUE_COLUMNS = frozenset(
    {
        "failed", "total", "failed_baseline", "total_baseline", "real", "predict",
        "real_a", "predict_a", "real_b", "predict_b", "minute",
    }
)  # fmt: skip


def incident_cube(rng: np.random.Generator) -> Incident:
    """A leaf cube like a video platform's failed / total sessions during an incident.

    3-6 dimensions of 5-40 values; 5-40% of the cross product present as leaves (at most
    20,000); lognormal volumes (sigma 1.5: heavy-tailed) times a lognormal factor per
    dimension value (sigma 1: a few values carry most of the traffic); a normal failure rate
    per leaf of about 2% that varies by dimension value and leaf (logit-normal); 1-3 disjoint
    root-cause slices of 1-3 dimensions whose failure rate is multiplied by 2-8 (capped at
    1), in the anomalous period only; binomial failures. The baseline period has its own volumes.
    """
    n_dims = int(rng.integers(3, 7))
    sizes = rng.integers(5, 41, size=n_dims)
    space = int(np.prod(sizes))
    n = int(min(20_000, max(200, space * rng.uniform(0.05, 0.4))))
    n = min(n, space)
    flat = rng.choice(space, size=n, replace=False)
    codes = np.unravel_index(flat, tuple(int(s) for s in sizes))
    names = [f"d{i}" for i in range(n_dims)]
    frame = pd.DataFrame(
        {name: [f"{name}_v{c}" for c in code] for name, code in zip(names, codes, strict=True)}
    )
    logit = np.full(n, math.log(0.02 / 0.98)) + rng.normal(0, 0.3, size=n)
    for code, size in zip(codes, sizes, strict=True):
        logit += rng.normal(0, 0.3, size=int(size))[code]
    normal_rate = 1 / (1 + np.exp(-logit))
    volume = rng.lognormal(math.log(50), 1.5, size=n)
    for code, size in zip(
        codes, sizes, strict=True
    ):  # some values (a big CDN, a common device) dominate
        volume *= rng.lognormal(0, 1.0, size=int(size))[code]
    causes, lift = _plant_root_causes(rng, frame, names, volume)
    total = rng.poisson(volume)
    rate = np.minimum(normal_rate * lift, 1.0)
    frame["failed"] = rng.binomial(total, rate).astype(float)
    frame["total"] = total.astype(float)
    baseline_total = rng.poisson(volume * rng.uniform(0.8, 1.2))
    frame["failed_baseline"] = rng.binomial(baseline_total, normal_rate).astype(float)
    frame["total_baseline"] = baseline_total.astype(float)
    return Incident(frame, causes)


def _plant_root_causes(
    rng: np.random.Generator, frame: pd.DataFrame, names: list[str], volume: np.ndarray
) -> tuple[tuple[dict[str, object], ...], np.ndarray]:
    """1-3 disjoint slices of 1-3 dimensions holding 0.5-30% of the volume each (3 leaves or
    more), and the failure-rate multiplier of each leaf."""
    wanted = int(rng.integers(1, 4))
    causes: list[dict[str, object]] = []
    taken = np.zeros(len(frame), dtype=bool)
    lift = np.ones(len(frame))
    for _ in range(200):
        if len(causes) == wanted:
            break
        size = int(rng.integers(1, min(3, len(names)) + 1))
        dims = sorted(rng.choice(len(names), size=size, replace=False))
        # A slice that exists, through a leaf drawn by volume; big enough to matter.
        row = int(rng.choice(len(frame), p=volume / volume.sum()))
        cause = {names[d]: str(frame.iloc[row, d]) for d in dims}
        inside = np.ones(len(frame), dtype=bool)
        for name, value in cause.items():
            inside &= frame[name].to_numpy() == value
        share = volume[inside].sum() / volume.sum()
        if not 0.005 <= share <= 0.3 or (inside & taken).any() or inside.sum() < 3:
            continue
        causes.append(cause)
        taken |= inside
        lift[inside] = rng.uniform(2.0, 8.0)
    return tuple(causes), lift
