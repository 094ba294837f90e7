"""A second generator of one-period incident files: failed / total video sessions per leaf.

Written separately from `synthetic.incident_cube` (which the localization method was first
tuned on) to test the method on data it was not shaped around. What it imitates, per file:

- Dimensions with the names and sizes of a video platform's session logs: `cdn` (20-60
  values), `province` (10-35) or `isp` (4-12), `device` (3-8), `bitrate` (4-10 integer
  kbps values) and, in 60% of the files, `p2p` (0 / 1).
- Traffic: total sessions of the period log-uniform in 30,000-3,000,000; each value's share
  of the traffic follows a Zipf law with a random exponent (a few CDNs and provinces carry
  most sessions); two thirds of the CDNs are regional and serve only 1-5 provinces (or
  ISPs); a leaf's sessions are Poisson around the product of its shares times a lognormal
  affinity (sigma 0.8). Leaves with no session are absent, so most leaves are sparse.
- Normal failure rate: a base rate log-uniform in 0.5-5%, times one factor per dimension
  value. Intrinsic differences are large and not incidents: 30% of the devices fail 1.5-3x
  more, bitrate raises the rate steadily up to 1.5-2.5x at the top bitrate, 10% of the CDNs
  fail 1.5-2.5x more, p2p sessions fail 1-1.8x as often; every value also gets a lognormal
  jitter (sigma 0.1-0.25 by dimension) and every leaf one of sigma 0.2 (interactions the
  main effects do not capture).
- Root causes: 1-3 disjoint slices (45% / 35% / 20%) of 1-3 dimensions (40% / 40% / 20%),
  each holding 0.3-40% of the sessions and at least 3 leaves; a second or third slice
  reuses the first's dimensions, with other values in each, in 30% of the cases (two CDNs
  down; not cdn A x p2p 0 and cdn A x p2p 1, which together are the slice cdn A). Inside a slice the
  failure rate is multiplied by a log-uniform factor of 2-20 (70%) or raised by 2-30
  points (30%), capped at 0.95.
- Failures are binomial. A baseline period (same normal rates, its own traffic of 0.8-1.2
  times the volume) is included for comparison with format (b).

Difficulty is mixed on purpose: a x2 slice with 0.3% of the sessions, or a x2 device where
other devices are intrinsically x3, cannot be found from one period, and these stay in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.incident_cubes import Incident

DEVICES = ("android", "ios", "web", "tv", "ipad", "harmony", "mac", "windows")
BITRATES = (250, 400, 600, 800, 1200, 1800, 2500, 4000, 6000, 8000)


@dataclass(frozen=True)
class _Dimension:
    """One dimension of a generated file: its values, traffic shares and rate factors."""

    name: str
    values: list[object]
    share: np.ndarray  # of the traffic, sums to 1
    rate_factor: np.ndarray  # intrinsic multiplier of the failure rate


def _zipf_shares(rng: np.random.Generator, size: int) -> np.ndarray:
    exponent = rng.uniform(0.6, 1.4)
    shares = 1.0 / np.arange(1, size + 1) ** exponent
    return rng.permutation(shares / shares.sum())


def _jitter(rng: np.random.Generator, size: int, sigma: float) -> np.ndarray:
    return rng.lognormal(0.0, sigma, size=size)


def _dimensions(rng: np.random.Generator) -> list[_Dimension]:
    """cdn, province or isp, device, bitrate and perhaps p2p, with their intrinsic rates."""
    dims = []
    n_cdn = int(rng.integers(20, 61))
    bad_cdn = np.where(rng.random(n_cdn) < 0.1, rng.uniform(1.5, 2.5, size=n_cdn), 1.0)
    dims.append(
        _Dimension(
            "cdn",
            [f"cdn{i:02d}" for i in range(n_cdn)],
            _zipf_shares(rng, n_cdn),
            bad_cdn * _jitter(rng, n_cdn, 0.25),
        )
    )
    if rng.random() < 0.5:
        n_region, name, prefix = int(rng.integers(10, 36)), "province", "prov"
    else:
        n_region, name, prefix = int(rng.integers(4, 13)), "isp", "isp"
    dims.append(
        _Dimension(
            name,
            [f"{prefix}{i:02d}" for i in range(n_region)],
            _zipf_shares(rng, n_region),
            _jitter(rng, n_region, 0.2),
        )
    )
    n_device = int(rng.integers(3, 9))
    bad_device = np.where(rng.random(n_device) < 0.3, rng.uniform(1.5, 3.0, size=n_device), 1.0)
    dims.append(
        _Dimension(
            "device",
            list(DEVICES[:n_device]),
            _zipf_shares(rng, n_device),
            bad_device * _jitter(rng, n_device, 0.15),
        )
    )
    n_bitrate = int(rng.integers(4, 11))
    start = int(rng.integers(0, len(BITRATES) - n_bitrate + 1))
    top = rng.uniform(1.5, 2.5)  # the highest bitrate fails this much more than the lowest
    steady = np.exp(np.linspace(0.0, math.log(top), n_bitrate))
    dims.append(
        _Dimension(
            "bitrate",
            list(BITRATES[start : start + n_bitrate]),
            _zipf_shares(rng, n_bitrate),
            steady * _jitter(rng, n_bitrate, 0.1),
        )
    )
    if rng.random() < 0.6:
        p2p_share = rng.uniform(0.2, 0.6)
        shares = np.array([1 - p2p_share, p2p_share])
        dims.append(_Dimension("p2p", [0, 1], shares, np.array([1.0, rng.uniform(1.0, 1.8)])))
    return dims


def _leaves(rng: np.random.Generator, dims: list[_Dimension]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the leaves with at least one session (rows x dimensions) and their sessions.

    Regional CDNs serve only a few regions (the second dimension): their other leaves have
    no traffic at all.
    """
    sizes = [len(d.values) for d in dims]
    grid = np.indices(sizes).reshape(len(sizes), -1).T
    mean = np.ones(len(grid))
    for column, dim in enumerate(dims):
        mean *= dim.share[grid[:, column]]
    n_cdn, n_region = sizes[0], sizes[1]
    serves = np.ones((n_cdn, n_region), dtype=bool)
    for cdn in np.flatnonzero(rng.random(n_cdn) < 2 / 3):
        served = rng.choice(n_region, size=min(n_region, int(rng.integers(1, 6))), replace=False)
        serves[cdn] = False
        serves[cdn, served] = True
    mean *= serves[grid[:, 0], grid[:, 1]]
    total_sessions = math.exp(rng.uniform(math.log(3e4), math.log(3e6)))
    mean *= total_sessions / mean.sum()
    mean *= rng.lognormal(-0.32, 0.8, size=len(grid))  # mean-one affinity per leaf
    sessions = rng.poisson(mean)
    present = sessions > 0
    return grid[present], sessions[present]


def _normal_rate(rng: np.random.Generator, dims: list[_Dimension], codes: np.ndarray) -> np.ndarray:
    rate = np.full(len(codes), math.exp(rng.uniform(math.log(0.005), math.log(0.05))))
    for column, dim in enumerate(dims):
        rate *= dim.rate_factor[codes[:, column]]
    rate *= rng.lognormal(-0.02, 0.2, size=len(codes))
    return np.minimum(rate, 0.5)


def _root_causes(
    rng: np.random.Generator, dims: list[_Dimension], codes: np.ndarray, sessions: np.ndarray
) -> list[np.ndarray]:
    """Disjoint slices as (dimension index, value code) pairs, drawn through a leaf chosen
    by traffic so that they exist."""
    wanted = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
    causes: list[np.ndarray] = []
    taken = np.zeros(len(codes), dtype=bool)
    weights = sessions / sessions.sum()
    for _ in range(300):
        if len(causes) == wanted:
            break
        reused = bool(causes) and rng.random() < 0.3
        if reused:
            chosen = causes[0][:, 0]
        else:
            size = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
            chosen = np.sort(rng.choice(len(dims), size=size, replace=False))
        row = int(rng.choice(len(codes), p=weights))
        cause = np.stack([chosen, codes[row, chosen]], axis=1)
        if reused and (cause[:, 1] == causes[0][:, 1]).any():
            continue  # another CDN and another ISP: siblings would add up to their parent
        inside = (codes[:, chosen] == cause[:, 1]).all(axis=1)
        share = sessions[inside].sum() / sessions.sum()
        if 0.003 <= share <= 0.4 and inside.sum() >= 3 and not (inside & taken).any():
            causes.append(cause)
            taken |= inside
    return causes


def video_incident(rng: np.random.Generator) -> Incident:
    """One generated incident file: leaves with dimension columns, failed and total (and a
    baseline period), and the planted root-cause slices (values as in the file)."""
    dims = _dimensions(rng)
    codes, sessions = _leaves(rng, dims)
    normal = _normal_rate(rng, dims, codes)
    rate = normal.copy()
    truth = []
    for cause in _root_causes(rng, dims, codes, sessions):
        inside = (codes[:, cause[:, 0]] == cause[:, 1]).all(axis=1)
        if rng.random() < 0.7:
            rate[inside] *= math.exp(rng.uniform(math.log(2.0), math.log(20.0)))
        else:
            rate[inside] += rng.uniform(0.02, 0.3)
        truth.append({dims[d].name: dims[d].values[v] for d, v in cause})
    rate = np.minimum(rate, 0.95)
    frame = pd.DataFrame(
        {dim.name: np.asarray(dim.values, dtype=object)[codes[:, i]] for i, dim in enumerate(dims)}
    )
    for dim in dims:
        if isinstance(dim.values[0], int):
            frame[dim.name] = frame[dim.name].astype(np.int64)
    frame["failed"] = rng.binomial(sessions, rate).astype(float)
    frame["total"] = sessions.astype(float)
    baseline = rng.poisson(sessions * rng.uniform(0.8, 1.2))
    frame["failed_baseline"] = rng.binomial(baseline, normal).astype(float)
    frame["total_baseline"] = baseline.astype(float)
    return Incident(frame, tuple(truth))
