"""Choosing the set of root causes: the set of slices whose total evidence, the sum over its
slices of (likelihood-ratio statistic - penalty), is largest.

Leaves belong to the first slice of the set that holds them, and no slice of the set is a
parent or a child of another (a slice and its own child are two names for one change). The
search is greedy forward selection followed by local moves, each kept only when it raises the
total evidence:

- add the slice with the most evidence given the leaves not yet explained, while positive;
- drop a root cause;
- generalise it to a parent (one dimension fewer), which absorbs the root causes inside it;
- swap it for the best slice given the others (neither its parent nor its child);
- split it into the children a forward selection inside it finds (one or more).

The moves settle the two questions a greedy pass gets wrong: a parent chosen first when
several of its children broke (split), and a child chosen first when its whole parent moved
(generalise). Each root cause's confidence is its posterior probability against the slices
that compete for the same leaves (its parents, its best child per further dimension, and no
cause at all), from the same evidence (`stats.model_selection.posterior_probabilities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from python_checks.diagnosis.localization_criterion import pooled_counts, ripple_statistic
from python_checks.diagnosis.slice_search import (
    Cuboid,
    PreparedRows,
    SliceKey,
    SliceTable,
    row_sums,
    slice_key,
)
from python_checks.stats.model_selection import posterior_probabilities

# Local moves tried at most this many times.
MAX_MOVES = 20


@dataclass(frozen=True)
class ChosenCause:
    """A selected root cause: its slice, its statistic on the leaves it explains, its
    evidence (statistic - penalty) and its confidence."""

    key: SliceKey
    statistic: float
    evidence: float
    confidence: float


def nested(a: SliceKey, b: SliceKey) -> bool:
    """Whether one slice is the other, a parent of it or a child of it."""
    items_a, items_b = set(a), set(b)
    return items_a <= items_b or items_b <= items_a


def _nested_mask(cuboid: Cuboid, key: SliceKey) -> np.ndarray:
    """Which slices of a cuboid are `key`, a parent of it or a child of it."""
    dims = dict(key)
    cuboid_dims = set(cuboid.dims)
    if not (cuboid_dims <= set(dims) or set(dims) <= cuboid_dims):
        return np.zeros(len(cuboid.keys), dtype=bool)
    mask = np.ones(len(cuboid.keys), dtype=bool)
    for column, dim in enumerate(cuboid.dims):
        if dim in dims:
            mask &= cuboid.values[:, column] == dims[dim]
    return mask


def _within_mask(cuboid: Cuboid, key: SliceKey) -> np.ndarray:
    """Which slices of a cuboid are strict children (descendants) of `key`."""
    dims = dict(key)
    if not set(dims) < set(cuboid.dims):
        return np.zeros(len(cuboid.keys), dtype=bool)
    mask = np.ones(len(cuboid.keys), dtype=bool)
    for column, dim in enumerate(cuboid.dims):
        if dim in dims:
            mask &= cuboid.values[:, column] == dims[dim]
    return mask


def _contains(table: SliceTable, key: SliceKey) -> np.ndarray:
    """Which kept slices name every (dimension, value) of `key`: it or its children."""
    mask = np.ones(len(table.slot_dims), dtype=bool)
    for dim, value in key:
        mask &= table.slot_values[:, dim] == value
    return mask


def _inside(table: SliceTable, key: SliceKey) -> np.ndarray:
    """Which kept slices name only (dimension, value)s of `key`: it or its parents."""
    values = dict(key)
    mask = np.ones(len(table.slot_dims), dtype=bool)
    for dim in range(table.slot_values.shape[1]):
        column = table.slot_values[:, dim]
        mask &= (column == -1) | (column == values[dim]) if dim in values else column == -1
    return mask


class _Search:
    """The state of the search: the chosen slices in order and which leaves each explains,
    with the slice table kept up to date (chosen leaves taken out)."""

    def __init__(
        self,
        table: SliceTable,
        penalties: Sequence[float],
        direction: str,
        family: str,
        effect_spread: float,
    ) -> None:
        self.table = table
        self.leaves = table.leaves
        self.penalties = list(penalties)
        self.direction = direction
        self.family = family
        self.effect_spread = effect_spread
        self.causes: list[SliceKey] = []
        self.own_masks: list[np.ndarray] = []  # per cause, which of its leaves it explains
        # Per leaf, the index of the cause that explains it (-1: none), built when first
        # needed after the causes change (`_explainers`).
        self._explained_by: np.ndarray | None = None
        self.assigned = np.zeros(self.leaves.size, dtype=bool)
        # Per leaf, whether it expects anything and has a variance (`_informative`).
        self._informative_leaves = (self.leaves.expected != 0) & (self.leaves.variance > 0)
        self._rows: dict[SliceKey, np.ndarray] = {}
        self._prepared: dict[SliceKey, PreparedRows] = {}
        # Per slice and set of slices before it, its statistic on the leaves they leave it:
        # the local moves score many sets that share most of their slices.
        self._own_statistics: dict[tuple[frozenset[SliceKey], SliceKey], float] = {}
        # Per slice, which kept slices are it, a parent of it or a child of it.
        self._nested: dict[SliceKey, np.ndarray] = {}
        # Per kept slice (in the table's order), the penalty of its layer.
        self._slot_penalty = np.repeat(
            [self.penalties[len(cuboid.dims) - 1] for cuboid in table.cuboids],
            [len(cuboid.keys) for cuboid in table.cuboids],
        ).astype(float)

    def rows(self, key: SliceKey) -> np.ndarray:
        if key not in self._rows:
            self._rows[key] = self.table.groups.rows(key)
        return self._rows[key]

    def prepared(self, key: SliceKey) -> PreparedRows:
        if key not in self._prepared:
            self._prepared[key] = self.table.prepare(self.rows(key))
        return self._prepared[key]

    def _explainers(self) -> np.ndarray:
        """Per leaf, the index of the cause that explains it (-1: none)."""
        if self._explained_by is None:
            self._explained_by = np.full(self.leaves.size, -1, dtype=np.intp)
            for index, (key, mask) in enumerate(zip(self.causes, self.own_masks, strict=True)):
                self._explained_by[self.rows(key)[mask]] = index
        return self._explained_by

    def penalty(self, key: SliceKey) -> float:
        return self.penalties[len(key) - 1]

    def statistic(self, rows: np.ndarray) -> float:
        return float(self._statistic(row_sums(self.leaves, rows))[0])

    def _statistic(self, sums: dict[str, np.ndarray]) -> np.ndarray:
        return ripple_statistic(
            sums["actual"], sums["expected"], sums["variance"], self.direction, self.family
        )

    def set_score(self, keys: Sequence[SliceKey]) -> tuple[float, list[float]]:
        """Total evidence of a set (leaves to the first slice holding them) and each
        slice's statistic."""
        total, statistics = 0.0, []
        for index, key in enumerate(keys):
            statistic = self._own_statistic(frozenset(keys[:index]), key)
            statistics.append(statistic)
            total += statistic - self.penalty(key)
        return total, statistics

    def _own_statistic(self, before: frozenset[SliceKey], key: SliceKey) -> float:
        """The statistic of `key` on its leaves that no slice of `before` holds."""
        if (before, key) not in self._own_statistics:
            taken = np.zeros(self.leaves.size, dtype=bool)
            for other in before:
                taken[self.rows(other)] = True
            rows = self.rows(key)
            self._own_statistics[(before, key)] = self.statistic(rows[~taken[rows]])
        return self._own_statistics[(before, key)]

    def _take(self, key: SliceKey) -> np.ndarray:
        """Explain the leaves of `key` not yet explained; the mask of them over its leaves."""
        rows = self.rows(key)
        mask = ~self.assigned[rows]
        self.table.update(self.prepared(key), -1.0, mask)
        self.assigned[rows[mask]] = True
        return mask

    def _give_back(self, key: SliceKey, mask: np.ndarray) -> None:
        self.table.update(self.prepared(key), 1.0, mask)
        self.assigned[self.rows(key)[mask]] = False

    def _retake(self, key: SliceKey, mask: np.ndarray) -> None:
        self.table.update(self.prepared(key), -1.0, mask)
        self.assigned[self.rows(key)[mask]] = True

    def assign(self, keys: Sequence[SliceKey]) -> None:
        """Make `keys` the chosen set (in this order)."""
        for key, mask in zip(self.causes, self.own_masks, strict=True):
            self._give_back(key, mask)
        self.causes, self.own_masks = [], []
        for key in keys:
            self.own_masks.append(self._take(key))
            self.causes.append(key)
        self._explained_by = None

    def best_slice(
        self, exclude: Sequence[SliceKey], within: SliceKey | None = None
    ) -> tuple[SliceKey, float] | None:
        """The slice with the most evidence on the leaves not yet explained, neither a parent
        nor a child of an excluded slice (and a strict child of `within` when given). Ties
        go to the coarser slice (cuboids are stored layer by layer: the first maximum)."""
        table = self.table
        if len(self._slot_penalty) == 0:
            return None
        # One statistic over every kept slice at once: per-cuboid calls cost more in
        # overhead than in arithmetic when 13 dimensions give hundreds of cuboids.
        statistic = self._statistic(table.sums)
        evidence = np.where(statistic > 0, statistic - self._slot_penalty, -np.inf)
        for key in exclude:
            evidence[self._nested_slots(key)] = -np.inf
        if within is not None:  # strict children: its values and more dimensions
            evidence[~_contains(table, within) | (table.slot_dims <= len(within))] = -np.inf
        position = int(np.argmax(evidence))
        if not np.isfinite(evidence[position]):
            return None
        index = int(np.searchsorted(table.offsets, position, side="right")) - 1
        cuboid = table.cuboids[index]
        return slice_key(cuboid, position - int(table.offsets[index])), float(evidence[position])

    def _nested_slots(self, key: SliceKey) -> np.ndarray:
        """Which kept slices are `key`, a parent of it or a child of it."""
        if key not in self._nested:
            self._nested[key] = _contains(self.table, key) | _inside(self.table, key)
        return self._nested[key]

    def add_greedily(self, max_causes: int) -> None:
        while len(self.causes) < max_causes:
            found = self.best_slice(self.causes)
            if found is None or found[1] <= 0:
                return
            self.own_masks.append(self._take(found[0]))
            self.causes.append(found[0])
            self._explained_by = None

    def _split(self, index: int, max_causes: int) -> list[SliceKey]:
        """Forward selection among the children of cause `index` (its leaves given back)."""
        key = self.causes[index]
        others = self.causes[:index] + self.causes[index + 1 :]
        children: list[SliceKey] = []
        taken: list[np.ndarray] = []
        while len(others) + len(children) < max_causes:
            found = self.best_slice(others + children, within=key)
            if found is None or found[1] <= 0:
                break
            children.append(found[0])
            taken.append(self._take(found[0]))
        for child, mask in zip(children, taken, strict=True):
            self._give_back(child, mask)
        return children

    def _log_factor(self, rows: np.ndarray) -> tuple[float, float, float]:
        """A set of leaves' change on the symmetric scale `2 (A - C) / (A + C)` of their
        pooled counts (the deviation score of Squeeze and RiskLoc: the log factor for small
        changes, bounded by 2 when almost nothing was expected), with half-counts for
        continuity, and its variance if nothing moved and if it moved (delta method)."""
        sums = row_sums(self.leaves, rows)
        pooled = pooled_counts(sums["actual"], sums["expected"], sums["variance"])
        a = max(float(pooled[0][0]), 0.0) + 0.5
        c = max(float(pooled[1][0]), 0.0) + 0.5
        return 2 * (a - c) / (a + c), 1.0 / c, 16 * c * c * a / (a + c) ** 4

    def _informative(self, rows: np.ndarray) -> bool:
        """Whether some of these leaves expect anything and have a variance."""
        return bool(self._informative_leaves[rows].any())

    def _like_the_cause(self, rows: np.ndarray, centre: float, naming: float) -> float:
        """Log likelihood ratio that leaves moved with a cause of log factor `centre` (their
        own log factor within the effect spread of it) rather than as the better of the
        alternatives: not at all, or as a cause of their own (fitting their own factor, at a
        cost of `naming`, a penalty, on the -2 log scale). Leaves that moved the other way
        count as unmoved."""
        value, normal_variance, moved_variance = self._log_factor(rows)
        if value * centre < 0:  # moved the other way: no more like the cause than unmoved
            value = 0.0
        spread = moved_variance + self.effect_spread**2
        moved = -0.5 * ((value - centre) ** 2 / spread + np.log(spread))
        normal = -0.5 * (value**2 / normal_variance + np.log(normal_variance))
        own = -0.5 * (np.log(moved_variance) + naming)
        return float(moved - max(normal, own))

    def _free_rows(
        self, parent: SliceKey, inner: Sequence[SliceKey]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The leaves of `parent` not explained by other causes (neither inner nor nested
        with it): those inside the inner slices, and the rest."""
        rows = self.rows(parent)
        # Per cause, whether it takes leaves from the parent; the last entry is for the
        # leaves no cause explains (index -1).
        takes = np.zeros(len(self.causes) + 1, dtype=bool)
        for index, cause in enumerate(self.causes):
            takes[index] = cause not in inner and not nested(cause, parent)
        inside = np.zeros(self.leaves.size, dtype=bool)
        for key in inner:
            inside[self.rows(key)] = True
        free = rows[~takes[self._explainers()[rows]]]
        return free[inside[free]], free[~inside[free]]

    def location_evidence(
        self, parent: SliceKey, inner: Sequence[SliceKey], dim: int | None
    ) -> float:
        """Evidence (on the -2 log likelihood scale) that `parent` rather than the `inner`
        slices is where the cause is: twice the log likelihood ratio that the rest of the
        parent (its parts per value of `dim`, or all of it when `dim` is None) moved with
        the inner slices' effect, within `effect_spread`, rather than not at all or as causes
        of their own; plus what naming the inner slices costs beyond naming the parent. How
        much the effect differs between the inner slices is not evidence either way: the
        question is where.
        """
        inside, rest = self._free_rows(parent, inner)
        naming = sum(self.penalty(key) for key in inner) - self.penalty(parent)
        if rest.size == 0 or not self._informative(rest):
            return naming
        centre = self._log_factor(inside)[0]
        if dim is None:
            groups = [rest]
        else:
            code = self.leaves.codes[dim][rest]
            order = np.argsort(code, kind="stable")
            bounds = np.flatnonzero(np.diff(code[order])) + 1
            groups = np.split(rest[order], bounds)
        # A part that moved but not like the inner slices would be a cause of its own, named
        # on the layer below the parent.
        own_naming = self.penalties[min(len(parent), len(self.penalties) - 1)]
        moved = sum(
            self._like_the_cause(group, centre, own_naming)
            for group in groups
            if self._informative(group)
        )
        return 2.0 * moved + naming

    def improve(self, max_causes: int) -> None:
        """Apply the best evidence-raising move until none is left. Where a cause is, is
        decided first (`location_evidence`): a generalisation the location evidence favours
        is taken whatever the likelihood says, a split it disfavours is not considered. A
        single factor always fits the parts of an uneven effect better than the whole, but
        the question is where."""
        visited = {frozenset(self.causes)}
        for _ in range(MAX_MOVES):
            current, _ = self.set_score(self.causes)
            best_total, best_set = current + 1e-9, None
            forced = None
            for index, key in enumerate(self.causes):
                before, after = self.causes[:index], self.causes[index + 1 :]
                candidates = [before + after]
                for drop in range(len(key) if len(key) > 1 else 0):
                    parent = key[:drop] + key[drop + 1 :]
                    if self.table.locate(parent) is None:
                        continue  # not a candidate
                    merged = (
                        [c for c in before if not nested(c, parent)]
                        + [parent]
                        + [c for c in after if not nested(c, parent)]
                    )
                    inner = [c for c in self.causes if nested(c, parent)]
                    if self.location_evidence(parent, inner, key[drop][0]) > 0:
                        forced = merged
                        break
                    candidates.append(merged)
                if forced is not None:
                    break
                mask = self.own_masks[index]
                self._give_back(key, mask)
                # Not its parents or children: generalising and splitting decide those.
                swap = self.best_slice([*before, key, *after])
                if swap is not None and swap[0] != key:
                    candidates.append([*before, swap[0], *after])
                children = self._split(index, max_causes)
                self._retake(key, mask)
                if (
                    children
                    and self.location_evidence(key, children, _extension(key, children)) < 0
                ):
                    candidates.append(before + children + after)
                    if len(children) > 1:
                        candidates.append(before + children[:1] + after)
                for candidate in candidates:
                    if not candidate or len(candidate) > max_causes:
                        continue
                    total, _ = self.set_score(candidate)
                    if total > best_total:
                        best_total, best_set = total, candidate
            if forced is not None:
                best_set = forced
            if best_set is None or frozenset(best_set) in visited:
                return
            self.assign(best_set)
            self.add_greedily(max_causes)
            visited.add(frozenset(self.causes))

    def confidences(self) -> list[float]:
        """Per chosen slice, its posterior probability against no cause and against its
        nearest rivals for the same leaves: each parent and, per further dimension, its
        child with the largest statistic (not nested with another cause). A rival's
        evidence is the slice's own plus or minus the location evidence between them, so the
        confidence answers the question the search did: is the change here, one level up,
        one level down, or nowhere?"""
        result = []
        for index, key in enumerate(self.causes):
            others = self.causes[:index] + self.causes[index + 1 :]
            mask = self.own_masks[index]
            self._give_back(key, mask)
            rows = self.rows(key)
            own = self.statistic(rows[~self.assigned[rows]]) - self.penalty(key)
            rivals = []
            for drop in range(len(key) if len(key) > 1 else 0):
                parent = key[:drop] + key[drop + 1 :]
                if self.table.locate(parent) is None or any(nested(parent, o) for o in others):
                    continue
                rivals.append(own + self.location_evidence(parent, [key], key[drop][0]))
            for cuboid in self.table.cuboids:
                if len(cuboid.dims) != len(key) + 1:
                    continue
                within = _within_mask(cuboid, key)
                for other in others:
                    within &= ~_nested_mask(cuboid, other)
                if not within.any():
                    continue
                statistic = np.where(within, self._statistic(cuboid.sums), 0.0)
                if statistic.max() <= 0:
                    continue
                child = slice_key(cuboid, int(np.argmax(statistic)))
                added = next(dim for dim, _ in child if dim not in dict(key))
                rivals.append(own - self.location_evidence(key, [child], added))
            self._retake(key, mask)
            result.append(float(posterior_probabilities(np.array([own, *rivals]))[0]))
        return result


def _extension(key: SliceKey, children: Sequence[SliceKey]) -> int | None:
    """The one dimension every child adds to `key`, if there is one."""
    added = {dim for child in children for dim, _ in child if dim not in dict(key)}
    return added.pop() if len(added) == 1 else None


def select_root_causes(
    table: SliceTable,
    penalties: Sequence[float],
    direction: str,
    max_causes: int,
    family: str = "gaussian",
    refine: bool = True,
    effect_spread: float = 0.25,
) -> list[SliceKey]:
    """The root-cause set with the most total evidence (greedy, then local moves), in the
    order that assigns each leaf to its cause. When no slice is worth its penalty, the best
    one is returned alone: localization answers "given that this moved, where?"."""
    search = _Search(table, penalties, direction, family, effect_spread)
    search.add_greedily(max_causes)
    if refine and search.causes:
        search.improve(max_causes)
    causes = list(search.causes)
    if not causes:
        found = search.best_slice([])
        causes = [] if found is None else [found[0]]
    search.assign([])  # leave the table as it was found
    return causes


def judge_root_causes(
    table: SliceTable,
    causes: Sequence[SliceKey],
    penalties: Sequence[float],
    direction: str,
    family: str = "gaussian",
    effect_spread: float = 0.25,
) -> list[ChosenCause]:
    """Each cause's statistic on the leaves it explains (the leaves go to the first cause
    holding them), its evidence and its confidence (`_Search.confidences`). Apart from
    `select_root_causes`: the noise rounds choose causes several times and only the last
    choice is judged."""
    search = _Search(table, penalties, direction, family, effect_spread)
    search.assign(causes)
    _, statistics = search.set_score(search.causes)
    confidences = search.confidences()
    search.assign([])  # leave the table as it was found
    return [
        ChosenCause(key, statistic, statistic - search.penalty(key), confidence)
        for key, statistic, confidence in zip(causes, statistics, confidences, strict=True)
    ]
