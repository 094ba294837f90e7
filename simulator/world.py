"""The population: viewers and creators with their fixed and hidden traits.

Hidden traits (creator motivation, popularity, quality) never reach the raw
logs; `hidden_traits.parquet` records them beside the ground truth.
"""

from dataclasses import dataclass

import numpy as np

from simulator import params
from simulator.reference import Reference
from simulator.scales import Scale


@dataclass
class Viewers:
    ids: np.ndarray
    signup_day: np.ndarray
    region: np.ndarray  # index into reference.regions
    device: np.ndarray  # index into params.DEVICE_WEIGHTS
    activity: np.ndarray  # daily probability of being active, before seasonality
    attention: np.ndarray  # mean impressions per active day: finite, fixed
    favourite_category: np.ndarray
    update_lag_days: np.ndarray
    arm: dict[str, np.ndarray]  # experiment id -> treated?


@dataclass
class Creators:
    ids: np.ndarray
    creator_type: np.ndarray  # index into reference.creator_types
    region: np.ndarray
    signup_day: np.ndarray
    is_verified: np.ndarray
    popularity: np.ndarray
    quality: np.ndarray
    motivation: np.ndarray
    main_category: np.ndarray
    baseline_followers: np.ndarray
    tool_adoption_day: dict[str, np.ndarray]  # tool -> first day it is used
    arm: dict[str, np.ndarray]


def _choice(rng: np.random.Generator, weights: dict[str, float], keys: tuple[str, ...], n: int):
    probabilities = np.array([weights[key] for key in keys], dtype=float)
    return rng.choice(len(keys), size=n, p=probabilities / probabilities.sum())


def _signup_days(rng, n: int, share_during: float, days: int, history_days: int) -> np.ndarray:
    during = rng.random(n) < share_during
    return np.where(
        during, rng.integers(0, max(days, 1), size=n), -rng.integers(1, history_days, size=n)
    )


def make_viewers(rng: np.random.Generator, scale: Scale, days: int, ref: Reference) -> Viewers:
    n = scale.viewers
    arms = {
        experiment.experiment_id: rng.random(n) < experiment.treatment_share
        for experiment in ref.experiments.values()
        if experiment.randomization_unit in ("viewer", "both")
    }
    return Viewers(
        ids=np.array([f"v{i:07d}" for i in range(1, n + 1)], dtype=object),
        signup_day=_signup_days(rng, n, params.VIEWER_SIGNUP_DURING_WINDOW, days, 730),
        region=_choice(rng, params.REGION_WEIGHTS, ref.regions, n),
        device=_choice(rng, params.DEVICE_WEIGHTS, tuple(params.DEVICE_WEIGHTS), n),
        activity=rng.beta(2.0, 3.0, size=n),
        attention=rng.gamma(2.0, 6.0, size=n),
        favourite_category=_choice(rng, params.CATEGORY_WEIGHTS, ref.categories, n),
        update_lag_days=rng.exponential(params.MEAN_UPDATE_LAG_DAYS, size=n),
        arm=arms,
    )


def make_creators(rng: np.random.Generator, scale: Scale, days: int, ref: Reference) -> Creators:
    n = scale.creators
    type_keys = ref.creator_types
    shares = {key: params.CREATOR_TYPES[key].share for key in type_keys}
    creator_type = _choice(rng, shares, type_keys, n)
    verified_rate = np.array([0.9, 0.8, 0.3, 0.02])[creator_type]
    popularity = rng.pareto(params.POPULARITY_PARETO_ALPHA, size=n) + 1.0
    motivation = rng.standard_normal(n)
    signup_day = _signup_days(rng, n, params.CREATOR_SIGNUP_DURING_WINDOW, days, 1000)
    baseline = np.floor(60 * popularity**1.1 * rng.lognormal(0.0, 0.5, size=n)).astype(np.int64)
    baseline[signup_day >= 0] = 0

    tools = params.TOOLS
    lift = np.exp(tools.motivation_on_adoption * motivation)
    mean_lift = np.exp(tools.motivation_on_adoption**2 / 2)
    adoption: dict[str, np.ndarray] = {}
    for tool, hazard in tools.daily_adoption_hazard.items():
        before = rng.random(n) < np.clip(
            tools.adopted_before_start[tool] * lift / mean_lift, 0, 0.95
        )
        later = rng.geometric(np.clip(hazard * lift, 1e-6, 1.0)) - 1
        adoption[tool] = np.where(before, -1, np.maximum(later, signup_day))

    arms = {
        experiment.experiment_id: rng.random(n) < experiment.treatment_share
        for experiment in ref.experiments.values()
        if experiment.randomization_unit in ("creator", "both")
    }
    return Creators(
        ids=np.array([f"c{i:06d}" for i in range(1, n + 1)], dtype=object),
        creator_type=creator_type,
        region=_choice(rng, params.REGION_WEIGHTS, ref.regions, n),
        signup_day=signup_day,
        is_verified=rng.random(n) < verified_rate,
        popularity=popularity,
        quality=rng.lognormal(0.0, 0.3, size=n),
        motivation=motivation,
        main_category=_choice(rng, params.CATEGORY_WEIGHTS, ref.categories, n),
        baseline_followers=baseline,
        tool_adoption_day=adoption,
        arm=arms,
    )
