"""The data the causal studies compute on, as `warehouse.causal_inputs` reads it from the
marts: the creator-day panel, one row per creator, and the region launches.

The domain states the shape (the columns below); the warehouse layer fills it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from python_checks.causal.estimate import CausalInputError, label

CREATOR_DAY_COLUMNS = (
    "creator_id",
    "activity_date",
    "post_count",
    "view_count",
    "watch_ms",
    "follower_count",
    "view_count_28d",
)
CREATOR_COLUMNS = (
    "creator_id",
    "creator_type",
    "region_code",
    "signup_date",
    "enrollment_date",  # missing: never enrolled
    "program_launch_date",  # the rewards program's launch in the creator's region
    "min_followers",
    "min_views_28d",
    "scheduler_first_used_date",  # missing: never posted with it
    "scheduler_adopted_before_window",
    "editor_first_used_date",
    "editor_adopted_before_window",
)
REGION_LAUNCH_COLUMNS = ("launch_id", "region_code", "launch_date")


@dataclass(frozen=True)
class CausalPanel:
    """`creator_days` (marts.fct_creator_daily), `creators` (one row per creator, from
    marts.dim_creators, marts.fct_rewards_creator_daily and marts.fct_tool_adoption) and
    `region_launches` (reference.region_launches). Dates are `datetime.date`."""

    creator_days: pd.DataFrame
    creators: pd.DataFrame
    region_launches: pd.DataFrame
    source: str = ""

    def __post_init__(self) -> None:
        for name, frame, columns in (
            ("creator_days", self.creator_days, CREATOR_DAY_COLUMNS),
            ("creators", self.creators, CREATOR_COLUMNS),
            ("region_launches", self.region_launches, REGION_LAUNCH_COLUMNS),
        ):
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise CausalInputError(f"{name}: no column {missing[0]!r}")
        if self.creator_days.empty:
            raise CausalInputError("creator_days: the creator-day panel is empty")
        unknown = ~self.creator_days["creator_id"].isin(self.creators["creator_id"])
        if unknown.any():
            creator = self.creator_days.loc[unknown, "creator_id"].iloc[0]
            raise CausalInputError(f"creator_days: creator {label(creator)} is not in creators")
