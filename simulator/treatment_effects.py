"""Expected outcomes of a day's live posts, for the causal estimands of `truth.py`.

The platform serves each impression a post of the wanted category with probability
proportional to the feed's recommender weight, and a served post is viewed with probability
(surface base rate x rank factor x experiment lifts) x sqrt(quality) clipped to [0.3, 1.5]
(`Platform.decide_views`). So, given the day's impressions, the expected views of a live
post p of category c on feed f (For You or the other surfaces) are

    E[views_p] = sum_f  w_f(p) / W_f(c)  x  q(p)  x  (A_f(c) + (m - 1) B_f(c) [p's creator
                 treated in exp_two_sided_match])

with W_f(c) the feed's total weight of the category's live posts, A_f(c) the sum of the
impressions' slot factors (base rate x rank factor x ranking-experiment lift) and B_f(c) the
same over the two-sided experiment's treated viewers. A treatment that multiplies a post's
weight by k multiplies these expected views by k, holding the other posts' weights (and so
W) fixed: the direct effect on the treated creator, not the views it takes from others
(viewers' attention is fixed). The 0.97 cap on a view probability is ignored: it binds only
for a rank-1, high-quality post on the Following feed of a doubly treated viewer.

A treatment that multiplies a creator's posting rate by k makes the posts published under
it a Poisson thinning of the counterfactual's: without it each such post would exist with
probability 1/k, so its expected views without the treatment are E[views_p] / k.
"""

from __future__ import annotations

import numpy as np


def expected_views_per_post(
    post_category: np.ndarray,
    post_weights: tuple[np.ndarray, np.ndarray],
    post_quality_factor: np.ndarray,
    post_match_treated: np.ndarray,
    impression_category: np.ndarray,
    impression_feed: np.ndarray,
    slot_factor: np.ndarray,
    match_slot_factor: np.ndarray,
    match_multiplier: float,
    n_categories: int,
) -> np.ndarray:
    """Expected views of each live post today (see the module docstring).

    `post_weights` holds the For You and the other surfaces' weights of the live posts;
    `impression_feed` is 0 for a For You impression, 1 otherwise; `match_slot_factor` is
    the slot factor of impressions of the two-sided experiment's treated viewers, else 0.
    """
    expected = np.zeros(len(post_category))
    for feed, weights in enumerate(post_weights):
        rows = impression_feed == feed
        slots = np.bincount(
            impression_category[rows], weights=slot_factor[rows], minlength=n_categories
        )
        match_slots = np.bincount(
            impression_category[rows], weights=match_slot_factor[rows], minlength=n_categories
        )
        total_weight = np.bincount(post_category, weights=weights, minlength=n_categories)
        share = weights / np.maximum(total_weight[post_category], 1e-300)
        expected += share * (
            slots[post_category]
            + (match_multiplier - 1) * match_slots[post_category] * post_match_treated
        )
    return expected * post_quality_factor


def expected_watch_ms_per_view(
    duration_ms: np.ndarray,
    completion_probability: np.ndarray,
    min_watch_ms: float,
) -> np.ndarray:
    """E[watch time | view]: a completed view watches duration x U(1, 1.5), another
    duration x U(0.05, 0.95), each raised to at least `min_watch_ms`
    (`Platform.draw_watch_ms`)."""
    duration = np.asarray(duration_ms, dtype=float)
    completed = _mean_floored_uniform(duration, 1.0, 1.5, min_watch_ms)
    partial = _mean_floored_uniform(duration, 0.05, 0.95, min_watch_ms)
    return completion_probability * completed + (1 - completion_probability) * partial


def _mean_floored_uniform(scale: np.ndarray, low: float, high: float, floor: float) -> np.ndarray:
    """E[max(scale x U, floor)] for U ~ Uniform(low, high), scale > 0."""
    cut = np.clip(floor / scale, low, high)  # below cut the floor applies
    floored = floor * (cut - low)
    above = scale * (high**2 - cut**2) / 2
    return (floored + above) / (high - low)


def creator_totals(creator: np.ndarray, values: np.ndarray, n_creators: int) -> np.ndarray:
    """Per creator, the sum of `values` over its posts."""
    return np.bincount(creator, weights=values, minlength=n_creators)
