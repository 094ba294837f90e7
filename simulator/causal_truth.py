"""The causal estimands of `ground_truth.json`, computed from expected counterfactuals.

`Truth` records, per treated creator and day, the expected outcomes with and without each
treatment (`Platform.record_treatment_effects`); this module turns those rows into the
estimands the causal checks compare with (`docs/causal.md`):

- `effect_summary`: the average effect on the treated creator-days, by days since the
  treatment began (an event-study curve) and by cohort (the first day it acted);
- `local_effect_at_threshold`: the rewards program's effect for creators near the follower
  threshold on the launch day (the regression-discontinuity estimand);
- `region_launch_summary`: a region launch's effect on posts per creator, by day;
- `causal_graph`: the true graph over the creator-level variables causal discovery sees.

Outcomes are named after the creator-day mart's columns (`post_count`, `view_count`,
`watch_ms`), not after catalogue metrics: they are per creator-day estimands.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

OUTCOMES = ("post_count", "view_count", "watch_ms")
# The regression-discontinuity estimand is read off creators whose follower count on the
# launch day is within this share of the threshold (250 +- 50 with the seeded rules): wide
# enough to hold creators at every scale, narrow enough that the effect per enrolled creator
# is flat across it (it depends on posting and reach, not on followers).
THRESHOLD_BAND_SHARE = 0.2


def _date(start: dt.date, day: int) -> str:
    return (start + dt.timedelta(days=int(day))).isoformat()


def _effects(rows: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, float]:
    return {
        outcome: float(np.mean(rows[f"{outcome}_with"][mask] - rows[f"{outcome}_without"][mask]))
        for outcome in OUTCOMES
    }


def effect_summary(rows: dict[str, np.ndarray], start: dt.date) -> dict:
    """Average effect on the treated creator-days of one treatment (rows of
    `treatment_effects.parquet` for it): overall, by days since the treatment began and by
    cohort (the date it began acting)."""
    if len(rows["day"]) == 0:
        return {"treated_creator_days": 0}
    everything = np.ones(len(rows["day"]), dtype=bool)
    since = rows["day"] - rows["treated_since"]
    by_event = {}
    for event in np.unique(since):
        mask = since == event
        by_event[str(int(event))] = {"creator_days": int(mask.sum()), **_effects(rows, mask)}
    by_cohort = {}
    for cohort in np.unique(rows["treated_since"]):
        mask = rows["treated_since"] == cohort
        by_cohort[_date(start, cohort)] = {
            "creators": len(np.unique(rows["creator"][mask])),
            "creator_days": int(mask.sum()),
            **_effects(rows, mask),
        }
    return {
        "treated_creator_days": len(rows["day"]),
        "average_effect_on_treated": _effects(rows, everything),
        "average_without_treatment": {
            outcome: float(np.mean(rows[f"{outcome}_without"])) for outcome in OUTCOMES
        },
        "by_days_since_treated": by_event,
        "by_cohort": by_cohort,
    }


def local_effect_at_threshold(
    rows: dict[str, np.ndarray],
    launch: dict[str, np.ndarray],
    enrolled_day: np.ndarray,
    last_day: int,
) -> dict:
    """The rewards program's effect at the follower threshold.

    Design (what `pgc causal rewards` estimates): creators who met the 28-day views threshold
    at the end of the launch day, running variable = followers then minus the threshold,
    treatment = enrolled by the last day, outcome = each outcome's daily mean from the day
    after launch to the last day. Within the band (THRESHOLD_BAND_SHARE of the threshold)
    the estimand is the Wald ratio of expected effects, (mean effect above - mean effect
    below) / (enrolled share above - enrolled share below), where a creator's effect is the
    mean over the window of (with - without) (0 on days not enrolled)."""
    meets_views = launch["views_28d"] >= launch["min_views_28d"]
    distance = launch["followers"] - launch["min_followers"]
    in_band = meets_views & (np.abs(distance) <= THRESHOLD_BAND_SHARE * launch["min_followers"])
    creators = launch["creator"][in_band]
    window_days = last_day - launch["day"][in_band]
    if len(creators) == 0 or (window_days <= 0).all():
        return {"creators_in_band": 0}
    per_creator = {}
    after_launch = {int(c): int(d) for c, d in zip(creators, launch["day"][in_band], strict=True)}
    row_launch = np.array([after_launch.get(int(c), 10**9) for c in rows["creator"]])
    in_window = np.isin(rows["creator"], creators) & (rows["day"] > row_launch)
    for outcome in OUTCOMES:
        effect = rows[f"{outcome}_with"] - rows[f"{outcome}_without"]
        totals = dict.fromkeys((int(c) for c in creators), 0.0)
        for creator, value in zip(rows["creator"][in_window], effect[in_window], strict=True):
            totals[int(creator)] += float(value)
        per_creator[outcome] = np.array(
            [totals[int(c)] / max(n, 1) for c, n in zip(creators, window_days, strict=True)]
        )
    enrolled = enrolled_day[creators] <= last_day
    above = distance[in_band] >= 0
    summary: dict = {
        "design": "creators meeting the views threshold at the end of the launch day; "
        "running variable followers - min_followers then; treatment enrolled by the last "
        "day; outcome the daily mean from the day after launch to the last day",
        "band_followers_share_of_threshold": THRESHOLD_BAND_SHARE,
        "creators_in_band": len(creators),
    }
    for side, mask in (("above", above), ("below", ~above)):
        summary[side] = {
            "creators": int(mask.sum()),
            "enrolled_share": float(enrolled[mask].mean()) if mask.any() else None,
            "mean_effect": {
                outcome: float(per_creator[outcome][mask].mean()) if mask.any() else None
                for outcome in OUTCOMES
            },
        }
    first_stage = (
        enrolled[above].mean() - enrolled[~above].mean() if above.any() and (~above).any() else 0
    )
    summary["first_stage"] = float(first_stage)
    summary["wald_ratio"] = {
        outcome: float(
            (per_creator[outcome][above].mean() - per_creator[outcome][~above].mean()) / first_stage
        )
        if first_stage > 0
        else None
        for outcome in OUTCOMES
    }
    summary["sharp_effect_of_eligibility"] = {
        outcome: float(per_creator[outcome][above].mean() - per_creator[outcome][~above].mean())
        if above.any() and (~above).any()
        else None
        for outcome in OUTCOMES
    }
    summary["mean_effect_per_enrolled_creator"] = {
        outcome: float(per_creator[outcome][enrolled].mean()) if enrolled.any() else None
        for outcome in OUTCOMES
    }
    return summary


def region_launch_summary(days: dict[int, dict], start: dt.date, launch_day: int) -> dict:
    """A region launch's expected posts per creator with and without it, by day, and its
    average effect per creator-day over the days it was live."""
    by_date = {}
    effects = []
    for day in sorted(days):
        record = days[day]
        creators = max(record["creators"], 1)
        effect = (record["posts_with"] - record["posts_without"]) / creators
        by_date[_date(start, day)] = {
            "creators": record["creators"],
            "post_count_per_creator_with": record["posts_with"] / creators,
            "post_count_per_creator_without": record["posts_without"] / creators,
            "effect_on_post_count_per_creator": effect,
        }
        if day >= launch_day:
            effects.append(effect)
    return {
        "by_date": by_date,
        "average_effect_on_post_count_per_creator": float(np.mean(effects)) if effects else None,
    }


def causal_graph() -> dict:
    """The true causal graph over the creator-level variables of causal discovery
    (`python_checks.causal.discovery`), with the simulator's hidden traits as latent nodes.

    Variables are per creator around the rewards program's launch day: what came before it
    cannot be caused by what came after. An edge is a mechanism of `platform_model`:
    motivation raises posting, enrollment and tool adoption (and lowers churn, so it raises
    posting again); popularity and quality raise views and follows; posts earn views, views
    earn followers; followers and 28-day views decide eligibility, eligibility allows
    enrollment, enrollment raises later posting; the scheduler raises posting. Creator type
    sets the base posting rate and is left out of the discovery set, so it is a latent
    common cause of posting before and after launch."""
    observed = {
        "posts_before": "posts per day in the 14 days before launch",
        "uses_scheduler": "first posted with the scheduler on or before the launch day",
        "views_28d": "views in the 28 days ending on the launch day",
        "followers": "followers at the end of the launch day",
        "is_eligible": "met both thresholds at the end of the launch day",
        "is_enrolled": "enrolled on or before the last day",
        "posts_after": "posts per day from the day after launch to the last day",
    }
    hidden = {
        "motivation": "raises posting, enrollment and tool adoption; lowers churn",
        "popularity": "raises the recommender weight of every post and baseline followers",
        "quality": "raises view and follow probabilities",
        "creator_type": "sets the base posting rate (observed, left out of the discovery set)",
    }
    edges = [
        ("motivation", "posts_before"),
        ("motivation", "posts_after"),
        ("motivation", "is_enrolled"),
        ("motivation", "uses_scheduler"),
        ("creator_type", "posts_before"),
        ("creator_type", "posts_after"),
        ("popularity", "views_28d"),
        ("popularity", "followers"),
        ("quality", "views_28d"),
        ("quality", "followers"),
        ("uses_scheduler", "posts_before"),
        ("uses_scheduler", "posts_after"),
        ("posts_before", "views_28d"),
        ("views_28d", "followers"),
        ("views_28d", "is_eligible"),
        ("followers", "is_eligible"),
        ("is_eligible", "is_enrolled"),
        ("is_enrolled", "posts_after"),
    ]
    return {
        "observed": observed,
        "hidden": hidden,
        "edges": [list(edge) for edge in edges],
        "hidden_confounding": [["is_enrolled", "posts_after", "motivation"]],
        "note": "Causal discovery sees only the observed variables; the hidden nodes act "
        "through the edges listed. Motivation confounds enrollment and later posting.",
    }
