"""The candidate search of localization: significant slices of 1..k dimensions with Apriori
pruning (a k-dimension slice is considered only when all its (k-1)-dimension sub-slices
were significant), scored by how much of the leaves' deviation their ripple explains."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from python_checks.diagnosis.leaf_noise import leaf_loss

# A slice: ((dimension index, value code), ...) sorted by dimension.
SliceKey = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Level:
    """Significant slices of one dimension combination, on compact codes."""

    dims: tuple[int, ...]
    significant: np.ndarray  # bool over the compact key space of `dims`


def significant_slices(
    codes: list[np.ndarray],
    v: np.ndarray,
    e: np.ndarray,
    variance: np.ndarray,
    max_size: int,
    min_share: float,
    reference: float | None,
    loss: str,
) -> tuple[dict[SliceKey, tuple[float, float, float, float]], float]:
    """Significant slices: (sum actual, sum expected, reduction of the leaf loss when the
    slice's leaves are predicted by its ripple, z). `reference` is the deviation scale
    significance is measured against (computed on the first call and passed back in)."""
    n_dims = len(codes)
    dev = v - e
    loss_before = leaf_loss(dev, variance, loss)
    sizes = [int(c.max()) + 1 if len(c) else 0 for c in codes]
    level_one = [np.bincount(codes[d], weights=dev, minlength=sizes[d]) for d in range(n_dims)]
    if reference is None:
        reference = max(float(np.abs(dev_d).sum()) for dev_d in level_one)
    threshold = min_share * reference
    if reference <= 0:  # nothing deviates
        return {}, reference
    # Compact codes over the significant values of each dimension.
    significant_values = [np.flatnonzero(np.abs(dev_d) >= threshold) for dev_d in level_one]
    compact = []
    for d in range(n_dims):
        lookup = np.full(sizes[d], -1, dtype=np.int64)
        lookup[significant_values[d]] = np.arange(len(significant_values[d]))
        compact.append(lookup)
    levels: dict[tuple[int, ...], _Level] = {}
    found: dict[SliceKey, tuple[float, float, float, float]] = {}
    for size in range(1, min(max_size, n_dims) + 1):
        for combo in combinations(range(n_dims), size):
            if any(len(significant_values[d]) == 0 for d in combo):
                continue
            if size > 1 and any(sub not in levels for sub in combinations(combo, size - 1)):
                continue
            # Rows whose value in every dimension of the combo is significant.
            row_codes = [compact[d][codes[d]] for d in combo]
            keep = np.ones(len(v), dtype=bool)
            for rc in row_codes:
                keep &= rc >= 0
            rows = np.flatnonzero(keep)
            if rows.size == 0:
                continue
            local = [rc[rows] for rc in row_codes]
            shape = tuple(len(significant_values[d]) for d in combo)
            # (k-1)-dimension sub-slices must all be significant.
            if size > 1:
                for drop in range(size):
                    sub = tuple(c for i, c in enumerate(combo) if i != drop)
                    sub_local = [local[i] for i in range(size) if i != drop]
                    sub_shape = tuple(shape[i] for i in range(size) if i != drop)
                    ok = levels[sub].significant[np.ravel_multi_index(sub_local, sub_shape)]
                    rows, local = rows[ok], [lc[ok] for lc in local]
                if rows.size == 0:
                    continue
            key = np.ravel_multi_index(local, shape)
            space = math.prod(shape)
            sum_v = np.bincount(key, weights=v[rows], minlength=space)
            sum_e = np.bincount(key, weights=e[rows], minlength=space)
            slice_dev = sum_v - sum_e
            significant = np.abs(slice_dev) >= threshold
            if not significant.any():
                continue
            levels[combo] = _Level(combo, significant)
            with np.errstate(divide="ignore", invalid="ignore"):
                ripple = np.where(sum_e != 0, sum_v / sum_e, 1.0)
            predicted = e[rows] * ripple[key]
            residual = np.bincount(
                key, weights=leaf_loss(v[rows] - predicted, variance[rows], loss), minlength=space
            )
            before = np.bincount(key, weights=loss_before[rows], minlength=space)
            reduction = before - residual
            noise = np.sqrt(np.bincount(key, weights=variance[rows], minlength=space))
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(noise > 0, np.abs(slice_dev) / noise, np.inf)
            for flat in np.flatnonzero(significant):
                position = np.unravel_index(flat, shape)
                slice_key = tuple(
                    (d, int(significant_values[d][p])) for d, p in zip(combo, position, strict=True)
                )
                found[slice_key] = (
                    float(sum_v[flat]),
                    float(sum_e[flat]),
                    float(reduction[flat]),
                    float(z[flat]),
                )
    return found, reference
