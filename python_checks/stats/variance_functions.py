"""Quasi-likelihood variance functions: how a quantity's variance grows with its mean
(McCullagh and Nelder, Generalized Linear Models, 2nd ed., ch. 9)."""

from enum import StrEnum

import numpy as np


class VarianceKind(StrEnum):
    """How a series' variance grows with its mean (the quasi-likelihood variance function)."""

    POISSON = "poisson"
    BINOMIAL = "binomial"
    CONSTANT = "constant"


def variance_function(mean: np.ndarray, kind: VarianceKind) -> np.ndarray:
    """V(mean) of the quasi-likelihood family."""
    if kind is VarianceKind.POISSON:
        return np.abs(mean)
    if kind is VarianceKind.BINOMIAL:
        return mean * (1 - mean)
    return np.ones_like(mean)
