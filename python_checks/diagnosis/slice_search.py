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

Most sums are products with a sparse matrix from what is summed to the slices, which scipy's
CSC product runs through column by column: its cost is mostly the pass over the matrix, so
one product sums several weights. A set of dimensions whose value combinations are few
against the leaves is summed from a projection (`projection_plan`): the leaves are first
summed over the combinations of a larger set of dimensions holding it, once for every set
inside that one, and its slices' sums are sums of those. Every sum is added in one fixed
order (leaves into the projection's slices in leaf order, those into the slices in theirs),
so the same leaves always give the same sums, to the bit; they differ from sums in leaf
order by rounding only (`docs/diagnosis.md`: the same answers on every evaluation source).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from math import prod

import numpy as np
import pandas as pd
from scipy import sparse

# A slice: ((dimension index, value code), ...) sorted by dimension.
SliceKey = tuple[tuple[int, int], ...]
# A set of dimensions is summed from a projection when the projection's value combinations
# number at most the leaves over this: a pass over its slices then costs an eighth of a pass
# over the leaves or less. On `pgc explain`'s 888,428 leaves at large, 13 projections of
# 3,100 to 56,000 present combinations hold the 377 sets of up to three of 13 dimensions.
PROJECTION_SHARE = 8
# An update sums its leaves into only the slices they touch when the slices outnumber the
# leaves this many times: zeroing a sum per slice would then cost more than finding them.
SPARSE_UPDATE = 8


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
        groups: CuboidGroups,
        kept: np.ndarray,
        sums: dict[str, np.ndarray],
        bound: np.ndarray,
    ) -> None:
        self.groups = groups  # every slice of these dimensions and the slice of each leaf
        self.kept = kept  # the kept slices' indices among `groups`' slices
        self.dims = groups.dims
        self.strides = groups.strides
        self.keys = groups.keys[kept]  # sorted flat keys of the kept slices
        self.values = groups.values[kept]  # (slices, len(dims)) value codes
        self.sums = sums  # per kept slice, the sums named in SUMS
        self.bound = bound  # largest statistic any subset of the slice's leaves can reach


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


class CuboidGroups:
    """Every slice of one set of dimensions that holds a leaf, in the order of their flat
    keys, and its number of leaves (the sums of the values are `SliceGroups.sums`); the slice
    of each leaf, and, for a set summed from a projection, the slice of each of the
    projection's slices."""

    def __init__(
        self,
        dims: tuple[int, ...],
        strides: np.ndarray,
        keys: np.ndarray,
        values: np.ndarray,
        leaves: np.ndarray,
        leaf_slices: np.ndarray | None = None,
        projection: CuboidGroups | None = None,
        projection_slices: np.ndarray | None = None,
    ) -> None:
        self.dims = dims
        self.strides = strides
        self.keys = keys  # sorted flat keys of the slices
        self.values = values  # (slices, len(dims)) value codes
        self.leaves = leaves  # per slice, its number of leaves (a float, as the sums have it)
        self._leaf_slices = leaf_slices
        # Summed from `projection`: per slice of it, the index of the slice holding it.
        self.projection = projection
        self.projection_slices = projection_slices

    @property
    def size(self) -> int:
        return len(self.keys)

    @cached_property
    def leaf_slices(self) -> np.ndarray:
        """Per leaf, the index of its slice (`_rank_dtype`); for a set summed from a
        projection, worked out when first asked (a slice's leaves, a pruned search)."""
        if self._leaf_slices is not None:
            return self._leaf_slices
        return self.projection_slices[self.projection.leaf_slices]

    @property
    def summed(self) -> CuboidGroups:
        """What the slices' sums are sums of: the projection's slices, or the leaves (itself)."""
        return self if self.projection is None else self.projection

    def from_summed(self) -> np.ndarray:
        """Per slice of `summed`, the index of the slice holding it."""
        if self.projection is None:
            return np.arange(self.size, dtype=_index_dtype(self.size))
        return self.projection_slices


class SliceGroups:
    """The slices of every set of dimensions the search reaches, numbered once per set of
    leaves: which slices there are and which leaves they hold depend on the leaves' value
    codes, not on their variances, so the noise rounds of `localization` share them.
    `depth`: the largest set searched (it decides the projections); `projections`: whether
    sets are summed from projections at all."""

    def __init__(self, leaves: LeafStatistics, depth: int, projections: bool = True) -> None:
        self.codes = leaves.codes
        self.sizes = leaves.sizes
        self.actual = leaves.actual
        self.expected = leaves.expected
        self.plan = projection_plan(self.sizes, depth, leaves.size) if projections else {}
        self._cuboids: dict[tuple[int, ...], CuboidGroups] = {}
        self._parents: dict[tuple[tuple[int, ...], int], np.ndarray] = {}
        # Per set summed from the leaves, the sums of its slices' actual and expected values
        # (a row per slice), and the weights its latest sums were of, with those sums.
        self._value_sums: dict[tuple[int, ...], np.ndarray] = {}
        self._weight_sums: dict[tuple[int, ...], tuple[LeafWeights, np.ndarray]] = {}
        self._side_by_side: dict[tuple[int, ...], tuple[LeafWeights, np.ndarray]] = {}
        self._rows: dict[SliceKey, np.ndarray] = {}
        self._ones: dict[int, np.ndarray] = {}
        # Column pointers of a membership matrix with one entry per column (`sums`), sliced
        # for fewer columns.
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
            projection = self.plan.get(dims, dims)
            if projection == dims:
                self._cuboids[dims] = self._number(dims)
            else:
                self._cuboids[dims] = _projected(dims, self.cuboid(projection), self.sizes)
        return self._cuboids[dims]

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
        slices wholly among them, the only ones the caller reads; a set summed from a
        projection sums all its slices): a row per slice."""
        if cuboid.projection is not None:
            both = _membership_sums(
                cuboid.projection_slices.astype(self._columns.dtype),
                self._columns[: cuboid.projection.size + 1],
                cuboid.size,
                self._projection_sums(cuboid.projection, weights),
                self.ones(cuboid.projection.size),
            )
            return both[:, :2], both[:, 2:]
        return self._leaf_sums(cuboid, weights, rows)

    def _projection_sums(self, projection: CuboidGroups, weights: LeafWeights) -> np.ndarray:
        """A projection's `sums` side by side, once per weights for every set it holds."""
        latest = self._side_by_side.get(projection.dims)
        if latest is None or latest[0] is not weights:
            values, totals = self._leaf_sums(projection, weights, None)
            latest = (weights, np.hstack([values, totals]))
            self._side_by_side[projection.dims] = latest
        return latest[1]

    def _leaf_sums(
        self, cuboid: CuboidGroups, weights: LeafWeights, rows: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`sums` of a set summed from the leaves; over all of them, kept for the round."""
        if cuboid.dims not in self._value_sums:
            # A product costs little more per column than its pass over the leaves: the
            # values are summed with the first weights, over every leaf.
            both = self._leaf_order_sums(cuboid.leaf_slices, cuboid.size, weights.with_values)
            self._value_sums[cuboid.dims] = both[:, :2]
            self._weight_sums[cuboid.dims] = (weights, both[:, 2:])
            return both[:, :2], both[:, 2:]
        if rows is None:
            latest = self._weight_sums.get(cuboid.dims)
            if latest is None or latest[0] is not weights:
                latest = (
                    weights,
                    self._leaf_order_sums(cuboid.leaf_slices, cuboid.size, weights.alone),
                )
                self._weight_sums[cuboid.dims] = latest
            totals = latest[1]
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
        """The slices of a set of dimensions summed from the leaves."""
        strides = _strides([self.sizes[d] for d in dims])
        space = int(strides[0]) * max(self.sizes[dims[0]], 1)
        if space <= max(4 * len(self.actual), 1 << 16):
            # A small key space (every projection's): the flat keys are counted directly.
            key = np.zeros(len(self.actual), dtype=np.int64)
            for dim, stride in zip(dims, strides, strict=True):
                key += self.codes[dim] * stride
            ranks, present, counts = _dense_codes(key, space)
            values = _key_values(present, strides, [self.sizes[d] for d in dims])
            keys = present
        elif len(dims) == 1:
            ranks, present, counts = _dense_codes(self.codes[dims[0]], space)
            values, keys = present[:, None], present
        else:
            # A slice is its parent without the last dimension and a last value: numbering
            # those pairs in increasing order numbers the slices in the order of their flat
            # keys (the last dimension varies fastest).
            radix = max(self.sizes[dims[-1]], 1)
            parent = self.cuboid(dims[:-1])
            pairs = np.multiply(parent.leaf_slices, radix, dtype=np.int64)
            pairs += self.codes[dims[-1]]
            ranks, present, counts = _dense_codes(pairs, parent.size * radix)
            above, last_values = np.divmod(present, radix)
            values = np.column_stack([parent.values[above], last_values])
            keys = parent.keys[above] * radix + last_values
        return CuboidGroups(
            dims=dims,
            strides=strides,
            keys=keys.astype(np.int64),
            values=values.astype(np.int64),
            leaves=counts.astype(float),
            leaf_slices=ranks,
        )


def _projected(dims: tuple[int, ...], projection: CuboidGroups, sizes: list[int]) -> CuboidGroups:
    """The slices of a set of dimensions summed from the slices of a projection holding it."""
    strides = _strides([sizes[d] for d in dims])
    columns = [projection.dims.index(dim) for dim in dims]
    key = projection.values[:, columns] @ strides
    space = int(strides[0]) * max(sizes[dims[0]], 1)
    ranks, present, _ = _dense_codes(key, space)
    return CuboidGroups(
        dims=dims,
        strides=strides,
        keys=present.astype(np.int64),
        values=_key_values(present, strides, [sizes[d] for d in dims]),
        leaves=np.bincount(ranks, weights=projection.leaves, minlength=len(present)),
        projection=projection,
        projection_slices=ranks,
    )


def _key_values(keys: np.ndarray, strides: np.ndarray, sizes: list[int]) -> np.ndarray:
    """The value codes of flat keys, a column per dimension."""
    return np.column_stack(
        [(keys // stride) % max(size, 1) for stride, size in zip(strides, sizes, strict=True)]
    ).astype(np.int64)


def projection_plan(
    sizes: Sequence[int], depth: int, leaves: int
) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Per set of up to `depth` dimensions, the projection its sums are taken from: a set of
    dimensions holding it whose value combinations number at most leaves / PROJECTION_SHARE
    (the product of their numbers of values bounds them). Sets with more combinations are
    not in the plan: they are summed from the leaves.

    Greedy: the first set not yet held (largest sets first) grows by the dimension that
    brings in the most other sets not yet held while the bound holds; every set it then holds
    is taken from it. A projection costs a pass over the leaves per noise round, a set held
    by one a pass over the projection's combinations."""
    limit = leaves / PROJECTION_SHARE
    n_dims = len(sizes)

    def space(dims: Sequence[int]) -> int:
        return prod(max(int(sizes[d]), 1) for d in dims)

    wanted = [
        combo
        for size in range(min(depth, n_dims), 0, -1)
        for combo in combinations(range(n_dims), size)
        if space(combo) <= limit
    ]
    open_sets = set(wanted)
    plan: dict[tuple[int, ...], tuple[int, ...]] = {}
    for start in wanted:
        if start not in open_sets:
            continue
        block = set(start)
        while True:
            best, best_gain = None, 0
            for dim in range(n_dims):
                if dim in block or space([*block, dim]) > limit:
                    continue
                # The sets this dimension brings in: it and up to depth - 1 of the block's.
                gain = sum(
                    tuple(sorted([*others, dim])) in open_sets
                    for k in range(min(depth, len(block) + 1))
                    for others in combinations(sorted(block), k)
                )
                if gain > best_gain:
                    best, best_gain = dim, gain
            if best is None:
                break
            block.add(best)
        projection = tuple(sorted(block))
        held = [combo for combo in open_sets if block.issuperset(combo)]
        for combo in held:
            plan[combo] = projection
        open_sets.difference_update(held)
    return plan


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
        # Per set of slices the kept ones are summed from, the kept slices and the matrix to
        # them (`slot_totals`).
        self._layout: list[tuple[CuboidGroups, np.ndarray, sparse.csc_array]] | None = None
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
        terms = np.take(self.leaves.terms, rows, axis=0)
        pointer = np.arange(len(rows) + 1, dtype=_index_dtype(len(rows)))
        ones = self.groups.ones(len(rows))
        totals = np.zeros((int(self.offsets[-1]), len(SUMS)))
        for summed, slots, membership in self._summed_layout():
            # The rows' sums per slice of what the kept slices are summed from, then the
            # sums of the slices it touched into every kept slice holding them. For rows
            # far fewer than those slices, only the slices they touch are summed into.
            index = summed.leaf_slices[rows]
            if SPARSE_UPDATE * len(rows) < summed.size:
                touched, index = np.unique(index, return_inverse=True)
            else:
                touched = None
            sums = _membership_sums(
                index.astype(pointer.dtype),
                pointer,
                summed.size if touched is None else len(touched),
                terms,
                ones,
            )
            if touched is None:
                touched = np.flatnonzero(sums[:, 0])
                if 2 * len(touched) >= summed.size:
                    totals[slots] = membership @ sums
                    continue
                sums = sums[touched]
            totals[slots] = membership[:, touched] @ sums
        slots = np.flatnonzero(totals[:, 0])
        return slots, np.ascontiguousarray(totals[slots].T)

    def _summed_layout(self) -> list[tuple[CuboidGroups, np.ndarray, sparse.csc_array]]:
        """Per set of slices the kept ones are summed from (a projection, or one set's own
        slices): the kept slices summed from it (their positions in the sums) and the matrix
        from its slices to those."""
        if self._layout is None:
            by_summed: dict[tuple[int, ...], list[tuple[Cuboid, int]]] = {}
            for cuboid, start in zip(self.cuboids, self.offsets[:-1], strict=True):
                by_summed.setdefault(cuboid.groups.summed.dims, []).append((cuboid, int(start)))
            self._layout = []
            for members in by_summed.values():
                summed = members[0][0].groups.summed
                # Per slice of `summed` (a row) and cuboid (a column), the row among the
                # group's kept slices of the kept slice holding it, or -1.
                held = np.empty((summed.size, len(members)), dtype=np.int64)
                kept_before = 0
                for column, (cuboid, _) in enumerate(members):
                    row_of = np.full(cuboid.groups.size, -1, dtype=np.int64)
                    row_of[cuboid.kept] = kept_before + np.arange(len(cuboid.kept))
                    kept_before += len(cuboid.kept)
                    held[:, column] = row_of[cuboid.groups.from_summed()]
                inside = held >= 0
                pointer = np.concatenate([[0], np.cumsum(inside.sum(axis=1))])
                # Built as its transpose, a row per slice of `summed`: the matrix's
                # columns then come out in order, with no conversion.
                membership = sparse.csr_array(
                    (np.ones(int(pointer[-1])), held[inside], pointer),
                    shape=(summed.size, kept_before),
                ).T
                slots = np.concatenate(
                    [start + np.arange(len(cuboid.kept)) for cuboid, start in members]
                )
                self._layout.append((summed, slots, membership))
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
    n_dims = len(leaves.codes)
    max_size = min(len(penalties), n_dims)
    if groups is None or not groups.describes(leaves):
        groups = SliceGroups(leaves, max_size)
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
            rows = _searched_rows(slices, searched) if slices.projection is None else None
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
            cuboids.append(Cuboid(slices, kept, sums, bound[kept]))
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
