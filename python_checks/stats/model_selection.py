"""Choosing among explanations of the same data by penalised likelihood.

A model that names one of `M` candidate parts of the data and fits one parameter to it pays,
in the two-part minimum description length code (Rissanen 1978; Hansen and Yu 2001), `log M`
nats to say which part and `log(n) / 2` nats for the parameter: the BIC term (Schwarz
1978). On the scale of a likelihood-ratio statistic (`-2 log L`) the penalty is
`log n + 2 log M`; `2 log M` alone is the risk inflation criterion of Foster and George
(1994) for choosing among M candidate regressors. A model is worth adding when its
likelihood-ratio statistic exceeds its penalty, and competing models' posterior probabilities
follow from the same numbers (the BIC approximation of Bayes factors, Kass and Raftery 1995).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special


def description_penalty(choices: float, observations: float, parameters: int = 1) -> float:
    """`-2 log` of the code length of a model named among `choices` with `parameters` fitted
    from `observations`: `2 log(choices) + parameters * log(observations)`."""
    if choices < 1 or observations < 1:
        raise ValueError(
            f"choices and observations must be at least 1, got {choices}, {observations}"
        )
    return 2.0 * math.log(choices) + parameters * math.log(observations)


def implied_level(penalty: float, degrees_of_freedom: int = 1) -> float:
    """The significance level at which a likelihood-ratio test with this threshold rejects:
    `P(chi2_df > penalty)` (scipy.stats.chi2.sf's own function, without importing
    scipy.stats, a second the commands that only localize would spend)."""
    return float(special.chdtrc(degrees_of_freedom, penalty))


def posterior_probabilities(evidence: np.ndarray) -> np.ndarray:
    """Posterior probabilities of competing models against a null with evidence 0.

    evidence_j = likelihood-ratio statistic_j - penalty_j of model j (the difference of BIC
    values against the null); P(j) = exp(evidence_j / 2) / (1 + sum_k exp(evidence_k / 2)),
    computed in log space so that large statistics do not overflow.
    """
    half = np.asarray(evidence, dtype=float) / 2.0
    top = max(0.0, float(half.max(initial=0.0)))
    weights = np.exp(half - top)
    return weights / (math.exp(-top) + weights.sum())
