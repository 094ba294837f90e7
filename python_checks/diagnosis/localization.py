"""Multi-dimensional root-cause localization: which slices explain a metric's deviation?

Input: a leaf table, one row per combination of dimension values, with an actual and an
expected value (or a comparison and a baseline period), and for ratio metrics their
denominators. Output: the root-cause set, such as ({region: BR, app_version: 31.2},), with a
confidence per cause, and ranked alternatives.

The method (docs/diagnosis.md has the reasoning and the references):

1. Leaf noise (`leaf_noise`): each leaf's expected value (for a ratio, the expected rate at
   the actual volume) and the variance of its deviation, `a * counting variance + c *
   expected^2`, fitted to the leaves.
2. Likelihood (`slice_search`, `localization_criterion`): under the ripple model (Squeeze)
   a root cause moves all of its leaves by one factor; a slice's likelihood-ratio statistic
   against "nothing moved" comes from three sums over its leaves (actual, expected and the
   variance of their difference).
3. Criterion (`localization_criterion`): a slice is worth naming when its statistic exceeds
   the two-part code length of naming it among the slices of its layer and fitting its
   factor (MDL / BIC); coarser slices cost less, so the simpler explanation wins when the
   evidence does not separate them.
4. Set (`localization_selection`): the set of slices with the most total evidence, by
   forward selection and local moves (drop, generalise, swap, split), where a parent and
   its children are first weighed on where the change is; each cause's confidence is its
   posterior probability against its parents, its best children and no cause.

Adtributor's explanatory power and surprise (Jensen-Shannon divergence between the slice's
expected and actual shares) are reported alongside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.leaf_noise import LeafValues, leaf_values, leaf_variance
from python_checks.diagnosis.localization_criterion import layer_penalties, ripple_statistic
from python_checks.diagnosis.localization_selection import (
    judge_root_causes,
    nested,
    select_root_causes,
)
from python_checks.diagnosis.slice_search import (
    LeafStatistics,
    SliceGroups,
    SliceKey,
    SliceTable,
    aliased_values,
    build_slice_table,
    slice_key,
    slice_rows,
)
from python_checks.stats.variance_mixture import VarianceMixture

# Without max_combination_size, slices combine at most this many dimensions, and fewer when
# the search would otherwise have more than MAX_CUBOIDS sets of dimensions (but at least
# three): 13 dimensions are searched 3 deep (377 sets), 9 dimensions 6 deep.
DEFAULT_MAX_COMBINATION = 6
MAX_CUBOIDS = 512
# Root causes are searched at most this many times, the noise refitted without them between.
NOISE_ROUNDS = 3


@dataclass(frozen=True)
class LocalizationOptions:
    """What localization searches and reports; the defaults are the shipped setting
    (docs/diagnosis.md).

    max_combination_size: slices combine at most this many dimensions (None: all of them up
      to 6, fewer when that would search more than 512 sets of dimensions, at least 3).
    top_k: culprits returned (root causes first, then alternatives).
    max_root_causes: at most this many root causes.
    penalty_scale: multiplies the code length a slice pays to be named (1: the two-part MDL
      code; 2, twice it, was chosen by leave-one-source-out over the development sources).
    merge_aliases: when other dimension values cover exactly the same active leaves as a
      selected root cause (surface = for_you and model_version = rec_v8 on a rollout day),
      the data cannot tell them apart, so the root cause names all of them.
    direction: "both"; "up" or "down" to consider only slices whose actual is above (below)
      expected (a failure count, where an incident adds failures); "total" for the direction
      of the total deviation (the incident's).
    min_confidence: root causes with a lower confidence are reported as alternatives (0.5:
      only causes more likely here than one level up, one level down or nowhere; chosen by
      leave-one-source-out).
    refine: apply the local moves after the forward selection.
    effect_spread: how much (standard deviation of the log factor) a cause's effect may
      differ between its parts: a parent whose other parts moved like this is the cause
      (0.25, chosen by leave-one-source-out).
    outlier_rule: files of one period only (`incident_files`): a dimension value is a cause
      on its own when its fitted effect stands out of its dimension's, either by the
      criterion's level for a slice of one dimension ("criterion") or by 2.5 robust
      standard deviations and a factor of 2.5 ("factor": intrinsic differences between
      values are taken to stay below 2.5x).
    baseline_periods: for an additive metric, the expected values are the mean of this many
      earlier periods (`pgc explain`'s baseline) rather than a forecast (None): the
      baseline's own counting noise is part of each leaf's variance (`leaf_noise`).
    """

    max_combination_size: int | None = None
    top_k: int = 5
    max_root_causes: int = 5
    penalty_scale: float = 2.0
    merge_aliases: bool = True
    direction: Literal["both", "up", "down", "total"] = "total"
    min_confidence: float = 0.5
    refine: bool = True
    effect_spread: float = 0.25
    outlier_rule: Literal["criterion", "factor"] = "factor"
    baseline_periods: int | None = None

    def __post_init__(self) -> None:
        if self.max_combination_size is not None and self.max_combination_size < 1:
            raise ValueError("max_combination_size must be at least 1")
        if self.direction not in ("both", "up", "down", "total"):
            raise ValueError(
                f"direction must be 'both', 'up', 'down' or 'total', got {self.direction!r}"
            )
        if self.max_root_causes < 1:
            raise ValueError("max_root_causes must be at least 1")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {self.min_confidence}")
        if self.outlier_rule not in ("criterion", "factor"):
            raise ValueError(
                f"outlier_rule must be 'criterion' or 'factor', got {self.outlier_rule!r}"
            )
        if self.baseline_periods is not None and self.baseline_periods < 1:
            raise ValueError(f"baseline_periods must be at least 1, got {self.baseline_periods}")
        if self.penalty_scale <= 0:
            raise ValueError(f"penalty_scale must be positive, got {self.penalty_scale}")


@dataclass(frozen=True)
class Culprit:
    """One candidate slice and its scores."""

    slice: dict[str, object]
    actual: float
    expected: float
    deviation: float  # actual - expected (for ratio metrics: excess numerator at actual volume)
    explanatory_power: float  # deviation / total deviation (Adtributor)
    surprise: float  # the slice's Jensen-Shannon term, expected vs actual share (Adtributor)
    share_explained: float  # the slice's statistic / the sum of the leaves' statistics
    score: float  # evidence: likelihood-ratio statistic - penalty (the ranking key)
    is_root_cause: bool  # part of the selected explaining set
    confidence: float = math.nan  # posterior probability against its parents, children, none


@dataclass(frozen=True)
class LocalizationResult:
    total_actual: float
    total_expected: float
    total_deviation: float
    culprits: tuple[Culprit, ...]  # root causes first (in selection order), then alternatives

    @property
    def root_causes(self) -> tuple[dict[str, object], ...]:
        return tuple(culprit.slice for culprit in self.culprits if culprit.is_root_cause)


def surprise(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Adtributor's surprise of slices with expected share p and actual share q.

    The slice's term of the Jensen-Shannon divergence, 0.5 * (p ln(2p / (p + q)) +
    q ln(2q / (p + q))), in nats; over the slices of one partition the terms add up to the
    JS divergence of the expected and actual distributions.
    """
    p = np.clip(p, 0.0, None)
    q = np.clip(q, 0.0, None)
    mid = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / mid), 0.0)
        right = np.where(q > 0, q * np.log(q / mid), 0.0)
    return 0.5 * (left + right)


def localize(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    columns: LeafColumns,
    options: LocalizationOptions = LocalizationOptions(),
    fitted_values: Sequence[np.ndarray] | None = None,
) -> LocalizationResult:
    """The root-cause set (combinations of 1..max_combination_size dimension values) that
    best explains the deviation of the actual from the expected values over the leaves of
    `frame`, with ranked alternatives.

    With denominators the metric is the ratio numerator / denominator and deviations are
    measured on the rate, weighted by volume. `fitted_values`: per dimension, a mask over
    the values in order of first appearance whose own level the expected values were
    fitted to (a model of one period): their one-dimension slices are not candidates.
    """
    dims = list(dimensions)
    missing = [c for c in [*dims, *columns.names()] if c not in frame.columns]
    if missing:
        raise KeyError(f"columns not in the frame: {missing}")
    if not dims:
        raise ValueError("no dimensions given")
    codes, uniques = [], []
    for dim in dims:
        code, unique = pd.factorize(frame[dim], use_na_sentinel=False)
        codes.append(code.astype(np.int64))
        uniques.append(unique)
    values = leaf_values(frame, codes, columns, options.baseline_periods)
    v, e = values.actual, values.expected
    if not (np.isfinite(v).all() and np.isfinite(e).all()):
        raise ValueError("actual and expected values must be finite")
    total_v, total_e = float(v.sum()), float(e.sum())
    active = (v != 0) | (e != 0)
    if columns.actual_denominator is not None:
        active |= frame[columns.actual_denominator].to_numpy(dtype=float) > 0
    if not active.any() or (v[active] == e[active]).all():
        return LocalizationResult(total_v, total_e, total_v - total_e, ())
    rows = np.flatnonzero(active)
    direction = options.direction
    if direction == "total":
        direction = "up" if total_v >= total_e else "down"
    codes_active = [code[rows] for code in codes]
    sizes = [len(unique) for unique in uniques]
    max_size = min(options.max_combination_size or default_depth(len(dims)), len(dims))
    penalties = layer_penalties(sizes, len(rows), max_size, options.penalty_scale)
    excluded = aliased_values(codes_active, sizes) if options.merge_aliases else None
    active_values = values.subset(rows)
    # The noise is fitted on all leaves, then again without the root causes found
    # (`leaf_noise.leaf_variance`), until the causes or the fitted noise stop changing.
    normal = None
    leaves, family, mixture = _leaf_statistics(active_values, codes_active, sizes, normal)
    # The rounds change the leaves' variances, not their values: the slices are numbered
    # once (`SliceGroups`) and only the variance-dependent sums are redone.
    groups = SliceGroups(leaves, max_size)
    for noise_round in range(NOISE_ROUNDS):
        table = build_slice_table(leaves, penalties, direction, excluded, fitted_values, groups)
        causes = select_root_causes(
            table, penalties, direction, options.max_root_causes, family, options.refine,
            options.effect_spread,
        )  # fmt: skip
        if noise_round == NOISE_ROUNDS - 1:
            break
        refit_on = np.ones(len(rows), dtype=bool)
        for cause in causes:
            refit_on[slice_rows(codes_active, cause)] = False
        if (normal is not None and np.array_equal(refit_on, normal)) or not refit_on.any():
            break
        refit = _leaf_statistics(active_values, codes_active, sizes, refit_on)
        if refit[1] == family and _close(refit[2], mixture):
            break
        normal = refit_on
        leaves, family, mixture = refit
    chosen = judge_root_causes(table, causes, penalties, direction, family, options.effect_spread)
    alternatives = _ranked_slices(table, penalties, direction, family, 10 * options.top_k + 10)
    leaf_statistic = leaves.statistic
    context = _Context(
        codes, uniques, dims, v, e, active, total_v, total_e, float(leaf_statistic.sum())
    )
    selected: list[Culprit] = []
    selected_keys: list[SliceKey] = []
    for cause in chosen:
        key = _with_aliases(cause.key, codes, active) if options.merge_aliases else cause.key
        is_root = cause.confidence >= options.min_confidence
        selected.append(
            _culprit(key, context, cause.statistic, cause.evidence, is_root, cause.confidence)
        )
        selected_keys.append(cause.key)
    rest = [
        _culprit(key, context, statistic, evidence, False)
        for key, statistic, evidence in alternatives
        if not any(nested(key, chosen_key) for chosen_key in selected_keys)
    ]
    ranked = [c for c in selected if c.is_root_cause] + sorted(
        [c for c in selected if not c.is_root_cause] + rest, key=lambda c: -c.score
    )
    n_roots = sum(c.is_root_cause for c in selected)
    return LocalizationResult(
        total_v, total_e, total_v - total_e, tuple(ranked[: max(options.top_k, n_roots)])
    )


def default_depth(dimensions: int) -> int:
    """How many dimensions a slice combines when the options do not say."""
    depth, cuboids = 0, 0
    while depth < DEFAULT_MAX_COMBINATION:
        cuboids += math.comb(dimensions, depth + 1)
        if cuboids > MAX_CUBOIDS and depth >= 3:
            break
        depth += 1
    return depth


def _close(a: VarianceMixture, b: VarianceMixture, tolerance: float = 0.1) -> bool:
    """Whether two fitted noise models differ by less than `tolerance` in each part."""
    return all(
        abs(x - y) <= tolerance * max(abs(x), abs(y)) or max(abs(x), abs(y)) == 0
        for x, y in ((a.level, b.level), (a.quadratic, b.quadratic))
    )


def _leaf_statistics(
    values: LeafValues, codes: list[np.ndarray], sizes: list[int], fit_on: np.ndarray | None
) -> tuple[LeafStatistics, str, VarianceMixture]:
    """The per-leaf terms of the slice sums under the noise fitted on `fit_on`, and the
    likelihood family. Counts, and non-negative values whose variance has a counting part,
    are scored by the quasi-Poisson deviance; values with negative entries or purely
    multiplicative noise by the normal likelihood."""
    v, e = values.actual, values.expected
    variance, mixture = leaf_variance(values, fit_on)
    non_negative = bool((v >= 0).all() and (e >= 0).all())
    family = "poisson" if values.counts or (non_negative and mixture.level > 0) else "gaussian"
    if values.counts:
        # A count is scored as no more certain than a Poisson one: a binomial proportion
        # near one (a success rate) has a tiny variance, and one failed request among two
        # would otherwise count as many events. An additive count's floor is its counting
        # variance (in both periods against a baseline).
        variance = np.maximum(variance, e if values.volume is not None else values.base)
    leaves = LeafStatistics(
        codes=codes,
        sizes=sizes,
        actual=v,
        expected=e,
        variance=variance,
        statistic=ripple_statistic(v, e, variance, "both", family),
    )
    return leaves, family, mixture


def _ranked_slices(
    table: SliceTable,
    penalties: Sequence[float],
    direction: str,
    family: str,
    count: int,
) -> list[tuple[SliceKey, float, float]]:
    """The `count` slices with the most evidence before any is chosen."""
    found: list[tuple[float, int, SliceKey, float]] = []
    for cuboid in table.cuboids:
        sums = cuboid.sums
        statistic = ripple_statistic(
            sums["actual"], sums["expected"], sums["variance"], direction, family
        )
        evidence = statistic - penalties[len(cuboid.dims) - 1]
        candidates = np.flatnonzero(statistic > 0)
        if candidates.size > count:
            candidates = candidates[np.argsort(-evidence[candidates])[:count]]
        for position in candidates:
            found.append(
                (float(evidence[position]), len(cuboid.dims), slice_key(cuboid, int(position)),
                 float(statistic[position]))
            )  # fmt: skip
    found.sort(key=lambda item: (-item[0], item[1]))
    return [(key, statistic, evidence) for evidence, _, key, statistic in found[:count]]


@dataclass(frozen=True)
class _Context:
    """What a culprit's scores are computed from: every leaf, active or not."""

    codes: list[np.ndarray]
    uniques: list[np.ndarray]
    dims: list[str]
    v: np.ndarray
    e: np.ndarray
    active: np.ndarray
    total_v: float
    total_e: float
    total_chi_square: float


def _mask(codes: list[np.ndarray], key: SliceKey) -> np.ndarray:
    mask = np.ones(len(codes[0]), dtype=bool)
    for dim, value in key:
        mask &= codes[dim] == value
    return mask


def _with_aliases(key: SliceKey, codes: list[np.ndarray], active: np.ndarray) -> SliceKey:
    """The slice with every (dimension, value) added that holds on exactly its active leaves."""
    inside = _mask(codes, key) & active
    if not inside.any():
        return key
    used = {dim for dim, _ in key}
    extra = []
    for dim, code in enumerate(codes):
        if dim in used:
            continue
        values = np.unique(code[inside])
        if len(values) == 1 and np.array_equal((code == values[0]) & active, inside):
            extra.append((dim, int(values[0])))
    return tuple(sorted([*key, *extra]))


def _culprit(
    key: SliceKey,
    context: _Context,
    statistic: float,
    evidence: float,
    is_root: bool,
    confidence: float = math.nan,
) -> Culprit:
    """A slice's scores against the original expected values."""
    mask = _mask(context.codes, key)
    sum_v, sum_e = float(context.v[mask].sum()), float(context.e[mask].sum())
    total_v, total_e = context.total_v, context.total_e
    deviation = sum_v - sum_e
    total_dev = total_v - total_e
    slice_surprise = surprise(
        np.array([sum_e / total_e if total_e else 0.0]),
        np.array([sum_v / total_v if total_v else 0.0]),
    )[0]
    share = statistic / context.total_chi_square if context.total_chi_square > 0 else 0.0
    return Culprit(
        slice={context.dims[dim]: _plain(context.uniques[dim][value]) for dim, value in key},
        actual=sum_v,
        expected=sum_e,
        deviation=deviation,
        explanatory_power=deviation / total_dev if total_dev else math.nan,
        surprise=float(slice_surprise),
        share_explained=float(share),
        score=float(evidence),
        is_root_cause=is_root,
        confidence=float(confidence),
    )


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value
