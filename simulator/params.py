"""Every behavioural parameter of the simulated platform, in one place.

`ground_truth.json` records these values, so a check can compare what it
estimates with what was planted.
"""

import datetime as dt
from dataclasses import dataclass, field

START_DATE = dt.date(2026, 9, 7)  # a Monday

# Monday first. Viewers watch more at the weekend.
DAY_OF_WEEK_ACTIVITY = (0.95, 0.93, 0.95, 0.97, 1.05, 1.12, 1.10)
DAILY_ACTIVITY_GROWTH = 0.002  # multiplicative trend per day

REGION_WEIGHTS = {
    "US": 0.22, "BR": 0.13, "MX": 0.08, "GB": 0.07, "DE": 0.06,
    "FR": 0.05, "IN": 0.18, "ID": 0.10, "JP": 0.06, "KR": 0.05,
}  # fmt: skip
DEVICE_WEIGHTS = {"ios": 0.40, "android": 0.50, "web": 0.10}
SURFACE_WEIGHTS = {"for_you": 0.62, "following": 0.18, "search": 0.10, "profile": 0.10}
SURFACE_BASE_VIEW_RATE = {"for_you": 0.45, "following": 0.60, "search": 0.55, "profile": 0.50}
SURFACE_MODEL = {"following": "rec_v7", "search": "search_v3", "profile": "chrono_v1"}
CATEGORY_WEIGHTS = {
    "news": 0.08, "sports": 0.10, "entertainment": 0.18, "education": 0.07,
    "music": 0.12, "gaming": 0.10, "food": 0.09, "travel": 0.06,
    "comedy": 0.13, "beauty": 0.07,
}  # fmt: skip
FORMAT_DURATION_SECONDS = {"short": (8, 60), "long": (60, 600), "series_episode": (120, 900)}
FORMAT_COMPLETION_LOGIT = {"short": 0.0, "long": -1.2, "series_episode": -0.8}
ENGAGEMENT_RATES = {"like": 0.060, "comment": 0.008, "share": 0.012, "save": 0.010}

# App versions: 31.2 ships on RELEASE_DAY_31_2; each viewer updates after a lag.
APP_VERSION_RELEASE_DAYS = {"31.0": -60, "31.1": -20, "31.2": 10}
MEAN_UPDATE_LAG_DAYS = 5.0


@dataclass(frozen=True)
class CreatorTypeProfile:
    share: float
    posts_per_active_day: float
    daily_churn: float
    formats: dict[str, float]


CREATOR_TYPES = {
    "professional_studio": CreatorTypeProfile(
        0.08, 1.2, 0.004, {"short": 0.3, "long": 0.4, "series_episode": 0.3}
    ),
    "media": CreatorTypeProfile(
        0.12, 2.0, 0.004, {"short": 0.6, "long": 0.4, "series_episode": 0.0}
    ),
    "individual_pro": CreatorTypeProfile(
        0.35, 0.6, 0.008, {"short": 0.8, "long": 0.15, "series_episode": 0.05}
    ),
    "casual": CreatorTypeProfile(
        0.45, 0.15, 0.03, {"short": 0.95, "long": 0.05, "series_episode": 0.0}
    ),
}
CREATOR_RESURRECTION_RATE = 0.04
CREATOR_SIGNUP_DURING_WINDOW = 0.25  # share of creators who join while we watch
VIEWER_SIGNUP_DURING_WINDOW = 0.20
NEW_CREATOR_DAYS = 30  # "new creator": signed up fewer days ago than this
CONTENT_SHELF_LIFE_DAYS = 30  # older posts are no longer recommended
BACKLOG_DAYS = 30  # posts published before the first simulated day

POPULARITY_PARETO_ALPHA = 1.2  # heavy-tailed creator popularity
MOTIVATION_ON_POSTING = 0.4  # log-rate per sd of the hidden motivation trait
MOTIVATION_ON_CHURN = -0.5  # log-hazard per sd

FOLLOW_RATE_PER_VIEW = 0.004
UNFOLLOW_RATE_PER_FOLLOWER_DAY = 0.0004
MIN_WATCH_MS = 1_000  # a play shorter than this is not a view


@dataclass(frozen=True)
class RewardsEffects:
    """What enrolling in the rewards program does to a creator (the truth)."""

    posting_rate_multiplier: float = 1.30
    reach_multiplier: float = 1.15  # recommender weight of an enrolled creator's posts
    base_daily_enrollment_hazard: float = 0.05
    motivation_on_enrollment: float = 1.2  # log-hazard per sd: the confounder


@dataclass(frozen=True)
class ToolEffects:
    """Content-management tools: adopters are self-selected on motivation."""

    daily_adoption_hazard: dict[str, float] = field(
        default_factory=lambda: {"scheduler": 0.010, "editor": 0.008}
    )
    adopted_before_start: dict[str, float] = field(
        default_factory=lambda: {"scheduler": 0.15, "editor": 0.20}
    )
    motivation_on_adoption: float = 0.8
    # A post of a creator who has adopted a tool is made with one this often
    # (not the tool_post_share metric, which is over all posts).
    tool_use_probability_per_adopter_post: float = 0.7
    scheduler_posting_rate_multiplier: float = 1.15
    editor_reach_multiplier: float = 1.10


@dataclass(frozen=True)
class RegionLaunchEffects:
    """What each launch of seeds/region_launches.csv does in its region (the truth): the
    posting rate of the region's creators is multiplied from the launch day on."""

    posting_rate_multiplier: dict[str, float] = field(
        default_factory=lambda: {"desktop_upload": 1.25}
    )


@dataclass(frozen=True)
class ExperimentEffects:
    rank_v2_for_you_view_rate_multiplier: float = 1.06
    editor_boost_reach_multiplier: float = 1.25
    two_sided_match_view_rate_multiplier: float = 1.10
    rank_v2_lost_treatment_log_rate: float = 0.06  # the planted sample-ratio mismatch


@dataclass(frozen=True)
class DefectRates:
    """Share of clean rows for which one defective row is planted."""

    duplicate: float = 0.004
    late_arriving: float = 0.01  # share of clean rows ingested 2 to 7 days late
    null_key: float = 0.001
    orphan_key: float = 0.001
    unknown_enum: float = 0.001
    future_timestamp: float = 0.0005
    negative_watch_time: float = 0.0005
    absurd_watch_time: float = 0.0005
    negative_amount: float = 0.002
    # Dimension tables are small: plant at a higher rate so tiny data has some.
    dimension_rate: float = 0.01
    messy_enum_spelling: float = 0.05  # case and whitespace noise, not a defect


REWARDS = RewardsEffects()
TOOLS = ToolEffects()
EXPERIMENTS = ExperimentEffects()
DEFECTS = DefectRates()
REGION_LAUNCHES = RegionLaunchEffects()


@dataclass(frozen=True)
class Incident:
    incident_id: str
    kind: str
    first_day: int  # day index from START_DATE
    last_day: int
    root_cause: dict[str, str]
    # Catalogue metric names (models/metrics/_metrics__*_metrics.yml) the incident
    # moves directly; the metrics computed from them move too.
    affected_metrics: tuple[str, ...]
    description: str
    magnitude: float


INCIDENTS = (
    Incident(
        "logging_bug_br_31_2",
        "logging_bug",
        17,
        17,
        {"region": "BR", "app_version": "31.2"},
        (
            "views",
            "delivered_views",
            "pgc_views",
            "completed_views",
            "completion_rate",
            "watch_time_ms",
            "delivered_watch_ms",
            "pgc_watch_time_ms",
        ),
        "App 31.2 in Brazil stops logging completed views for a day.",
        1.0,  # share of that slice's completed views lost
    ),
    Incident(
        "sports_traffic_spike",
        "traffic_spike",
        21,
        21,
        {"content_category": "sports"},
        (
            "impressions",
            "pgc_impressions",
            "views",
            "delivered_views",
            "pgc_views",
            "watch_time_ms",
            "delivered_watch_ms",
            "pgc_watch_time_ms",
        ),
        "A major match: viewers pick sports far more often and watch longer.",
        0.35,  # share of impressions redirected to sports; attention rises 15%
    ),
    Incident(
        "rec_v8_new_creator_exposure",
        "model_rollout",
        24,
        25,
        {"surface": "for_you", "model_version": "rec_v8", "creator_tenure": "new"},
        (
            "new_creator_impression_share",
            "new_creator_impressions",
            "impressions",
            "pgc_impressions",
        ),
        "Ranker rec_v8 rolls out on For You and starves new creators of exposure.",
        0.2,  # recommender weight multiplier for new creators' posts
    ),
)
SPIKE_ATTENTION_MULTIPLIER = 1.15
