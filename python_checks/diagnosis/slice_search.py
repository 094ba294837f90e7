"""The candidate slices of localization and their sufficient statistics, layer by layer.

A slice is a combination of dimension values (`{cdn: c3, p2p: 1}`); a cuboid is a set of
dimensions, the slices of one cuboid partition the leaves. Under the ripple model a slice's
leaves move by one factor `theta`: `actual_i ~ N(theta * expected_i, variance_i)`. Its
likelihood-ratio statistic against `theta = 1` needs two sums over its leaves,

    V = sum v_i        E = sum e_i        S = sum var_i        (theta = V / E)

(`localization_criterion.ripple_statistic`: `(V - E)^2 / S` for normal leaves, a
quasi-Poisson deviance for counts). Neither exceeds twice the Pearson statistic
`(V - E)^2 / S` (the deviance is below it for a rise, below twice it for a fall), and by
Cauchy-Schwarz no subset of a slice's leaves reaches a Pearson statistic above the sum of
its leaves' own `(v_i - e_i)^2 / var_i` in that direction: that sum (doubled for a fall) is
the bound `U`. A slice whose `U` is below the
penalty of the next layer cannot have a child worth naming, so the search does not expand it
(an Apriori-style pruning as in HotSpot and RiskLoc, but exact for the criterion); a slice
whose own `U` is below its layer's penalty can never be chosen and is not kept.

`SliceTable` holds the kept slices of every cuboid with their sums; `remove` and `restore`
take leaves out of (or back into) every slice that holds them, so the search for a further
root cause sees the leaves the chosen ones have not explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

import numpy as np
import pandas as pd

# A slice: ((dimension index, value code), ...) sorted by dimension.
SliceKey = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class LeafStatistics:
    """Per active leaf: value codes, and the terms the slice sums are made of."""

    codes: list[np.ndarray]  # per dimension, the value code of every active leaf
    sizes: list[int]  # per dimension, the number of value codes
    actual: np.ndarray  # v
    expected: np.ndarray  # e
    variance: np.ndarray  # of v - e
    statistic: np.ndarray  # each leaf's own statistic

    @property
    def above(self) -> np.ndarray:
        return self.actual > self.expected

    @cached_property
    def pearson(self) -> np.ndarray:
        """(v - e)^2 / var of each leaf: the terms of the bound."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                self.variance > 0, np.square(self.actual - self.expected) / self.variance, 0.0
            )

    @property
    def size(self) -> int:
        return len(self.actual)

    @cached_property
    def terms(self) -> np.ndarray:
        """The terms slices sum, one row per name in SUMS."""
        return np.stack([np.ones(self.size), self.actual, self.expected, self.variance])


class Cuboid:
    """The kept slices of one set of dimensions and their sums (updated in place)."""

    def __init__(
        self,
        dims: tuple[int, ...],
        strides: np.ndarray,
        keys: np.ndarray,
        values: np.ndarray,
        sums: dict[str, np.ndarray],
        bound: np.ndarray,
    ) -> None:
        self.dims = dims
        self.strides = strides
        self.keys = keys  # sorted flat keys of the kept slices
        self.values = values  # (slices, len(dims)) value codes
        self.sums = sums  # per kept slice, the sums named in SUMS
        self.bound = bound  # largest statistic any subset of the slice's leaves can reach

    def flat_keys(self, codes: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
        key = np.zeros(len(rows), dtype=np.int64)
        for dim, stride in zip(self.dims, self.strides, strict=True):
            key += codes[dim][rows] * stride
        return key

    def positions(self, codes: list[np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For leaves `rows`: which kept slice holds each (position) and whether one does."""
        if len(self.keys) == 0 or len(rows) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(len(rows), dtype=bool)
        key = self.flat_keys(codes, rows)
        position = np.searchsorted(self.keys, key)
        position = np.minimum(position, len(self.keys) - 1)
        found = self.keys[position] == key
        return position[found], found


SUMS = ("leaves", "actual", "expected", "variance")


def row_sums(leaves: LeafStatistics, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The sums of one set of leaves, as one-element arrays."""
    totals = leaves.terms[:, rows].sum(axis=1)
    return {name: totals[i : i + 1] for i, name in enumerate(SUMS)}


@dataclass(frozen=True)
class PreparedRows:
    """A set of leaves, their terms, and every kept slice holding one of them: `slots` (a
    position in the table's sums, all cuboids one after the other) for `members` (an index
    into `rows`)."""

    rows: np.ndarray
    terms: np.ndarray
    slots: np.ndarray
    members: np.ndarray
    # Per subset of the rows (its mask's bytes): the slots it touches and its sums there.
    totals: dict[bytes, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def slot_totals(self, subset: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct slots the rows (or the subset of them) touch, and per slot the sums
        of their terms (one row per name in SUMS); kept, as the same subsets recur."""
        key = b"" if subset is None else np.packbits(subset).tobytes()
        if key not in self.totals:
            slots, members = self.slots, self.members
            if subset is not None:
                keep = subset[members]
                slots, members = slots[keep], members[keep]
            size = int(slots.max()) + 1 if len(slots) else 0
            unique = np.flatnonzero(np.bincount(slots, minlength=size))
            sums = (
                np.stack(
                    [
                        np.bincount(slots, weights=self.terms[i][members], minlength=size)[unique]
                        for i in range(len(SUMS))
                    ]
                )
                if len(unique)
                else np.zeros((len(SUMS), 0))
            )
            self.totals[key] = (unique, sums)
        return self.totals[key]


class SliceTable:
    """Every kept slice of up to `max_size` dimensions, by cuboid. The sums of all cuboids
    live in one array per name (each cuboid's `sums` are views of its part), so taking
    leaves out of every slice at once is one `bincount` per name."""

    def __init__(self, leaves: LeafStatistics, cuboids: list[Cuboid]) -> None:
        self.leaves = leaves
        self.cuboids = cuboids
        self.index = {cuboid.dims: i for i, cuboid in enumerate(cuboids)}
        sizes = [len(cuboid.keys) for cuboid in cuboids]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.sums = {
            name: np.concatenate([c.sums[name] for c in cuboids]) if cuboids else np.zeros(0)
            for name in SUMS
        }
        for cuboid, start, end in zip(cuboids, self.offsets[:-1], self.offsets[1:], strict=True):
            cuboid.sums = {name: self.sums[name][start:end] for name in SUMS}

    def prepare(self, rows: np.ndarray) -> PreparedRows:
        """Where a set of leaves sits in every cuboid, for repeated updates."""
        slots, members = [], []
        for cuboid, start in zip(self.cuboids, self.offsets[:-1], strict=True):
            position, found = cuboid.positions(self.leaves.codes, rows)
            slots.append(position + start)
            members.append(np.flatnonzero(found))
        empty = np.zeros(0, dtype=np.int64)
        return PreparedRows(
            rows,
            self.leaves.terms[:, rows],
            np.concatenate(slots) if slots else empty,
            np.concatenate(members) if members else empty,
        )

    def update(self, prepared: PreparedRows, sign: float, subset: np.ndarray | None = None) -> None:
        """Take leaves out of every slice (sign -1) or put them back (+1): the prepared
        leaves, or those `subset` (a mask over them) marks."""
        if len(prepared.rows) == 0 or (subset is not None and not subset.any()):
            return
        slots, sums = prepared.slot_totals(subset)
        for i, name in enumerate(SUMS):
            self.sums[name][slots] += sign * sums[i]

    def locate(self, key: SliceKey) -> tuple[Cuboid, int] | None:
        """The cuboid and position of a kept slice, or None when it was not kept."""
        dims = tuple(dim for dim, _ in key)
        if dims not in self.index:
            return None
        cuboid = self.cuboids[self.index[dims]]
        flat = sum(
            int(value) * int(stride) for (_, value), stride in zip(key, cuboid.strides, strict=True)
        )
        position = int(np.searchsorted(cuboid.keys, flat))
        if position < len(cuboid.keys) and cuboid.keys[position] == flat:
            return cuboid, position
        return None


def slice_key(cuboid: Cuboid, position: int) -> SliceKey:
    return tuple(
        (dim, int(value)) for dim, value in zip(cuboid.dims, cuboid.values[position], strict=True)
    )


def build_slice_table(
    leaves: LeafStatistics,
    penalties: Sequence[float],
    direction: str,
    excluded: Sequence[np.ndarray] | None = None,
    not_alone: Sequence[np.ndarray] | None = None,
) -> SliceTable:
    """Enumerate the slices of 1..len(penalties) dimensions layer by layer, keeping those
    that could ever be worth their penalty and expanding only those whose children could.

    penalties[k - 1]: the penalty of a slice of k dimensions (increasing in k).
    direction: "up" counts only leaves above expectation towards the bound, "down" only
    those below, "both" the larger of the two.
    excluded: per dimension, value codes no slice names (aliases of another dimension's
    value: the same slices exist under that value's name).
    not_alone: per dimension, value codes that are no candidate as a slice of their own
    (their children still are).
    """
    n_dims = len(leaves.codes)
    usable = [
        np.ones(leaves.size, dtype=bool) if excluded is None else ~excluded[d][leaves.codes[d]]
        for d in range(n_dims)
    ]
    max_size = min(len(penalties), n_dims)
    upper = np.where(leaves.above, leaves.pearson, 0.0)
    lower = np.where(~leaves.above, 2.0 * leaves.pearson, 0.0)
    cuboids: list[Cuboid] = []
    expandable_rows: dict[tuple[int, ...], np.ndarray] = {}
    for size in range(1, max_size + 1):
        next_expandable: dict[tuple[int, ...], np.ndarray] = {}
        keep_threshold = penalties[size - 1]
        expand_threshold = penalties[size] if size < max_size else np.inf
        for combo in combinations(range(n_dims), size):
            if size == 1:
                rows: np.ndarray | slice = (
                    slice(None) if usable[combo[0]].all() else np.flatnonzero(usable[combo[0]])
                )
            else:
                subs = list(combinations(combo, size - 1))
                if any(sub not in expandable_rows for sub in subs):
                    continue
                mask = expandable_rows[subs[0]].copy()
                for sub in subs[1:]:
                    mask &= expandable_rows[sub]
                for dim in combo:
                    mask &= usable[dim]
                rows = np.flatnonzero(mask)
                if rows.size == 0:
                    continue
            strides = _strides([leaves.sizes[d] for d in combo])
            key = np.zeros(leaves.size if isinstance(rows, slice) else len(rows), dtype=np.int64)
            for dim, stride in zip(combo, strides, strict=True):
                key += leaves.codes[dim][rows] * stride
            inverse, unique = _factorize(key)
            count = len(unique)
            if direction == "up":
                bound = np.bincount(inverse, weights=upper[rows], minlength=count)
            elif direction == "down":
                bound = np.bincount(inverse, weights=lower[rows], minlength=count)
            else:
                bound = np.maximum(
                    np.bincount(inverse, weights=upper[rows], minlength=count),
                    np.bincount(inverse, weights=lower[rows], minlength=count),
                )
            if size < max_size:
                expandable = bound >= expand_threshold
                if expandable.any():
                    row_mask = np.zeros(leaves.size, dtype=bool)
                    if isinstance(rows, slice):
                        row_mask[:] = expandable[inverse]
                    else:
                        row_mask[rows] = expandable[inverse]
                    next_expandable[combo] = row_mask
            keep = bound >= keep_threshold
            if size == 1 and not_alone is not None:
                keep &= ~not_alone[combo[0]][unique]
            kept = np.flatnonzero(keep)
            if kept.size == 0:
                continue
            terms = leaves.terms if isinstance(rows, slice) else leaves.terms[:, rows]
            sums = {
                name: np.bincount(inverse, weights=terms[i], minlength=count)[kept]
                for i, name in enumerate(SUMS)
            }
            order = np.argsort(unique[kept])
            keys = unique[kept][order]
            values = np.stack(
                [
                    (keys // stride) % leaves.sizes[d]
                    for d, stride in zip(combo, strides, strict=True)
                ],
                axis=1,
            )
            cuboids.append(
                Cuboid(
                    combo,
                    strides,
                    keys,
                    values,
                    {name: array[order].astype(float) for name, array in sums.items()},
                    bound[kept][order],
                )
            )
        expandable_rows = next_expandable
    return SliceTable(leaves, cuboids)


def _strides(sizes: list[int]) -> np.ndarray:
    """Mixed-radix place values of a cuboid's value codes (the last dimension varies fastest)."""
    strides = np.ones(len(sizes), dtype=np.int64)
    for i in range(len(sizes) - 2, -1, -1):
        strides[i] = strides[i + 1] * max(sizes[i + 1], 1)
    if float(np.prod([float(max(s, 1)) for s in sizes])) >= 2.0**62:
        raise ValueError("too many value combinations in one cuboid for 64-bit keys")
    return strides


def _factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of the keys and the distinct keys (in order of first appearance)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    top = int(key.max()) + 1
    if top <= max(4 * len(key), 1 << 16):  # small key space: count directly
        present = np.bincount(key, minlength=top) > 0
        unique = np.flatnonzero(present)
        lookup = np.full(top, -1, dtype=np.int64)
        lookup[unique] = np.arange(len(unique))
        return lookup[key], unique.astype(np.int64)
    inverse, unique = pd.factorize(key)
    return inverse.astype(np.int64), np.asarray(unique, dtype=np.int64)


def slice_rows(codes: list[np.ndarray], key: SliceKey) -> np.ndarray:
    """Indices of the active leaves inside a slice."""
    mask = np.ones(len(codes[0]), dtype=bool)
    for dim, value in key:
        mask &= codes[dim] == value
    return np.flatnonzero(mask)


def aliased_values(codes: list[np.ndarray], sizes: list[int]) -> list[np.ndarray]:
    """Per dimension, the values whose leaves are exactly the leaves of one value of an
    earlier dimension (surface = for_you and model_version = rec_v8 on the day rec_v8 serves
    all of for_you): the data cannot tell them apart, so only the first name is searched."""
    excluded = [np.zeros(size, dtype=bool) for size in sizes]
    counts = [np.bincount(code, minlength=size) for code, size in zip(codes, sizes, strict=True)]
    for second in range(len(codes)):
        for first in range(second):
            space = sizes[first] * sizes[second]
            if space == 0 or space > 4_000_000:
                continue
            joint = np.bincount(
                codes[first] * sizes[second] + codes[second], minlength=space
            ).reshape(sizes[first], sizes[second])
            same = (
                (joint > 0) & (joint == counts[first][:, None]) & (joint == counts[second][None, :])
            )
            excluded[second] |= same.any(axis=0)
    return excluded
