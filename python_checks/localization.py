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
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd


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


@dataclass(frozen=True)
class _Level:
    """Significant slices of one dimension combination, on compact codes."""

    dims: tuple[int, ...]
    significant: np.ndarray  # bool over the compact key space of `dims`


def _expected_numerator(
    frame: pd.DataFrame,
    codes: list[np.ndarray],
    actual: str,
    expected: str,
    actual_denominator: str | None,
    expected_denominator: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Actual and expected numerators per leaf, and a binomial noise variance for ratios."""
    v = frame[actual].to_numpy(dtype=float)
    f = frame[expected].to_numpy(dtype=float)
    if actual_denominator is None:
        if expected_denominator is not None:
            raise ValueError("expected_denominator given without actual_denominator")
        return v, f, None
    n1 = frame[actual_denominator].to_numpy(dtype=float)
    n0 = n1 if expected_denominator is None else frame[expected_denominator].to_numpy(float)
    if (n0 < 0).any() or (n1 < 0).any():
        raise ValueError("denominators must be non-negative")
    if expected_denominator is None:  # expected is already at the actual volume
        overall_rate = f.sum() / n1.sum() if n1.sum() > 0 else 0.0
        smooth = np.clip((f + overall_rate) / (n1 + 1), 0.0, 1.0)
        return v, f, n1 * smooth * (1 - smooth)
    if n0.sum() <= 0:
        raise ValueError("the expected denominator sums to zero: no expected rate")
    overall_rate = f.sum() / n0.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n0 > 0, f / n0, overall_rate)
    unseen = n0 <= 0
    history = n0.copy()  # the baseline volume each leaf's expected rate rests on
    if unseen.any():
        rate[unseen], history[unseen] = _unseen_leaf_rates(codes, f, n0, unseen, overall_rate)
    # Noise of v - rate * n1: binomial in both periods, the rate smoothed towards the overall
    # one so that a leaf with no expected failures still has some variance.
    smooth = np.clip((rate * history + overall_rate) / (history + 1), 0.0, 1.0)
    variance = n1 * smooth * (1 - smooth) * (1 + n1 / (history + 1))
    return v, rate * n1, variance


def _unseen_leaf_rates(
    codes: list[np.ndarray],
    f: np.ndarray,
    n0: np.ndarray,
    unseen: np.ndarray,
    overall_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected rates of the leaves with no baseline volume, and the volume each rests on.

    A leaf is unseen either because one of its values is brand new (a model version rolled
    out today) or because an old combination had no traffic. For the first kind the best
    guess is the rate of the same traffic with the new values left out: the leaf's ancestor
    over the dimensions whose values had baseline volume (for_you x rec_v8 x BR takes the
    baseline rate of for_you x BR). The other kind, or an ancestor with no volume either,
    takes the overall rate.
    """
    is_new = []
    for code in codes:
        volume = np.bincount(code, weights=n0, minlength=int(code.max()) + 1)
        is_new.append(volume[code] <= 0)
    new_pattern = np.stack(is_new, axis=1) if codes else np.zeros((len(f), 0), dtype=bool)
    rates = np.full(int(unseen.sum()), overall_rate)
    volumes = np.full(int(unseen.sum()), float(n0.sum()))
    unseen_rows = np.flatnonzero(unseen)
    patterns = new_pattern[unseen_rows]
    for pattern in np.unique(patterns, axis=0):
        if not pattern.any() or pattern.all():
            continue
        kept = np.stack([code for code, new in zip(codes, pattern, strict=True) if not new])
        _, ancestor = np.unique(kept, axis=1, return_inverse=True)
        ancestor = ancestor.ravel()
        f_sum = np.bincount(ancestor, weights=f)
        n_sum = np.bincount(ancestor, weights=n0)
        members = np.flatnonzero((patterns == pattern).all(axis=1))
        found = ancestor[unseen_rows[members]]
        seen = n_sum[found] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            rates[members] = np.where(seen, f_sum[found] / n_sum[found], overall_rate)
        volumes[members] = np.where(seen, n_sum[found], n0.sum())
    return rates, volumes


def _power_variance(v: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Leaf noise variance for an additive metric: sigma^2 = c * |e|^p, fitted on
    log((v - e)^2) against log|e| (the constant absorbs E[log chi2_1] = -1.27)."""
    residual2 = (v - e) ** 2
    usable = (np.abs(e) > 0) & (residual2 > 0)
    if usable.sum() < 10:
        return np.full(len(v), residual2.mean() if len(v) else 0.0)
    x, y = np.log(np.abs(e[usable])), np.log(residual2[usable])
    slope = float(np.clip(np.polyfit(x, y, 1)[0], 0.0, 2.0)) if np.ptp(x) > 0 else 0.0
    level = float(np.exp(np.mean(y - slope * x) + 1.27))
    return level * np.maximum(np.abs(e), np.median(np.abs(e[usable]))) ** slope


def _calibrated(v: np.ndarray, e: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Scale the variance by a robust overdispersion factor (never below 1)."""
    positive = variance > 0
    if not positive.any():
        return variance
    ratio = (v - e)[positive] ** 2 / variance[positive]
    return variance * max(1.0, float(np.median(ratio)) / 0.4549)  # median of chi2_1


def localize(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    actual: str,
    expected: str,
    actual_denominator: str | None = None,
    expected_denominator: str | None = None,
    max_combination_size: int = 3,
    top_k: int = 5,
    min_share: float = 0.05,
    min_gain: float = 0.1,
    max_root_causes: int = 5,
    complexity_penalty: float = 0.02,
    min_z: float = 5.0,
    merge_aliases: bool = True,
    loss: str = "squared",
    min_rest_change: float = 0.5,
    min_log_change: float = 0.0,
    direction: str = "both",
) -> LocalizationResult:
    """Rank the slices (combinations of 1..max_combination_size dimension values) that
    explain the deviation of `actual` from `expected` over the leaves of `frame`.

    With denominators the metric is the ratio numerator / denominator and deviations are
    measured on the rate, weighted by volume. If only `actual_denominator` is given,
    `expected` is taken to be already at the actual volume.
    min_share: a slice is expanded/considered only if |its deviation| is at least this share of
      the largest per-dimension sum of absolute slice deviations.
    min_gain: a further root cause must explain at least this share of what the first did.
    min_z: a further root cause's deviation must be at least this many noise standard
      deviations (binomial for ratios, a fitted power-of-expected model otherwise, both
      scaled by a robust overdispersion factor). The first is always reported.
    min_log_change: a further root cause must also change by at least this much,
      |log(actual / expected)| over the slice (for a ratio: of its rate).
    min_rest_change: a selected slice gives way to its parent (one dimension fewer) when the
      rest of the parent moved too: at least min_z noise deviations, in the same direction,
      by at least this share of the slice's own log change.
    direction: "both", or "up" to consider only slices whose actual exceeds expected (a
      failure count, where an incident adds failures and a slice that fails less than its
      estimated normal is an estimation error, not a cause).
    merge_aliases: when other dimension values cover exactly the same active leaves as a
      selected root cause (surface = for_you and model_version = rec_v8 on a rollout day),
      the data cannot tell them apart, so the root cause names all of them.
    """
    dims = list(dimensions)
    missing = [c for c in [*dims, actual, expected] if c not in frame.columns]
    for column in (actual_denominator, expected_denominator):
        if column is not None and column not in frame.columns:
            missing.append(column)
    if missing:
        raise KeyError(f"columns not in the frame: {missing}")
    if not dims:
        raise ValueError("no dimensions given")
    if max_combination_size < 1:
        raise ValueError("max_combination_size must be at least 1")
    if direction not in ("both", "up"):
        raise ValueError(f"direction must be 'both' or 'up', got {direction!r}")
    codes, uniques = [], []
    for dim in dims:
        code, unique = pd.factorize(frame[dim], use_na_sentinel=False)
        codes.append(code.astype(np.int64))
        uniques.append(unique)
    v, e, variance = _expected_numerator(
        frame, codes, actual, expected, actual_denominator, expected_denominator
    )
    if not (np.isfinite(v).all() and np.isfinite(e).all()):
        raise ValueError("actual and expected values must be finite")
    active = (v != 0) | (e != 0)
    if actual_denominator is not None:
        active |= frame[actual_denominator].to_numpy(dtype=float) > 0
    if variance is None:
        variance = _power_variance(v, e)
    variance = _calibrated(v, e, variance)
    total_v, total_e = float(v.sum()), float(e.sum())
    total_dev = total_v - total_e
    totals = (total_v, total_e)
    initial_abs = float(_leaf_loss(v - e, variance, loss).sum())

    selected: list[Culprit] = []
    selected_keys: list[tuple[tuple[int, int], ...]] = []
    alternatives: dict[tuple[tuple[int, int], ...], Culprit] = {}
    reference = None
    e_work = e.copy()
    for round_number in range(max_root_causes):
        candidates, reference = _search(
            codes, v, e_work, variance, max_combination_size, min_share, reference, loss
        )
        if not candidates:
            break
        scored = []
        for key, (sum_v, sum_e, reduction, z) in candidates.items():
            if direction == "up" and sum_v <= sum_e:
                continue
            if round_number > 0 and z < min_z:
                continue  # a further root cause must stand out of the noise
            if round_number > 0 and abs(_log_change(sum_v, sum_e)) < min_log_change:
                continue  # ... and move by more than the normal spread between slices
            share = reduction / initial_abs if initial_abs > 0 else 0.0
            penalty = 1.0 - complexity_penalty * (len(key) - 1)
            scored.append((share * penalty, share, key, sum_v, sum_e))
        if not scored:
            break
        scored.sort(key=lambda item: (-item[0], len(item[2])))
        _, best_share, best_key, *_ = scored[0]
        if round_number == 0:  # alternatives are scored against the original expected values
            for score, share, key, sum_v, sum_e in scored[: 10 * top_k + 1]:
                alternatives[key] = _culprit(
                    key, uniques, dims, sum_v, sum_e, totals, score, share, False
                )
        if best_share <= 0 or (selected and best_share < min_gain * selected[0].share_explained):
            break
        best_key = _generalised(best_key, codes, v, e_work, variance, min_z, min_rest_change)
        if merge_aliases:
            best_key = _with_aliases(best_key, codes, active)
        mask = _mask(codes, best_key)
        best_v, best_e = float(v[mask].sum()), float(e[mask].sum())
        selected.append(
            _culprit(
                best_key, uniques, dims, best_v, best_e, totals, scored[0][0], best_share, True
            )
        )
        selected_keys.append(best_key)
        alternatives.pop(best_key, None)
        work_v, work_e = v[mask].sum(), e_work[mask].sum()
        e_work[mask] = e_work[mask] * (work_v / work_e) if work_e != 0 else v[mask]

    def related(key: tuple[tuple[int, int], ...]) -> bool:
        items = set(key)
        return any(items <= set(chosen) or set(chosen) <= items for chosen in selected_keys)

    rest = sorted((c for k, c in alternatives.items() if not related(k)), key=lambda c: -c.score)
    ranked = (selected + rest)[: max(top_k, len(selected))]
    return LocalizationResult(total_v, total_e, total_dev, tuple(ranked))


def _mask(codes: list[np.ndarray], key: tuple[tuple[int, int], ...]) -> np.ndarray:
    mask = np.ones(len(codes[0]), dtype=bool)
    for dim, value in key:
        mask &= codes[dim] == value
    return mask


def _generalised(
    key: tuple[tuple[int, int], ...],
    codes: list[np.ndarray],
    v: np.ndarray,
    e: np.ndarray,
    variance: np.ndarray,
    min_z: float,
    min_rest_change: float,
) -> tuple[tuple[int, int], ...]:
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


def _with_aliases(
    key: tuple[tuple[int, int], ...], codes: list[np.ndarray], active: np.ndarray
) -> tuple[tuple[int, int], ...]:
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
    key: tuple[tuple[int, int], ...],
    uniques: list[np.ndarray],
    dims: list[str],
    sum_v: float,
    sum_e: float,
    totals: tuple[float, float],
    score: float,
    share: float,
    is_root: bool,
) -> Culprit:
    """A slice's scores against the original expected values."""
    total_v, total_e = totals
    deviation = sum_v - sum_e
    total_dev = total_v - total_e
    slice_surprise = surprise(
        np.array([sum_e / total_e if total_e else 0.0]),
        np.array([sum_v / total_v if total_v else 0.0]),
    )[0]
    return Culprit(
        slice={dims[dim]: _plain(uniques[dim][value]) for dim, value in key},
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


def _leaf_loss(residual: np.ndarray, variance: np.ndarray, loss: str) -> np.ndarray:
    if loss == "absolute":
        return np.abs(residual)
    if loss == "squared":
        return residual**2 / np.maximum(variance, 1e-12)
    raise ValueError(f"loss must be 'absolute' or 'squared', got {loss!r}")


def _search(
    codes: list[np.ndarray],
    v: np.ndarray,
    e: np.ndarray,
    variance: np.ndarray,
    max_size: int,
    min_share: float,
    reference: float | None,
    loss: str,
) -> tuple[dict[tuple[tuple[int, int], ...], tuple[float, float, float, float]], float]:
    """Significant slices: (sum actual, sum expected, ripple reduction of |deviation|, z)."""
    n_dims = len(codes)
    dev = v - e
    absdev = _leaf_loss(dev, variance, loss)
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
    found: dict[tuple[tuple[int, int], ...], tuple[float, float, float, float]] = {}
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
                key, weights=_leaf_loss(v[rows] - predicted, variance[rows], loss), minlength=space
            )
            before = np.bincount(key, weights=absdev[rows], minlength=space)
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


def localize_csv(
    path: str | Path, dimensions: Sequence[str], **options: object
) -> LocalizationResult:
    """`localize` over a CSV file; dimension columns are read as text. Errors name the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype={dim: str for dim in dimensions}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as CSV ({error})") from error
    value_columns = [
        options.get(name)
        for name in ("actual", "expected", "actual_denominator", "expected_denominator")
    ]
    wanted = [*dimensions, *(c for c in value_columns if c is not None)]
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; the file has {list(frame.columns)}")
    for column in (c for c in value_columns if c is not None):
        values = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax())
            raise ValueError(f"{path}: column {column!r} has a non-numeric value at row {row + 2}")
        frame[column] = values
    return localize(frame, dimensions, **options)  # type: ignore[arg-type]
