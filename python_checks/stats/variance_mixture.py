"""A two-component variance function fitted to residuals: `a * base + c * mean^2`.

`base` is the variance a quantity would have from counting alone (Poisson `mean`, binomial
`n p (1 - p)`), `mean^2` the part that grows with the square of the mean: multiplicative noise,
such as a forecast that is off by a few percent, or a rate that varies from leaf to leaf. This is
the variance function of the negative binomial (type 2) and of quasi-likelihood models with
overdispersion (McCullagh and Nelder 1989, ch. 9; Cameron and Trivedi 1986).

The fit matches moments: the squared residuals are regressed on `base` and `mean^2` with
non-negative coefficients, weighted by the inverse squared variance (a gamma-family fit of
`r^2`, iteratively reweighted). A mean, unlike a median, is right for sparse events too (a sum
of rare events is mostly zero and occasionally large); residuals beyond `outlier_z` standard
deviations of the current fit are left out of the next iteration, so that the anomalies do not
inflate it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_checks.stats.robust import CHI2_1_MEDIAN

# At most this many residuals enter the fit (evenly spaced), for speed on large inputs.
_MAX_FIT = 50_000
# Ratios c / a the robust fit tries, relative to the ratio at which both parts are equal at
# the median entry; 0 and infinity are each part alone.
_SHAPES = np.concatenate([[0.0], np.logspace(-4, 4, 33), [np.inf]])


@dataclass(frozen=True)
class VarianceMixture:
    """variance = level * base + quadratic * mean^2."""

    level: float
    quadratic: float
    fitted_on: int  # residuals the last iteration used (0: not fitted, the defaults)

    def variance(self, base: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return self.level * np.asarray(base, dtype=float) + self.quadratic * np.square(mean)


def fit_variance_mixture(
    residual: np.ndarray,
    base: np.ndarray,
    mean: np.ndarray,
    usable: np.ndarray | None = None,
    min_residuals: int = 10,
    outlier_z: float = np.inf,
    iterations: int = 4,
) -> VarianceMixture | None:
    """Fit `a * base + c * mean^2` (a, c >= 0) to the squared residuals by iteratively
    reweighted least squares, leaving out residuals beyond `outlier_z` standard deviations
    of the previous fit. Entries with neither a base nor a mean, or that `usable` marks
    False, are left out. None when fewer than `min_residuals` remain."""
    residual = np.asarray(residual, dtype=float)
    base = np.asarray(base, dtype=float)
    square = np.square(np.asarray(mean, dtype=float))
    keep = ((base > 0) | (square > 0)) & np.isfinite(residual)
    if usable is not None:
        keep &= usable
    index = np.flatnonzero(keep)
    if index.size < min_residuals:
        return None
    if index.size > _MAX_FIT:
        index = index[np.linspace(0, index.size - 1, _MAX_FIT).astype(np.int64)]
    r2, b, m2 = np.square(residual[index]), base[index], square[index]
    # Start from each part alone, scaled to the mean squared residual.
    level = r2.sum() / b.sum() if b.sum() > 0 else 0.0
    quadratic = 0.0 if level > 0 else r2.sum() / m2.sum()
    inlier = np.ones(len(r2), dtype=bool)
    for _ in range(iterations):
        variance = level * b + quadratic * m2
        scale = np.where(variance > 0, variance, np.inf)
        inlier = r2 <= outlier_z**2 * scale
        if inlier.sum() < min_residuals:
            inlier = np.ones(len(r2), dtype=bool)
        weight = 1.0 / scale[inlier]
        level, quadratic = _two_column_nnls(
            b[inlier] * weight, m2[inlier] * weight, r2[inlier] * weight
        )
        if level <= 0 and quadratic <= 0:
            return None
    return VarianceMixture(float(level), float(quadratic), int(inlier.sum()))


def fit_variance_mixture_robustly(
    residual: np.ndarray,
    base: np.ndarray,
    mean: np.ndarray,
    usable: np.ndarray | None = None,
    min_residuals: int = 10,
) -> VarianceMixture | None:
    """Fit `a * base + c * mean^2` by median regression of `log r^2`: the shape c / a on a
    grid, the level in closed form (the median), minimising the mean absolute deviation.
    Residuals equal to zero are left out. None when fewer than `min_residuals` remain."""
    residual = np.asarray(residual, dtype=float)
    base = np.asarray(base, dtype=float)
    square = np.square(np.asarray(mean, dtype=float))
    keep = (residual != 0) & ((base > 0) | (square > 0)) & np.isfinite(residual)
    if usable is not None:
        keep &= usable
    index = np.flatnonzero(keep)
    if index.size < min_residuals:
        return None
    if index.size > _MAX_FIT:
        index = index[np.linspace(0, index.size - 1, _MAX_FIT).astype(np.int64)]
    log_r2 = np.log(np.square(residual[index]))
    b, m2 = base[index], square[index]
    positive_b, positive_m = b[b > 0], m2[m2 > 0]
    unit = (
        float(np.median(positive_b) / np.median(positive_m))
        if positive_b.size and positive_m.size
        else 1.0
    )
    best: tuple[float, float, float] | None = None  # (loss, shape, log level)
    for shape in _SHAPES:
        mix = m2 if np.isinf(shape) else b + shape * unit * m2
        ok = mix > 0
        if ok.sum() < min_residuals:
            continue
        deviation = log_r2[ok] - np.log(mix[ok])
        centre = float(np.median(deviation))
        loss = float(np.mean(np.abs(deviation - centre)))
        if best is None or loss < best[0] - 1e-12:
            best = (loss, float(shape), centre)
    if best is None:
        return None
    _, shape, centre = best
    scale = float(np.exp(centre) / CHI2_1_MEDIAN)
    if np.isinf(shape):
        return VarianceMixture(0.0, scale, int(index.size))
    return VarianceMixture(scale, scale * shape * unit, int(index.size))


def _two_column_nnls(x: np.ndarray, y: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Non-negative least squares of `target` on two columns: the unconstrained solution
    when both coefficients are non-negative, else the better of the two one-column fits
    (checked against scipy.optimize.nnls in the tests)."""
    # Element-wise sums, not BLAS dot products: the threads BLAS starts cost more than
    # they save on two columns.
    xx, yy, xy = float((x * x).sum()), float((y * y).sum()), float((x * y).sum())
    xt, yt = float((x * target).sum()), float((y * target).sum())
    determinant = xx * yy - xy * xy
    if determinant > 1e-12 * max(xx * yy, 1e-300):
        a = (xt * yy - yt * xy) / determinant
        c = (yt * xx - xt * xy) / determinant
        if a >= 0 and c >= 0:
            return a, c
    only_x = max(xt / xx, 0.0) if xx > 0 else 0.0
    only_y = max(yt / yy, 0.0) if yy > 0 else 0.0
    residual_x = float(np.square(target - only_x * x).sum())
    residual_y = float(np.square(target - only_y * y).sum())
    return (only_x, 0.0) if residual_x <= residual_y else (0.0, only_y)
