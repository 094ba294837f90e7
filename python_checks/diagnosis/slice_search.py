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

`SliceGroups` numbers the slices of each cuboid and records which one every leaf is in; it
depends on the leaves' values, not on their variances, so the noise rounds of `localization`
share it and only the variance-dependent sums (the bound and S) are redone per round.
`SliceTable` holds the kept slices of every cuboid with their sums; `update` takes leaves
out of (or back into) every slice that holds them, so the search for a further root cause
sees the leaves the chosen ones have not explained.

Every sum here adds its leaves one at a time in the order of the leaves, as `np.bincount`
does: the search compares slices by statistics of these sums, and keeping that order keeps
its choices independent of how the sums are organised. Most are products with a sparse
matrix from the leaves to their slices, which scipy's CSC product runs through leaf by leaf:
its cost is mostly the pass over the matrix, so one product sums several weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse

# A slice: ((dimension index, value code), ...) sorted by dimension.
SliceKey = tuple[tuple[int, int], ...]
# Cuboids per block of the leaf-by-leaf layout (`SliceGroups.blocks`): the arrays an update
# builds per block stay at a few MB, which come from memory already in use, not fresh pages.
BLOCK_CUBOIDS = 16
# Leaves per band when laying out a block: a band of a block stays in cache.
TRANSPOSE_BAND = 4096


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
        """The terms slices sum, a row per leaf and a column per name in SUMS: a leaf's
        terms are read together (32 bytes, which np.take copies at once)."""
        return np.column_stack([np.ones(self.size), self.actual, self.expected, self.variance])


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
        groups: CuboidGroups,
        kept: np.ndarray,
    ) -> None:
        self.dims = dims
        self.strides = strides
        self.keys = keys  # sorted flat keys of the kept slices
        self.values = values  # (slices, len(dims)) value codes
        self.sums = sums  # per kept slice, the sums named in SUMS
        self.bound = bound  # largest statistic any subset of the slice's leaves can reach
        self.groups = groups  # every slice of these dimensions and the slice of each leaf
        self.kept = kept  # the kept slices' indices among `groups`' slices


SUMS = ("leaves", "actual", "expected", "variance")


# From this many leaves, a set's sums are a sparse product rather than numpy's sum.
SPARSE_ROW_SUMS = 2048


def row_sums(leaves: LeafStatistics, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The sums of one set of leaves, as one-element arrays. Both ways add the leaves one
    at a time in their order from zero: numpy's sum down the gathered terms (its inner loop
    runs across one leaf's terms, a call per leaf) and, for many leaves, the product with
    a row of ones (one loop over the leaves)."""
    terms = np.take(leaves.terms, rows, axis=0)
    if len(rows) < SPARSE_ROW_SUMS:
        totals = terms.sum(axis=0)
    else:
        count = len(rows)
        dtype = _index_dtype(count)
        only_slice = np.zeros(count, dtype=dtype)
        totals = _membership_sums(
            only_slice, np.arange(count + 1, dtype=dtype), 1, terms, np.ones(count)
        )[0]
    return {name: totals[i : i + 1] for i, name in enumerate(SUMS)}


@dataclass(frozen=True)
class CuboidGroups:
    """Every slice of one set of dimensions that holds a leaf, in the order of their flat
    keys, the slice of each leaf, and its number of leaves (the sums of the values are
    `SliceGroups.sums`)."""

    dims: tuple[int, ...]
    strides: np.ndarray
    leaf_slices: np.ndarray  # per leaf, the index of its slice (`_rank_dtype`)
    keys: np.ndarray  # sorted flat keys of the slices
    values: np.ndarray  # (slices, len(dims)) value codes
    leaves: np.ndarray  # per slice, its number of leaves (a float, as the sums have it)

    @property
    def size(self) -> int:
        return len(self.keys)


class SliceGroups:
    """The slices of every set of dimensions the search reaches, numbered once per set of
    leaves: which slices there are and which leaves they hold depend on the leaves' value
    codes, not on their variances, so the noise rounds of `localization` share them."""

    def __init__(self, leaves: LeafStatistics) -> None:
        self.codes = leaves.codes
        self.sizes = leaves.sizes
        self.actual = leaves.actual
        self.expected = leaves.expected
        self._cuboids: dict[tuple[int, ...], CuboidGroups] = {}
        self._parents: dict[tuple[tuple[int, ...], int], np.ndarray] = {}
        # Per cuboid, the sums of its slices' actual and expected values (a row per slice).
        self._value_sums: dict[tuple[int, ...], np.ndarray] = {}
        self._rows: dict[SliceKey, np.ndarray] = {}
        self._blocks: list[LeafBlock] = []
        # Per cuboid laid out in a block, the block and where its slices start there.
        self._placed: dict[tuple[int, ...], tuple[int, int]] = {}
        self._ones: dict[int, np.ndarray] = {}
        # Column pointers of a membership matrix with one entry per leaf (`sums`), sliced
        # for fewer leaves.
        self._columns = np.arange(len(self.actual) + 1, dtype=_index_dtype(len(self.actual)))

    def describes(self, leaves: LeafStatistics) -> bool:
        """Whether `leaves` are the leaves these slices were numbered on (the same arrays)."""
        return (
            leaves.codes is self.codes
            and leaves.actual is self.actual
            and leaves.expected is self.expected
        )

    def rows(self, key: SliceKey) -> np.ndarray:
        """Indices of the leaves inside a slice (`slice_rows`), kept for every noise round:
        one comparison per leaf when its set of dimensions is numbered."""
        if key not in self._rows:
            dims = tuple(dim for dim, _ in key)
            cuboid = self._cuboids.get(dims)
            position = None if cuboid is None else _position(cuboid.keys, cuboid.strides, key)
            if position is None:
                self._rows[key] = slice_rows(self.codes, key)
            else:
                self._rows[key] = np.flatnonzero(cuboid.leaf_slices == position)
        return self._rows[key]

    def cuboid(self, dims: tuple[int, ...]) -> CuboidGroups:
        if dims not in self._cuboids:
            self._cuboids[dims] = self._number(dims)
        return self._cuboids[dims]

    def blocks(self, cuboids: Sequence[CuboidGroups]) -> list[LeafBlock]:
        """The slice of every leaf in these cuboids (and others laid out before), leaf by
        leaf in blocks of BLOCK_CUBOIDS cuboids: gathering some leaves' rows reads only
        theirs, where the cuboid by cuboid arrays would each be read whole."""
        new = [cuboid for cuboid in cuboids if cuboid.dims not in self._placed]
        for low in range(0, len(new), BLOCK_CUBOIDS):
            run = new[low : low + BLOCK_CUBOIDS]
            block = _leaf_block(run)
            for cuboid, offset in zip(run, block.offsets, strict=True):
                self._placed[cuboid.dims] = (len(self._blocks), int(offset))
            self._blocks.append(block)
        return self._blocks

    def place(self, dims: tuple[int, ...]) -> tuple[int, int]:
        """The block of a laid out cuboid and where its slices start among the block's."""
        return self._placed[dims]

    def ones(self, size: int) -> np.ndarray:
        """`size` ones (the entries of a membership matrix): a view of a reused array of the
        next power of two, as scipy copies a view of less than half its array."""
        bucket = max(size - 1, 1).bit_length()
        if bucket not in self._ones:
            self._ones[bucket] = np.ones(1 << bucket)
        return self._ones[bucket][:size]

    def parents(self, dims: tuple[int, ...], position: int) -> np.ndarray:
        """Per slice of `dims`, the index of its parent without dims[position] among the
        slices of that set of dimensions."""
        if (dims, position) not in self._parents:
            cuboid = self.cuboid(dims)
            sub_dims = dims[:position] + dims[position + 1 :]
            sub = self.cuboid(sub_dims)
            # A parent holds its children's leaves, so its flat key is among its set of
            # dimensions' keys: found in a table over the key space when that is small,
            # else among the sorted keys.
            parent_keys = cuboid.values @ np.insert(sub.strides, position, 0)
            space = int(sub.strides[0]) * max(self.sizes[sub_dims[0]], 1)
            if space <= max(4 * sub.size, 1 << 16):
                lookup = np.empty(space, dtype=np.intp)
                lookup[sub.keys] = np.arange(sub.size)
                self._parents[(dims, position)] = lookup[parent_keys]
            else:
                self._parents[(dims, position)] = np.searchsorted(sub.keys, parent_keys)
        return self._parents[(dims, position)]

    def sums(
        self, cuboid: CuboidGroups, weights: LeafWeights, rows: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per slice of the cuboid, the sums of its leaves' actual and expected values, and
        of each of the weights over its leaves or over those among `rows` (the sums of the
        slices wholly among them, the only ones the caller reads): a row per slice."""
        if cuboid.dims not in self._value_sums:
            # A product costs little more per column than its pass over the leaves: the
            # values are summed with the first weights, over every leaf.
            both = self._leaf_order_sums(cuboid.leaf_slices, cuboid.size, weights.with_values)
            self._value_sums[cuboid.dims] = both[:, :2]
            return both[:, :2], both[:, 2:]
        if rows is None:
            totals = self._leaf_order_sums(cuboid.leaf_slices, cuboid.size, weights.alone)
        else:
            totals = self._leaf_order_sums(
                cuboid.leaf_slices[rows], cuboid.size, np.take(weights.alone, rows, axis=0)
            )
        return self._value_sums[cuboid.dims], totals

    def _leaf_order_sums(
        self, leaf_slices: np.ndarray, size: int, weights: np.ndarray
    ) -> np.ndarray:
        """Per slice below `size`, the sum of each column of `weights` (a row per leaf of
        `leaf_slices`) over its leaves (`_membership_sums`, one entry per leaf). Reading a
        leaf's weights together, it takes about a third of the time of a weighted bincount
        per column."""
        count = len(leaf_slices)
        return _membership_sums(
            leaf_slices.astype(self._columns.dtype),
            self._columns[: count + 1],
            size,
            weights,
            self.ones(count),
        )

    def _number(self, dims: tuple[int, ...]) -> CuboidGroups:
        radix = max(self.sizes[dims[-1]], 1)
        last = self.codes[dims[-1]]
        if len(dims) == 1:
            ranks, present, counts = _dense_codes(last, radix)
            values = present[:, None]
            keys = present
        else:
            # A slice is its parent without the last dimension and a last value: numbering
            # those pairs in increasing order numbers the slices in the order of their flat
            # keys (the last dimension varies fastest).
            parent = self.cuboid(dims[:-1])
            pairs = np.multiply(parent.leaf_slices, radix, dtype=np.int64)
            pairs += last
            ranks, present, counts = _dense_codes(pairs, parent.size * radix)
            above, last_values = np.divmod(present, radix)
            values = np.column_stack([parent.values[above], last_values])
            keys = parent.keys[above] * radix + last_values
        return CuboidGroups(
            dims=dims,
            strides=_strides([self.sizes[d] for d in dims]),
            leaf_slices=ranks,
            keys=keys.astype(np.int64),
            values=values.astype(np.int64),
            leaves=counts.astype(float),
        )


class LeafWeights:
    """Per leaf, the weights a search sums over the slices (a row per leaf), alone and after
    the actual and expected values (`SliceGroups.sums`); each laid out when first read, as
    a later noise round reads only the first."""

    def __init__(self, leaves: LeafStatistics, weights: list[np.ndarray]) -> None:
        self._leaves = leaves
        self._weights = weights

    @cached_property
    def alone(self) -> np.ndarray:
        return np.column_stack(self._weights)

    @cached_property
    def with_values(self) -> np.ndarray:
        return np.column_stack([self._leaves.actual, self._leaves.expected, *self._weights])


@dataclass(frozen=True)
class LeafBlock:
    """Some cuboids' slices of every leaf, a row per leaf: per cuboid, where its slices
    start among the block's, and per leaf and cuboid, its slice's number among the block's
    slices."""

    offsets: np.ndarray
    size: int  # the slices of the block's cuboids
    slices: np.ndarray  # (leaves, cuboids)


def _leaf_block(cuboids: list[CuboidGroups]) -> LeafBlock:
    """The cuboids' slices of every leaf, a row per leaf."""
    leaves = len(cuboids[0].leaf_slices)
    sizes = [cuboid.size for cuboid in cuboids]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    size = int(sum(sizes))
    slices = np.empty((leaves, len(cuboids)), dtype=_rank_dtype(size))
    starts = offsets.astype(slices.dtype)
    # Transposed in bands of leaves that stay in cache.
    for low in range(0, leaves, TRANSPOSE_BAND):
        band = slices[low : low + TRANSPOSE_BAND]
        np.stack([cuboid.leaf_slices[low : low + TRANSPOSE_BAND] for cuboid in cuboids], 1, band)
        band += starts
    return LeafBlock(offsets, size, slices)


@dataclass(frozen=True)
class PreparedRows:
    """A set of leaves and, per subset of them taken out or put back (keyed by its mask's
    bytes), the kept slices it touches and its sums there: the same subsets recur."""

    table: SliceTable
    rows: np.ndarray
    totals: dict[bytes, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def slot_totals(self, subset: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct slots the rows (or the subset of them) touch, and per slot the sums
        of their terms (one row per name in SUMS)."""
        key = b"" if subset is None else np.packbits(subset).tobytes()
        if key not in self.totals:
            rows = self.rows if subset is None else self.rows[subset]
            self.totals[key] = self.table.slot_totals(rows)
        return self.totals[key]


class SliceTable:
    """Every kept slice of up to `max_size` dimensions, by cuboid. The sums of all cuboids
    live in one array per name (each cuboid's `sums` are views of its part), so taking
    leaves out of every slice at once is one sparse product."""

    def __init__(self, leaves: LeafStatistics, cuboids: list[Cuboid], groups: SliceGroups) -> None:
        self.leaves = leaves
        self.cuboids = cuboids
        self.groups = groups
        self.index = {cuboid.dims: i for i, cuboid in enumerate(cuboids)}
        sizes = [len(cuboid.keys) for cuboid in cuboids]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.sums = {
            name: np.concatenate([c.sums[name] for c in cuboids]) if cuboids else np.zeros(0)
            for name in SUMS
        }
        for cuboid, start, end in zip(cuboids, self.offsets[:-1], self.offsets[1:], strict=True):
            cuboid.sums = {name: self.sums[name][start:end] for name in SUMS}
        # Per block of `groups` holding these cuboids, which kept slices it has and where
        # they are among its slices (`slot_totals`).
        self._layout: list[tuple[LeafBlock, np.ndarray, np.ndarray]] | None = None
        # Per kept slice, its value code in every dimension (-1 where it names none) and its
        # number of dimensions: which slices are nested in another is one comparison.
        self.slot_values = np.full((int(self.offsets[-1]), len(leaves.codes)), -1, dtype=np.int64)
        for cuboid, start, end in zip(cuboids, self.offsets[:-1], self.offsets[1:], strict=True):
            self.slot_values[start:end, list(cuboid.dims)] = cuboid.values
        self.slot_dims = np.repeat([len(c.dims) for c in cuboids], sizes).astype(np.int64)

    def prepare(self, rows: np.ndarray) -> PreparedRows:
        """A set of leaves, for repeated updates."""
        return PreparedRows(self, rows)

    def slot_totals(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The kept slices holding any of `rows` (their positions in the sums, increasing)
        and per slice the sums of the terms of those rows (one row per name in SUMS)."""
        if len(rows) == 0 or not self.cuboids:
            return np.zeros(0, dtype=np.int64), np.zeros((len(SUMS), 0))
        width = len(rows)
        terms = np.take(self.leaves.terms, rows, axis=0)
        totals = np.empty((int(self.offsets[-1]), len(SUMS)))
        for block, slots, places in self._block_layout():
            # An entry per leaf and cuboid: one pass over the block's cuboids.
            dtype = _index_dtype(max(block.size, width * len(block.offsets)))
            # np.take copies a leaf's row at once, where indexing copies it number by number.
            index = np.take(block.slices, rows, axis=0).astype(dtype).ravel()
            pointer = np.arange(0, len(index) + 1, len(block.offsets), dtype=index.dtype)
            sums = _membership_sums(index, pointer, block.size, terms, self.groups.ones(len(index)))
            totals[slots] = sums[places]
        slots = np.flatnonzero(totals[:, 0])
        return slots, np.ascontiguousarray(totals[slots].T)

    def _block_layout(self) -> list[tuple[LeafBlock, np.ndarray, np.ndarray]]:
        """Per block holding some of the cuboids: the kept slices in it (their positions in
        the sums) and where they are among the block's slices."""
        if self._layout is None:
            blocks = self.groups.blocks([cuboid.groups for cuboid in self.cuboids])
            slots: dict[int, list[np.ndarray]] = {}
            places: dict[int, list[np.ndarray]] = {}
            spans = zip(self.cuboids, self.offsets[:-1], self.offsets[1:], strict=True)
            for cuboid, start, end in spans:
                block, offset = self.groups.place(cuboid.dims)
                slots.setdefault(block, []).append(np.arange(start, end))
                places.setdefault(block, []).append(offset + cuboid.kept)
            self._layout = [
                (blocks[b], np.concatenate(slots[b]), np.concatenate(places[b])) for b in slots
            ]
        return self._layout

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
        position = _position(cuboid.keys, cuboid.strides, key)
        return None if position is None else (cuboid, position)


def _position(keys: np.ndarray, strides: np.ndarray, key: SliceKey) -> int | None:
    """Where a slice is among a cuboid's sorted flat keys, or None when it is not there."""
    flat = sum(int(value) * int(stride) for (_, value), stride in zip(key, strides, strict=True))
    position = int(np.searchsorted(keys, flat))
    if position < len(keys) and keys[position] == flat:
        return position
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
    groups: SliceGroups | None = None,
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
    groups: the slices of these leaves numbered by an earlier call (the noise rounds share
    them); numbered here when not given or numbered on other leaves.
    """
    if groups is None or not groups.describes(leaves):
        groups = SliceGroups(leaves)
    n_dims = len(leaves.codes)
    max_size = min(len(penalties), n_dims)
    upper = np.where(leaves.above, leaves.pearson, 0.0)
    lower = np.where(~leaves.above, 2.0 * leaves.pearson, 0.0)
    bounds = [upper] if direction == "up" else [lower] if direction == "down" else [upper, lower]
    # Per leaf, the terms of the bound (in the direction, or both ways) and its variance.
    weights = LeafWeights(leaves, [*bounds, leaves.variance])
    cuboids: list[Cuboid] = []
    # Per cuboid of the previous layer, which of its slices may have children worth naming.
    expandable: dict[tuple[int, ...], np.ndarray] = {}
    for size in range(1, max_size + 1):
        next_expandable: dict[tuple[int, ...], np.ndarray] = {}
        keep_threshold = penalties[size - 1]
        expand_threshold = penalties[size] if size < max_size else np.inf
        for combo in combinations(range(n_dims), size):
            parents = [combo[:i] + combo[i + 1 :] for i in range(size)] if size > 1 else []
            if any(parent not in expandable for parent in parents):
                continue
            slices = groups.cuboid(combo)
            # A slice is searched when every parent may have children worth naming and it
            # names no excluded value; the leaves of a slice share its parents and values,
            # so a slice's leaves are searched together or not at all.
            searched = np.ones(slices.size, dtype=bool)
            for position, parent in enumerate(parents):
                searched &= expandable[parent][groups.parents(combo, position)]
            if excluded is not None:
                for column, dim in enumerate(combo):
                    searched &= ~excluded[dim][slices.values[:, column]]
            if not searched.any():
                continue
            _check_key_space([leaves.sizes[d] for d in combo])
            rows = _searched_rows(slices, searched)
            values, totals = groups.sums(slices, weights, rows)
            bound = totals[:, 0] if len(bounds) == 1 else np.maximum(totals[:, 0], totals[:, 1])
            variance = totals[:, -1]
            if size < max_size:
                grows = searched & (bound >= expand_threshold)
                if grows.any():
                    next_expandable[combo] = grows
            keep = searched & (bound >= keep_threshold)
            if size == 1 and not_alone is not None:
                keep &= ~not_alone[combo[0]][slices.values[:, 0]]
            kept = np.flatnonzero(keep)
            if kept.size == 0:
                continue
            sums = {
                "leaves": slices.leaves[kept],
                "actual": values[kept, 0],
                "expected": values[kept, 1],
                "variance": variance[kept],
            }
            cuboids.append(
                Cuboid(
                    combo,
                    slices.strides,
                    slices.keys[kept],
                    slices.values[kept],
                    sums,
                    bound[kept],
                    slices,
                    kept,
                )
            )
        expandable = next_expandable
    return SliceTable(leaves, cuboids, groups)


def _searched_rows(slices: CuboidGroups, searched: np.ndarray) -> np.ndarray | None:
    """The leaves of the searched slices, or None (all leaves) when they hold most of them:
    summing over every leaf then costs less than selecting, and gives the searched slices
    the same sums."""
    if 2 * float(slices.leaves[searched].sum()) >= len(slices.leaf_slices):
        return None
    return np.flatnonzero(searched[slices.leaf_slices])


def _strides(sizes: list[int]) -> np.ndarray:
    """Mixed-radix place values of a cuboid's value codes (the last dimension varies fastest)."""
    strides = np.ones(len(sizes), dtype=np.int64)
    for i in range(len(sizes) - 2, -1, -1):
        strides[i] = strides[i + 1] * max(sizes[i + 1], 1)
    return strides


def _check_key_space(sizes: list[int]) -> None:
    if float(np.prod([float(max(s, 1)) for s in sizes])) >= 2.0**62:
        raise ValueError("too many value combinations in one cuboid for 64-bit keys")


def _dense_codes(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per element, the rank of its key among the distinct keys (`_rank_dtype`); the
    distinct keys in increasing order and how often each occurs. Keys lie in [0, space)."""
    if space <= max(4 * len(key), 1 << 16):  # small key space: count directly
        counts = np.bincount(key, minlength=space)
        present = np.flatnonzero(counts)
        lookup = np.zeros(space, dtype=_rank_dtype(len(present)))
        lookup[present] = np.arange(len(present))
        return lookup[key], present.astype(np.int64), counts[present]
    ranks, unique = pd.factorize(key, sort=True)
    counts = np.bincount(ranks, minlength=len(unique))
    return ranks.astype(_rank_dtype(len(unique))), unique.astype(np.int64), counts


def _membership_sums(
    slices: np.ndarray, pointer: np.ndarray, size: int, weights: np.ndarray, ones: np.ndarray
) -> np.ndarray:
    """Per slice below `size`, the sums of the columns of `weights` (a row per leaf) over
    the leaves in it: the product with a sparse matrix from the leaves to the slices, a
    column per leaf whose entries (`slices[pointer[leaf]:pointer[leaf + 1]]`, each a
    one from `ones`) are its slices. scipy's CSC product runs through the columns in
    order, so each slice adds its leaves one at a time in their order from zero, bit for
    bit as np.bincount does, and one pass over the matrix sums every column of weights."""
    membership = sparse.csc_array((ones, slices, pointer), shape=(size, len(pointer) - 1))
    return membership @ weights


def _index_dtype(count: int) -> type[np.integer]:
    """The index type of a sparse matrix with `count` entries or rows: scipy's own."""
    return np.int32 if count < 2**31 else np.int64


def _rank_dtype(count: int) -> type[np.integer]:
    """The smallest integer type for ranks below `count`: the ranks of every leaf in every
    cuboid are kept, and read whole by each update."""
    for dtype in (np.uint8, np.uint16, np.int32):
        if count <= np.iinfo(dtype).max + 1:
            return dtype
    return np.int64


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
