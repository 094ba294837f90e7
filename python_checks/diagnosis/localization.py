"""Multi-dimensional root-cause localization: which slices explain a metric's deviation?

Input: a leaf table, one row per combination of dimension values, with an actual and an
expected value (or a comparison and a baseline period), and for ratio metrics their
denominators. Output: ranked culprit slices such as {region: BR, app_version: 31.2}.

The method (see docs/python_checks.md for the reasoning and references):

1. Leaf deviation. For an additive metric the expected value of a leaf is `expected`. For a
   ratio metric (failures / sessions, completed / views) the expected numerator is the
   leaf's expected rate times its actual denominator, so a leaf deviates only when its rate
   moves, weighted by its volume: a tiny slice with a wild rate cannot dominate.
2. Candidate search (Apriori-style pruning, as in HotSpot and RiskLoc): 1-dimension slices
   whose deviation is a significant share of the total; k-dimension slices only when all of
   their (k-1)-dimension sub-slices were significant.
3. Scoring by how well a slice explains the leaves (Squeeze's ripple-effect idea): inside a
   culprit every leaf moves by the same factor, outside nothing moves. The slice's
   `share_explained` is the drop in total absolute leaf deviation when its leaves are
   predicted as expected * (actual_S / expected_S), as a share of the total absolute
   deviation. A too-coarse parent mispredicts its unaffected leaves and a too-fine child
   leaves part of the deviation unexplained, so the true slice scores highest; a small
   relative penalty per extra dimension breaks ties in favour of the parent.
4. Greedy set: take the best slice, treat its leaves as explained (rescale their expected
   values), search again; stop when nothing significant remains or the gain is small.

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
from python_checks.diagnosis.leaf_noise import (
    calibrated,
    expected_numerator,
    leaf_loss,
    power_variance,
)
from python_checks.diagnosis.slice_search import SliceKey, significant_slices


@dataclass(frozen=True)
class LocalizationOptions:
    """How hard localization looks and when it stops; the defaults are the documented choice
    (docs/python_checks.md).

    max_combination_size: slices combine at most this many dimensions.
    top_k: culprits returned (root causes first, then alternatives).
    min_share: a slice is expanded/considered only if |its deviation| is at least this share
      of the largest per-dimension sum of absolute slice deviations.
    min_gain: a further root cause must explain at least this share of what the first did.
    max_root_causes: at most this many root causes.
    complexity_penalty: the score of a slice of k dimensions is its share explained times
      1 - complexity_penalty * (k - 1), so a parent wins a tie with its child.
    min_z: a further root cause's deviation must be at least this many noise standard
      deviations (binomial for ratios, a fitted power-of-expected model otherwise, both
      scaled by a robust overdispersion factor). The first is always reported.
    merge_aliases: when other dimension values cover exactly the same active leaves as a
      selected root cause (surface = for_you and model_version = rec_v8 on a rollout day),
      the data cannot tell them apart, so the root cause names all of them.
    loss: "squared" (deviations weighed by their noise variance) or "absolute".
    min_rest_change: a selected slice gives way to its parent (one dimension fewer) when the
      rest of the parent moved too: at least min_z noise deviations, in the same direction,
      by at least this share of the slice's own log change.
    min_log_change: a further root cause must also change by at least this much,
      |log(actual / expected)| over the slice (for a ratio: of its rate).
    direction: "both", or "up" to consider only slices whose actual exceeds expected (a
      failure count, where an incident adds failures and a slice that fails less than its
      estimated normal is an estimation error, not a cause).
    """

    max_combination_size: int = 3
    top_k: int = 5
    min_share: float = 0.05
    min_gain: float = 0.1
    max_root_causes: int = 5
    complexity_penalty: float = 0.02
    min_z: float = 5.0
    merge_aliases: bool = True
    loss: Literal["squared", "absolute"] = "squared"
    min_rest_change: float = 0.5
    min_log_change: float = 0.0
    direction: Literal["both", "up"] = "both"

    def __post_init__(self) -> None:
        if self.max_combination_size < 1:
            raise ValueError("max_combination_size must be at least 1")
        if self.direction not in ("both", "up"):
            raise ValueError(f"direction must be 'both' or 'up', got {self.direction!r}")
        if self.loss not in ("squared", "absolute"):
            raise ValueError(f"loss must be 'absolute' or 'squared', got {self.loss!r}")


@dataclass(frozen=True)
class Culprit:
    """One candidate slice and its scores."""

    slice: dict[str, object]
    actual: float
    expected: float
    deviation: float  # actual - expected (for ratio metrics: excess numerator at actual volume)
    explanatory_power: float  # deviation / total deviation (Adtributor)
    surprise: float  # the slice's Jensen-Shannon term, expected vs actual share (Adtributor)
    share_explained: float  # drop in absolute leaf deviation under the ripple model / total
    score: float  # share_explained * (1 - complexity_penalty * (dimensions - 1)): the ranking
    is_root_cause: bool  # part of the selected explaining set


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
) -> LocalizationResult:
    """Rank the slices (combinations of 1..max_combination_size dimension values) that
    explain the deviation of the actual from the expected values over the leaves of `frame`.

    With denominators the metric is the ratio numerator / denominator and deviations are
    measured on the rate, weighted by volume.
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
    v, e, variance = expected_numerator(frame, codes, columns)
    if not (np.isfinite(v).all() and np.isfinite(e).all()):
        raise ValueError("actual and expected values must be finite")
    active = (v != 0) | (e != 0)
    if columns.actual_denominator is not None:
        active |= frame[columns.actual_denominator].to_numpy(dtype=float) > 0
    if variance is None:
        variance = power_variance(v, e)
    variance = calibrated(v, e, variance)
    leaves = _Leaves(codes, uniques, dims, v, e, variance, active)
    selected, selected_keys, alternatives = _select_root_causes(leaves, options)

    def related(key: SliceKey) -> bool:
        items = set(key)
        return any(items <= set(chosen) or set(chosen) <= items for chosen in selected_keys)

    rest = sorted((c for k, c in alternatives.items() if not related(k)), key=lambda c: -c.score)
    ranked = (selected + rest)[: max(options.top_k, len(selected))]
    total_v, total_e = leaves.totals
    return LocalizationResult(total_v, total_e, total_v - total_e, tuple(ranked))


@dataclass(frozen=True)
class _Leaves:
    """A leaf table on compact codes: values per dimension, actual and expected numerators,
    their noise variance, and which leaves had any activity."""

    codes: list[np.ndarray]
    uniques: list[np.ndarray]
    dims: list[str]
    v: np.ndarray
    e: np.ndarray
    variance: np.ndarray
    active: np.ndarray

    @property
    def totals(self) -> tuple[float, float]:
        return float(self.v.sum()), float(self.e.sum())


def _select_root_causes(
    leaves: _Leaves, options: LocalizationOptions
) -> tuple[list[Culprit], list[SliceKey], dict[SliceKey, Culprit]]:
    """Greedy rounds: take the best slice, treat its leaves as explained (rescale their
    expected values), search again; stop when nothing significant remains or the gain is
    small. Returns the root causes, their keys, and the first round's other candidates."""
    codes, v, e, variance = leaves.codes, leaves.v, leaves.e, leaves.variance
    initial_loss = float(leaf_loss(v - e, variance, options.loss).sum())
    selected: list[Culprit] = []
    selected_keys: list[SliceKey] = []
    alternatives: dict[SliceKey, Culprit] = {}
    reference = None
    e_work = e.copy()
    for round_number in range(options.max_root_causes):
        candidates, reference = significant_slices(
            codes, v, e_work, variance, options.max_combination_size, options.min_share,
            reference, options.loss,
        )  # fmt: skip
        if not candidates:
            break
        scored = []
        for key, (sum_v, sum_e, reduction, z) in candidates.items():
            if options.direction == "up" and sum_v <= sum_e:
                continue
            if round_number > 0 and z < options.min_z:
                continue  # a further root cause must stand out of the noise
            if round_number > 0 and abs(_log_change(sum_v, sum_e)) < options.min_log_change:
                continue  # ... and move by more than the normal spread between slices
            share = reduction / initial_loss if initial_loss > 0 else 0.0
            penalty = 1.0 - options.complexity_penalty * (len(key) - 1)
            scored.append((share * penalty, share, key, sum_v, sum_e))
        if not scored:
            break
        scored.sort(key=lambda item: (-item[0], len(item[2])))
        _, best_share, best_key, *_ = scored[0]
        if round_number == 0:  # alternatives are scored against the original expected values
            for score, share, key, sum_v, sum_e in scored[: 10 * options.top_k + 1]:
                alternatives[key] = _culprit(key, leaves, sum_v, sum_e, score, share, False)
        if best_share <= 0 or (
            selected and best_share < options.min_gain * selected[0].share_explained
        ):
            break
        best_key = _generalised(
            best_key, codes, v, e_work, variance, options.min_z, options.min_rest_change
        )
        if options.merge_aliases:
            best_key = _with_aliases(best_key, codes, leaves.active)
        mask = _mask(codes, best_key)
        best_v, best_e = float(v[mask].sum()), float(e[mask].sum())
        selected.append(_culprit(best_key, leaves, best_v, best_e, scored[0][0], best_share, True))
        selected_keys.append(best_key)
        alternatives.pop(best_key, None)
        work_v, work_e = v[mask].sum(), e_work[mask].sum()
        e_work[mask] = e_work[mask] * (work_v / work_e) if work_e != 0 else v[mask]
    return selected, selected_keys, alternatives


def _mask(codes: list[np.ndarray], key: SliceKey) -> np.ndarray:
    mask = np.ones(len(codes[0]), dtype=bool)
    for dim, value in key:
        mask &= codes[dim] == value
    return mask


def _generalised(
    key: SliceKey,
    codes: list[np.ndarray],
    v: np.ndarray,
    e: np.ndarray,
    variance: np.ndarray,
    min_z: float,
    min_rest_change: float,
) -> SliceKey:
    """Climb from a slice to a parent while the rest of the parent moved the same way.

    The ripple score assumes one factor per culprit; when an effect's size varies inside
    the true culprit (a traffic spike lifts sports most where few viewers liked sports), its
    most-moved child can score higher. A child is the answer only if its siblings stayed put.
    """
    while len(key) > 1:
        inside = _mask(codes, key)
        change = _log_change(v[inside].sum(), e[inside].sum())
        best, best_z = None, min_z
        for drop in range(len(key)):
            parent = key[:drop] + key[drop + 1 :]
            rest = _mask(codes, parent) & ~inside
            rest_v, rest_e = v[rest].sum(), e[rest].sum()
            noise = math.sqrt(variance[rest].sum())
            z = abs(rest_v - rest_e) / noise if noise > 0 else 0.0
            rest_change = _log_change(rest_v, rest_e)
            same_way = change != 0 and rest_change / change >= min_rest_change
            if same_way and z >= best_z:
                best, best_z = parent, z
        if best is None:
            return key
        key = best
    return key


def _log_change(actual: float, expected: float) -> float:
    """log(actual / expected), with a floor so that a drop to zero is finite."""
    if expected <= 0:
        return 0.0
    return math.log(max(actual, 0.5) / expected) if actual > 0 or expected > 0.5 else 0.0


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
    leaves: _Leaves,
    sum_v: float,
    sum_e: float,
    score: float,
    share: float,
    is_root: bool,
) -> Culprit:
    """A slice's scores against the original expected values."""
    total_v, total_e = leaves.totals
    deviation = sum_v - sum_e
    total_dev = total_v - total_e
    slice_surprise = surprise(
        np.array([sum_e / total_e if total_e else 0.0]),
        np.array([sum_v / total_v if total_v else 0.0]),
    )[0]
    return Culprit(
        slice={leaves.dims[dim]: _plain(leaves.uniques[dim][value]) for dim, value in key},
        actual=sum_v,
        expected=sum_e,
        deviation=deviation,
        explanatory_power=deviation / total_dev if total_dev else math.nan,
        surprise=float(slice_surprise),
        share_explained=float(share),
        score=float(score),
        is_root_cause=is_root,
    )


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value
