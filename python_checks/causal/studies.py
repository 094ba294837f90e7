"""The two studies `pgc causal` runs on the marts: what the creator rewards program caused,
and what the content tools caused. Each applies the generic estimators of this package to
designs built from the creator-day panel (`CausalPanel`); `docs/causal.md` states every
design, its estimand and its assumption.

Rewards program (L = the program's launch day, T = the last day):

- naive: creator-days after L, enrolled vs not (the comparison a dashboard shows);
- did_2x2: creators eligible on L, enrolled in L .. L+6 vs not enrolled by the post
  window's end; pre = the 14 days before L, post = L+8 .. L+21;
- twfe: every creator-day, treated = enrolled before the day;
- callaway_santanna: creators eligible on L and observed the whole window, cohorts by the
  first day enrollment acted (enrollment + 1), not-yet-treated controls; event-study curve;
- rd_sharp, rd_fuzzy: creators meeting the views threshold on L, running variable
  followers - min_followers on L, outcome the daily mean after L; fuzzy treatment =
  enrolled by T;
- ipw_att, g_formula_att, aipw_att, matching_att: the did_2x2 creators, outcome the daily
  mean over the post window, covariates measured before L;
- synthetic_control: posts per creator by region and day, the region of
  seeds/region_launches.csv against the other regions.

Tools (scheduler: posts; editor: views), creators who did not use the tool before the
logs began: naive, twfe and callaway_santanna with cohorts by first use.

Every estimate also carries its E-value (`sensitivity.with_e_value`), and the rewards study
runs causal discovery (FCI) on one row per creator. An estimator the data cannot support
(too few creators near the threshold at small scales) is skipped with a note, not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_checks.causal.did import two_group_did, two_way_fixed_effects
from python_checks.causal.discovery import DiscoveryResult, discover_graph, possibly_confounded
from python_checks.causal.estimate import LEVEL, CausalEstimate, CausalInputError
from python_checks.causal.naive import difference_in_means
from python_checks.causal.panels import CausalPanel
from python_checks.causal.propensity import (
    doubly_robust,
    inverse_probability_weighting,
    nearest_neighbor_matching,
    standardization,
)
from python_checks.causal.rd import regression_discontinuity
from python_checks.causal.sensitivity import with_e_value
from python_checks.causal.staggered import EventTimeEffect, staggered_did
from python_checks.causal.synthetic_control import SyntheticControlResult, synthetic_control

OUTCOMES = ("post_count", "view_count", "watch_minutes")
TOOL_OUTCOMES = {"scheduler": ("post_count",), "editor": ("view_count",)}
# The staggered pre-trend test covers the week before treatment, which every cohort of
# the program (launched two weeks into the data) observes.
PRE_TREND_PERIODS = 7
DISCOVERY_VARIABLES = (
    "posts_before",
    "uses_scheduler",
    "views_28d",
    "followers",
    "is_eligible",
    "is_enrolled",
    "posts_after",
)


@dataclass(frozen=True)
class StudyOptions:
    """The designs' windows, in days relative to the program's launch day L."""

    pre_days: int = 14  # pre-period of did_2x2: L - 14 .. L - 1
    cohort_days: int = 7  # did_2x2 and weighting treat those enrolled in L .. L + 6
    post_gap_days: int = 1  # the post window starts cohort_days + gap days after L
    post_days: int = 14  # and lasts this long (clipped to the last day)
    level: float = LEVEL
    discovery_alpha: float = 0.05


@dataclass(frozen=True)
class StudyResult:
    """What a study estimated. `targets[estimator]` lists the treated creator-days its
    estimand averages over (creator_id, activity_date), so a check with the truth can
    average the true effects over the same rows."""

    study: str
    estimates: tuple[CausalEstimate, ...]
    event_studies: dict[str, tuple[EventTimeEffect, ...]] = field(default_factory=dict)
    synthetic: SyntheticControlResult | None = None
    discovery: DiscoveryResult | None = None
    enrollment_possibly_confounded: bool | None = None
    notes: tuple[str, ...] = ()
    targets: dict[str, pd.DataFrame] = field(default_factory=dict)
    first_date: dt.date | None = None
    last_date: dt.date | None = None


@dataclass(frozen=True)
class _Frames:
    days: pd.DataFrame  # creator-days with creator attributes and day indices
    creators: pd.DataFrame
    first: dt.date
    last: dt.date


def _frames(panel: CausalPanel) -> _Frames:
    days = panel.creator_days.merge(panel.creators, on="creator_id", how="left")
    first, last = days["activity_date"].min(), days["activity_date"].max()
    days["day"] = (pd.to_datetime(days["activity_date"]) - pd.Timestamp(first)).dt.days
    days["watch_minutes"] = days["watch_ms"] / 60_000
    enrolled = pd.to_datetime(days["enrollment_date"])
    days["is_enrolled"] = (enrolled < pd.to_datetime(days["activity_date"])).astype(int)
    days["scheduler_first_day"] = (
        pd.to_datetime(days["scheduler_first_used_date"]) - pd.Timestamp(first)
    ).dt.days
    return _Frames(days, panel.creators.copy(), first, last)


def _index(date: object, first: dt.date) -> float:
    """Day index of a date (NaN when missing)."""
    if date is None or pd.isna(date):
        return float("nan")
    return float((pd.Timestamp(date) - pd.Timestamp(first)).days)


class _Collector:
    """Runs estimators, adds E-values, keeps notes of those the data cannot support."""

    def __init__(self) -> None:
        self.estimates: list[CausalEstimate] = []
        self.notes: list[str] = []
        self.targets: dict[str, pd.DataFrame] = {}

    def run(
        self,
        label: str,
        compute: Callable[[], CausalEstimate],
        outcome_values: np.ndarray | None = None,
    ) -> CausalEstimate | None:
        try:
            estimate = compute()
        except CausalInputError as error:
            self.notes.append(f"{label} skipped: {error}")
            return None
        if outcome_values is not None and len(outcome_values) > 1:
            estimate = with_e_value(estimate, float(np.std(outcome_values, ddof=1)))
        self.estimates.append(estimate)
        return estimate


def rewards_study(panel: CausalPanel, options: StudyOptions = StudyOptions()) -> StudyResult:
    """Every estimator of the rewards program's effect on the creator-day outcomes."""
    frames = _frames(panel)
    days, creators = frames.days, frames.creators
    launches = creators["program_launch_date"].dropna().unique()
    if len(launches) == 0:
        raise CausalInputError("creators: no rewards program launch date in any region")
    launch = _index(min(launches), frames.first)
    last = int(days["day"].max())
    if launch <= 0 or launch >= last:
        raise CausalInputError(
            f"the rewards program launched on day {launch:.0f} of 0..{last}: the panel needs "
            "days before and after the launch"
        )
    launch = int(launch)
    collector = _Collector()
    level = options.level
    signup = creators.set_index("creator_id")["signup_date"].map(lambda d: _index(d, frames.first))
    enrolled_day = creators.set_index("creator_id")["enrollment_date"].map(
        lambda d: _index(d, frames.first)
    )
    days["enrolled_day"] = days["creator_id"].map(enrolled_day)
    on_launch = days[days["day"] == launch].set_index("creator_id")
    eligible_on_launch = on_launch.index[
        (on_launch["follower_count"] >= on_launch["min_followers"])
        & (on_launch["view_count_28d"] >= on_launch["min_views_28d"])
    ]
    post_start = launch + options.cohort_days + options.post_gap_days
    post_end = min(post_start + options.post_days - 1, last)
    pre_start = max(launch - options.pre_days, 0)
    whole_window = signup[signup <= 0].index

    # The naive comparison: every creator-day after launch.
    after = days[days["day"] > launch]
    for outcome in OUTCOMES:
        collector.run(
            f"naive {outcome}",
            lambda o=outcome: difference_in_means(
                after, o, "is_enrolled", cluster="creator_id", level=level
            ),
            after[outcome].to_numpy(),
        )
    collector.targets["naive"] = after.loc[
        after["is_enrolled"] == 1, ["creator_id", "activity_date"]
    ]

    # The launch-week cohort against eligible creators not enrolled by the window's end.
    cohort = eligible_on_launch[
        enrolled_day.reindex(eligible_on_launch).between(launch, launch + options.cohort_days - 1)
    ]
    controls = eligible_on_launch[
        ~(enrolled_day.reindex(eligible_on_launch) <= post_end).fillna(False).to_numpy()
    ]
    in_design = days["creator_id"].isin(cohort.union(controls)) & days["creator_id"].isin(
        whole_window
    )
    window = days[
        in_design
        & (days["day"].between(pre_start, launch - 1) | days["day"].between(post_start, post_end))
    ].copy()
    window["treated_group"] = window["creator_id"].isin(cohort).astype(int)
    window["post"] = (window["day"] >= post_start).astype(int)
    for outcome in OUTCOMES:
        collector.run(
            f"did_2x2 {outcome}",
            lambda o=outcome: two_group_did(
                window, o, "creator_id", "day", "treated_group", "post", level=level
            ),
            window[outcome].to_numpy(),
        )
    treated_post = window[(window["treated_group"] == 1) & (window["post"] == 1)]
    collector.targets["did_2x2"] = treated_post[["creator_id", "activity_date"]]

    # Two-way fixed effects on every creator-day.
    for outcome in OUTCOMES:
        collector.run(
            f"twfe {outcome}",
            lambda o=outcome: two_way_fixed_effects(
                days, o, "creator_id", "day", "is_enrolled", level=level
            ),
            days[outcome].to_numpy(),
        )
    collector.targets["twfe"] = days.loc[days["is_enrolled"] == 1, ["creator_id", "activity_date"]]

    # Staggered adoption among creators eligible on launch day, observed the whole window.
    staggered_sample = days[
        days["creator_id"].isin(eligible_on_launch) & days["creator_id"].isin(whole_window)
    ].copy()
    staggered_sample["first_treated"] = staggered_sample["enrolled_day"] + 1
    event_studies = {}
    for outcome in OUTCOMES:
        result = _staggered(collector, staggered_sample, outcome, level)
        if result is not None:
            event_studies[outcome] = result.event_study
    treated_rows = staggered_sample[
        staggered_sample["first_treated"].notna()
        & (staggered_sample["day"] >= staggered_sample["first_treated"])
        & (staggered_sample["first_treated"] <= last)
    ]
    collector.targets["callaway_santanna"] = treated_rows[["creator_id", "activity_date"]]

    # Regression discontinuity at the follower threshold on launch day.
    rd = _rd_frame(days, on_launch, launch, last, enrolled_day)
    for outcome in OUTCOMES:
        for fuzzy in (False, True):
            collector.run(
                f"rd_{'fuzzy' if fuzzy else 'sharp'} {outcome}",
                lambda o=outcome, f=fuzzy: regression_discontinuity(
                    rd, o, "distance", 0.0, treatment="is_enrolled" if f else None, level=level
                ),
                rd[outcome].to_numpy() if len(rd) else None,
            )

    # Selection on observables: the did_2x2 creators, covariates measured before launch.
    cross = _cross_section(
        days, cohort, controls, whole_window, launch, pre_start, post_start, post_end
    )
    covariates = [c for c in cross.columns if c.startswith("x_") and cross[c].std() > 0]
    for outcome in OUTCOMES:
        for name, function in (
            ("ipw_att", inverse_probability_weighting),
            ("g_formula_att", standardization),
            ("aipw_att", doubly_robust),
        ):
            collector.run(
                f"{name} {outcome}",
                lambda o=outcome, f=function: f(
                    cross, o, "treated", covariates, estimand="ATT", level=level
                ),
                cross[outcome].to_numpy(),
            )
        collector.run(
            f"matching_att {outcome}",
            lambda o=outcome: nearest_neighbor_matching(cross, o, "treated", covariates, level),
            cross[outcome].to_numpy(),
        )
    weighting_targets = treated_post[
        treated_post["creator_id"].isin(cross.loc[cross["treated"] == 1, "creator_id"])
    ]
    for name in ("ipw_att", "g_formula_att", "aipw_att", "matching_att"):
        collector.targets[name] = weighting_targets[["creator_id", "activity_date"]]

    synthetic = _synthetic(collector, panel, days, level)
    discovery, confounded = _discovery(
        collector, discovery_frame(days, launch, last, whole_window, frames.first), options
    )
    return StudyResult(
        study="rewards",
        estimates=tuple(collector.estimates),
        event_studies=event_studies,
        synthetic=synthetic,
        discovery=discovery,
        enrollment_possibly_confounded=confounded,
        notes=tuple(collector.notes),
        targets=collector.targets,
        first_date=frames.first,
        last_date=frames.last,
    )


def _staggered(collector: _Collector, sample: pd.DataFrame, outcome: str, level: float):
    holder = {}

    def compute() -> CausalEstimate:
        holder["result"] = staggered_did(
            sample,
            outcome,
            "creator_id",
            "day",
            "first_treated",
            pre_trend_periods=PRE_TREND_PERIODS,
            level=level,
        )
        return holder["result"].overall

    collector.run(f"callaway_santanna {outcome}", compute, sample[outcome].to_numpy())
    return holder.get("result")


def _rd_frame(
    days: pd.DataFrame, on_launch: pd.DataFrame, launch: int, last: int, enrolled_day: pd.Series
) -> pd.DataFrame:
    """One row per creator meeting the views threshold on launch day: followers minus the
    threshold then, enrolled by the last day, and each outcome's daily mean after launch."""
    meets = on_launch[on_launch["view_count_28d"] >= on_launch["min_views_28d"]]
    after = days[(days["day"] > launch) & days["creator_id"].isin(meets.index)]
    means = after.groupby("creator_id")[list(OUTCOMES)].mean()
    frame = means.join(meets[["follower_count", "min_followers"]], how="inner")
    frame["distance"] = frame["follower_count"] - frame["min_followers"]
    frame["is_enrolled"] = (enrolled_day.reindex(frame.index) <= last).fillna(False).astype(int)
    return frame.reset_index()


def _cross_section(
    days: pd.DataFrame,
    cohort: pd.Index,
    controls: pd.Index,
    whole_window: pd.Index,
    launch: int,
    pre_start: int,
    post_start: int,
    post_end: int,
) -> pd.DataFrame:
    """One row per did_2x2 creator: treated, the outcomes' daily means over the post
    window, and covariates (x_*) measured before launch."""
    members = cohort.union(controls).intersection(whole_window)
    rows = days[days["creator_id"].isin(members)]
    pre = rows[rows["day"].between(pre_start, launch - 1)].groupby("creator_id")
    post = rows[rows["day"].between(post_start, post_end)].groupby("creator_id")[list(OUTCOMES)]
    on_launch = rows[rows["day"] == launch].set_index("creator_id")
    first = rows.groupby("creator_id").first()
    frame = post.mean()
    frame["treated"] = frame.index.isin(cohort).astype(int)
    frame["x_posts_before"] = pre["post_count"].mean()
    frame["x_log_views_before"] = np.log1p(pre["view_count"].mean())
    frame["x_log_followers"] = np.log1p(on_launch["follower_count"])
    frame["x_log_views_28d"] = np.log1p(on_launch["view_count_28d"])
    scheduler_day = first["scheduler_first_day"]
    frame["x_uses_scheduler"] = (scheduler_day < launch).reindex(frame.index).astype(float)
    for creator_type in sorted(first["creator_type"].dropna().unique())[1:]:
        frame[f"x_type_{creator_type}"] = (first["creator_type"] == creator_type).astype(float)
    return frame.dropna().reset_index()


def _synthetic(
    collector: _Collector, panel: CausalPanel, days: pd.DataFrame, level: float
) -> SyntheticControlResult | None:
    """Posts per creator by region and day, for the first region launch of the seed."""
    launches = panel.region_launches
    if launches.empty:
        collector.notes.append("synthetic_control skipped: no region launch in the seed")
        return None
    launch = launches.iloc[0]
    regions = days.groupby(["region_code", "day"], as_index=False)["post_count"].mean()
    start = _index(launch["launch_date"], days["activity_date"].min())
    holder = {}

    def compute() -> CausalEstimate:
        holder["result"] = synthetic_control(
            regions, "post_count", "region_code", "day", launch["region_code"], start, level=level
        )
        return holder["result"].estimate

    collector.run(
        f"synthetic_control {launch['launch_id']}", compute, regions["post_count"].to_numpy()
    )
    if "result" in holder:
        region = days[days["region_code"] == launch["region_code"]]
        collector.targets["synthetic_control"] = region.loc[
            region["day"] >= start, ["creator_id", "activity_date"]
        ]
    return holder.get("result")


def discovery_frame(
    days: pd.DataFrame, launch: int, last: int, whole_window: pd.Index, first: dt.date
) -> pd.DataFrame:
    """One row per creator observed the whole window: the DISCOVERY_VARIABLES."""
    rows = days[days["creator_id"].isin(whole_window)]
    pre = rows[rows["day"] < launch].groupby("creator_id")["post_count"].mean()
    post = rows[rows["day"] > launch].groupby("creator_id")["post_count"].mean()
    on_launch = rows[rows["day"] == launch].set_index("creator_id")
    scheduler = on_launch["scheduler_first_used_date"].map(lambda d: _index(d, first))
    enrolled = on_launch["enrollment_date"].map(lambda d: _index(d, first))
    frame = pd.DataFrame(
        {
            "posts_before": np.log1p(pre),
            "uses_scheduler": (scheduler <= launch).astype(float),
            "views_28d": np.log1p(on_launch["view_count_28d"]),
            "followers": np.log1p(on_launch["follower_count"]),
            "is_eligible": (
                (on_launch["follower_count"] >= on_launch["min_followers"])
                & (on_launch["view_count_28d"] >= on_launch["min_views_28d"])
            ).astype(float),
            "is_enrolled": (enrolled <= last).astype(float),
            "posts_after": np.log1p(post),
        }
    )
    return frame.dropna()


def _discovery(
    collector: _Collector, frame: pd.DataFrame, options: StudyOptions
) -> tuple[DiscoveryResult | None, bool | None]:
    """FCI over the discovery variables, and whether it flags enrollment and later posting
    as possibly confounded."""
    try:
        result = discover_graph(frame, DISCOVERY_VARIABLES, options.discovery_alpha)
    except CausalInputError as error:
        collector.notes.append(f"discovery skipped: {error}")
        return None, None
    return result, possibly_confounded(result, "is_enrolled", "posts_after")


def tools_study(panel: CausalPanel, options: StudyOptions = StudyOptions()) -> StudyResult:
    """The scheduler's effect on posts and the editor's on views, for creators who had not
    used the tool before the logs began (cohorts by first use)."""
    frames = _frames(panel)
    days = frames.days
    collector = _Collector()
    event_studies = {}
    signup = frames.creators.set_index("creator_id")["signup_date"].map(
        lambda d: _index(d, frames.first)
    )
    whole_window = signup[signup <= 0].index
    for tool, outcomes in TOOL_OUTCOMES.items():
        first_use = frames.creators.set_index("creator_id")[f"{tool}_first_used_date"].map(
            lambda d: _index(d, frames.first)
        )
        before = frames.creators.set_index("creator_id")[f"{tool}_adopted_before_window"]
        eligible = before.index[~before.astype(bool)]
        sample = days[days["creator_id"].isin(eligible)].copy()
        sample["first_treated"] = sample["creator_id"].map(first_use)
        sample["uses_tool"] = (sample["day"] >= sample["first_treated"]).astype(int)
        for outcome in outcomes:
            collector.run(
                f"naive {tool} {outcome}",
                lambda s=sample, o=outcome, t=tool: _labelled(
                    difference_in_means(
                        s, o, "uses_tool", cluster="creator_id", level=options.level
                    ),
                    t,
                ),
                sample[outcome].to_numpy(),
            )
            collector.run(
                f"twfe {tool} {outcome}",
                lambda s=sample, o=outcome, t=tool: _labelled(
                    two_way_fixed_effects(
                        s, o, "creator_id", "day", "uses_tool", level=options.level
                    ),
                    t,
                ),
                sample[outcome].to_numpy(),
            )
            balanced = sample[sample["creator_id"].isin(whole_window)]
            holder = {}

            def compute(b=balanced, o=outcome, h=holder, t=tool) -> CausalEstimate:
                h["result"] = staggered_did(
                    b,
                    o,
                    "creator_id",
                    "day",
                    "first_treated",
                    pre_trend_periods=PRE_TREND_PERIODS,
                    level=options.level,
                )
                return _labelled(h["result"].overall, t)

            collector.run(
                f"callaway_santanna {tool} {outcome}", compute, balanced[outcome].to_numpy()
            )
            if "result" in holder:
                event_studies[f"{tool}:{outcome}"] = holder["result"].event_study
        treated = sample[sample["uses_tool"] == 1]
        collector.targets[f"{tool}:naive"] = treated[["creator_id", "activity_date"]]
        collector.targets[f"{tool}:twfe"] = treated[["creator_id", "activity_date"]]
        balanced_treated = treated[treated["creator_id"].isin(whole_window)]
        collector.targets[f"{tool}:callaway_santanna"] = balanced_treated[
            ["creator_id", "activity_date"]
        ]
    return StudyResult(
        study="tools",
        estimates=tuple(collector.estimates),
        event_studies=event_studies,
        notes=tuple(collector.notes),
        targets=collector.targets,
        first_date=frames.first,
        last_date=frames.last,
    )


def _labelled(estimate: CausalEstimate, tool: str) -> CausalEstimate:
    """The estimate with the tool in its estimator name (scheduler:naive, ...)."""
    from dataclasses import replace

    return replace(estimate, estimator=f"{tool}:{estimate.estimator}")
