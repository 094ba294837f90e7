"""Two-sided randomization: viewers and creators both randomized, the treatment applied
where a treated viewer meets a treated creator's post.

The four viewer-arm x creator-arm cells of a ratio metric (views per impression) separate
the direct effect from interference. Cells differ by chance in which creators (and viewers)
they hold, and creators differ a lot in view rate, so each cell's ratio is taken relative to
the same cell's ratio in the pre-period, before anything was treated (a difference in
differences on the log scale): A_vc = R_vc(during) / R_vc(pre), v, c = 1 for treatment.

- **TSR naive** (the two-sided randomization estimator of Johari, Li, Liskovich and
  Weintraub, "Experimental Design in Two-Sided Platforms: An Analysis of Bias", Management
  Science 2022): A_11 / A_00 - 1, the fully treated cell against the fully control cell.
- **spillovers**: A_10 / A_00 - 1 (treated viewers on control creators' posts) and
  A_01 / A_00 - 1 (control viewers on treated creators' posts); 0 when the treatment acts
  only where both sides are treated.
- **direct effect**: (A_11 A_00) / (A_10 A_01) - 1, the interaction of the 2 x 2 design on
  the log scale: what treating the pair adds beyond each side's spillover. Each factor
  compares viewer arms within one creator arm, so creator composition cancels.
- **global effect**: the exposure model of a multiple randomization design (Bajari,
  Burdick, Imbens, Masoero, McQueen, Richardson and Rosen, "Experimental Design in
  Marketplaces", Statistical Science 2023), on the log scale: log R = mu + tau * (treated
  pair) + beta_v * (share of the viewer's impressions that are treated pairs) + beta_c *
  (same for the creator). Then log A_10/A_00 = beta_v a_v, log A_01/A_00 = beta_c a_c, the
  direct effect is tau, and treating everyone gives tau + beta_v + beta_c:
  exp(log direct + log(A_10/A_00) / a_v + log(A_01/A_00) / a_c) - 1, with a_v the share of
  treated viewers' impressions on treated creators and a_c the share of treated creators'
  impressions from treated viewers.
- **one-sided readouts** the design reveals, as a one-sided test would report them (no
  pre-period adjustment): treated vs control viewers over all creators' posts, and treated vs
  control creators over all viewers; their bias is their difference from the global effect.

Variance: every estimate is exp(sum of weighted log pooled ratios) - 1, a smooth function of
the 16 cell totals (views and impressions per cell, during and pre), linearized by the delta
method. Impressions share viewers *and* creators, so the totals are correlated along both:
the two-way cluster-robust variance of Cameron, Gelbach and Miller ("Robust Inference With
Multiway Clustering", JBES 2011) adds the viewer-clustered and the creator-clustered
variances and subtracts the variance clustered by viewer x creator pair. Each clustering is
stratified by arm (cell for pairs) with the G / (G - 1) small-sample factor; a two-way
variance below either one-way variance is replaced by the larger one (the conservative fix
CGM discuss). Intervals are t with min(viewers, creators) - 1 degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from python_checks.experiments.estimates import Estimate, make_estimate

CELLS = (
    "viewer_control__creator_control",
    "viewer_control__creator_treatment",
    "viewer_treatment__creator_control",
    "viewer_treatment__creator_treatment",
)
C00, C01, C10, C11 = range(4)
DURING, PRE = 0, 1
VECTOR_SIZE = 16  # period x cell x (views, impressions)


def cell_name(viewer_variant: str, creator_variant: str) -> str:
    return f"viewer_{viewer_variant}__creator_{creator_variant}"


def position(period: int, cell: int, quantity: int) -> int:
    """Index in the cell-total vector: quantity 0 = views, 1 = impressions."""
    return 8 * period + 2 * cell + quantity


@dataclass(frozen=True)
class ClusterMoments:
    """One stratum of clusters (the viewers of one arm, the creators of one arm, or the
    viewer x creator pairs of one cell): their count, the sum of their cell-total vectors t
    (see `position`) and the sum of t t'."""

    n_clusters: int
    sums: np.ndarray
    cross_products: np.ndarray

    def variance(self, gradient: np.ndarray) -> float:
        """G / (G - 1) * g' (sum t t' - s s' / G) g: the clustered variance of g' total."""
        g = np.asarray(gradient, dtype=float)
        if self.n_clusters < 2:
            return 0.0
        spread = float(g @ self.cross_products @ g) - float(g @ self.sums) ** 2 / self.n_clusters
        return self.n_clusters / (self.n_clusters - 1) * max(spread, 0.0)


@dataclass(frozen=True)
class TwoSidedInputs:
    """Cluster moments of a two-sided experiment's ratio metric, by clustering."""

    metric: str
    viewer_strata: Sequence[ClusterMoments]
    creator_strata: Sequence[ClusterMoments]
    pair_strata: Sequence[ClusterMoments]

    @property
    def totals(self) -> np.ndarray:
        return np.sum([s.sums for s in self.pair_strata], axis=0)

    @property
    def n_viewers(self) -> int:
        return sum(s.n_clusters for s in self.viewer_strata)

    @property
    def n_creators(self) -> int:
        return sum(s.n_clusters for s in self.creator_strata)


@dataclass(frozen=True)
class TwoSidedReadout:
    metric: str
    cell_values: dict[str, float]
    cell_impressions: dict[str, float]
    viewer_treated_share: float  # a_v
    creator_treated_share: float  # a_c
    estimates: tuple[Estimate, ...]

    def estimate(self, name: str) -> Estimate:
        return next(e for e in self.estimates if e.name == name)


def two_way_variance(inputs: TwoSidedInputs, gradient: np.ndarray) -> float:
    """Viewer-clustered + creator-clustered - pair-clustered variance, floored at the larger
    one-way variance."""
    by_viewer = sum(s.variance(gradient) for s in inputs.viewer_strata)
    by_creator = sum(s.variance(gradient) for s in inputs.creator_strata)
    by_pair = sum(s.variance(gradient) for s in inputs.pair_strata)
    return max(by_viewer + by_creator - by_pair, by_viewer, by_creator)


def log_pooled_ratio(
    totals: np.ndarray, cells: Sequence[int], period: int
) -> tuple[float, np.ndarray]:
    """log(sum of views / sum of impressions) over `cells` in `period`, and its gradient."""
    views = sum(totals[position(period, c, 0)] for c in cells)
    impressions = sum(totals[position(period, c, 1)] for c in cells)
    gradient = np.zeros(VECTOR_SIZE)
    for c in cells:
        gradient[position(period, c, 0)] = 1 / views
        gradient[position(period, c, 1)] = -1 / impressions
    return float(np.log(views / impressions)), gradient


def relative_effect(
    totals: np.ndarray, terms: Sequence[tuple[float, Sequence[int], int]]
) -> tuple[float, np.ndarray]:
    """exp(sum of weight * log pooled ratio(cells, period)) - 1, with its gradient."""
    log_value = 0.0
    gradient = np.zeros(VECTOR_SIZE)
    for weight, cells, period in terms:
        value, grad = log_pooled_ratio(totals, cells, period)
        log_value += weight * value
        gradient += weight * grad
    effect = float(np.exp(log_value))
    return effect - 1, effect * gradient


def adjusted(weight: float, cells: Sequence[int]) -> list[tuple[float, Sequence[int], int]]:
    """weight * log A over `cells`: the during ratio over the pre-period ratio."""
    return [(weight, cells, DURING), (-weight, cells, PRE)]


def two_sided_readout(inputs: TwoSidedInputs, alpha: float) -> TwoSidedReadout:
    """The estimates of the module docstring for one ratio metric."""
    totals = inputs.totals
    empty = [
        f"{CELLS[c]} ({'pre-period' if period else 'during'})"
        for period in (DURING, PRE)
        for c in range(4)
        if totals[position(period, c, 0)] <= 0 or totals[position(period, c, 1)] <= 0
    ]
    if empty:
        raise ValueError(f"no views or impressions in cell(s) {', '.join(empty)}")
    impressions = [totals[position(DURING, c, 1)] for c in range(4)]
    a_v = impressions[C11] / (impressions[C10] + impressions[C11])
    a_c = impressions[C11] / (impressions[C01] + impressions[C11])
    df = min(inputs.n_viewers, inputs.n_creators) - 1
    direct = adjusted(1, [C11]) + adjusted(1, [C00]) + adjusted(-1, [C10]) + adjusted(-1, [C01])
    viewer_spill = adjusted(1, [C10]) + adjusted(-1, [C00])
    creator_spill = adjusted(1, [C01]) + adjusted(-1, [C00])
    scaled = [(w / a_v, c, p) for w, c, p in viewer_spill]
    scaled += [(w / a_c, c, p) for w, c, p in creator_spill]
    definitions = [
        ("tsr_naive", "TSR naive: both treated vs both control",
         adjusted(1, [C11]) + adjusted(-1, [C00]),
         "the effect on pairs where both sides are treated (Johari et al. 2022)"),
        ("direct_effect", "direct effect (interaction of the 2 x 2 cells)", direct,
         "what treating a viewer-creator pair adds beyond each side's spillover"),
        ("viewer_spillover", "spillover: treated viewers on control creators", viewer_spill,
         "interference through the viewer side"),
        ("creator_spillover", "spillover: control viewers on treated creators", creator_spill,
         "interference through the creator side"),
        ("global_effect", "global effect (exposure model)", direct + scaled,
         "the relative effect of treating every viewer and every creator"),
        ("viewer_side_readout", "one-sided readout: treated vs control viewers",
         [(1, [C10, C11], DURING), (-1, [C00, C01], DURING)],
         "what a viewer-randomized test reports (the effect on treated viewers as run)"),
        ("creator_side_readout", "one-sided readout: treated vs control creators",
         [(1, [C01, C11], DURING), (-1, [C00, C10], DURING)],
         "what a creator-randomized test reports (the effect on treated creators as run)"),
    ]  # fmt: skip
    values = {name: relative_effect(totals, terms) for name, _, terms, _ in definitions}
    estimates = [
        make_estimate(
            name,
            label,
            values[name][0],
            two_way_variance(inputs, values[name][1]),
            df,
            alpha,
            estimand,
            "the exposure model" if name == "global_effect" else "",
        )
        for name, label, _, estimand in definitions
    ]
    for side in ("viewer", "creator"):
        value = values[f"{side}_side_readout"][0] - values["global_effect"][0]
        gradient = values[f"{side}_side_readout"][1] - values["global_effect"][1]
        estimates.append(
            make_estimate(
                f"{side}_side_bias",
                f"bias of the {side}-side readout (readout - global)",
                value,
                two_way_variance(inputs, gradient),
                df,
                alpha,
                f"how far a {side}-randomized readout is from the global effect",
                "the exposure model",
            )
        )
    return TwoSidedReadout(
        metric=inputs.metric,
        cell_values={
            CELLS[c]: float(totals[position(DURING, c, 0)] / impressions[c]) for c in range(4)
        },
        cell_impressions={CELLS[c]: float(impressions[c]) for c in range(4)},
        viewer_treated_share=float(a_v),
        creator_treated_share=float(a_c),
        estimates=tuple(estimates),
    )
