"""Arrow schemas of the raw tables, as docs/raw_data_contract.md lists them,
and what the defect planter needs to know about each table."""

from dataclasses import dataclass

import pyarrow as pa

S, I64, I32, B, F64 = pa.string(), pa.int64(), pa.int32(), pa.bool_(), pa.float64()

SCHEMAS: dict[str, pa.Schema] = {
    "viewers": pa.schema(
        [("viewer_id", S), ("signup_ts_ms", I64), ("region_code", S), ("ingest_ts_ms", I64)]
    ),
    "creators": pa.schema(
        [
            ("creator_id", S),
            ("creator_type", S),
            ("region_code", S),
            ("signup_ts_ms", I64),
            ("is_verified", B),
            ("baseline_follower_count", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "content": pa.schema(
        [
            ("content_id", S),
            ("creator_id", S),
            ("category_code", S),
            ("format", S),
            ("duration_seconds", I32),
            ("tool_code", S),
            ("published_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "rewards_enrollments": pa.schema(
        [
            ("enrollment_id", I64),
            ("creator_id", S),
            ("program_id", S),
            ("enrolled_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "impressions": pa.schema(
        [
            ("impression_id", I64),
            ("viewer_id", S),
            ("content_id", S),
            ("surface_code", S),
            ("rank_position", I32),
            ("model_version", S),
            ("served_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "views": pa.schema(
        [
            ("view_id", I64),
            ("impression_id", I64),
            ("viewer_id", S),
            ("content_id", S),
            ("surface_code", S),
            ("watch_ms", I64),
            ("is_completed", B),
            ("device_os", S),
            ("app_version", S),
            ("viewed_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "engagements": pa.schema(
        [
            ("engagement_id", I64),
            ("view_id", I64),
            ("viewer_id", S),
            ("content_id", S),
            ("engagement_type", S),
            ("engaged_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "follows": pa.schema(
        [
            ("follow_event_id", I64),
            ("viewer_id", S),
            ("creator_id", S),
            ("action", S),
            ("event_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "rewards_payouts": pa.schema(
        [
            ("payout_id", I64),
            ("creator_id", S),
            ("program_id", S),
            ("payout_date", pa.date32()),
            ("qualified_views", I64),
            ("rpm_usd", F64),
            ("payout_usd", F64),
            ("ingest_ts_ms", I64),
        ]
    ),
    "experiment_assignments": pa.schema(
        [
            ("assignment_id", I64),
            ("experiment_id", S),
            ("unit_type", S),
            ("unit_id", S),
            ("variant", S),
            ("assigned_ts_ms", I64),
            ("ingest_ts_ms", I64),
        ]
    ),
}

DAILY_TABLES = (
    "impressions",
    "views",
    "engagements",
    "follows",
    "rewards_payouts",
    "experiment_assignments",
)
SINGLE_FILE_TABLES = ("viewers", "creators", "content", "rewards_enrollments")


@dataclass(frozen=True)
class DefectPlan:
    """Which defects a table gets and which columns they touch."""

    own_id: str
    foreign_ids: tuple[str, ...] = ()  # checked for orphans
    other_keys: tuple[str, ...] = ()  # further columns a null key may hit
    unknown_enum: tuple[str, str] | None = None  # (column, a value outside the domain)
    event_ts: str | None = None  # gets future timestamps when set
    is_event_table: bool = True  # duplicates and late arrivals
    null_keys: bool = True
    watch_time: bool = False
    amount: bool = False


PLANS: dict[str, DefectPlan] = {
    "viewers": DefectPlan("viewer_id", unknown_enum=("region_code", "ZZ"), is_event_table=False),
    "creators": DefectPlan(
        "creator_id", unknown_enum=("creator_type", "influencer"), is_event_table=False
    ),
    "content": DefectPlan(
        "content_id",
        foreign_ids=("creator_id",),
        unknown_enum=("category_code", "asmr"),
        event_ts="published_ts_ms",
        is_event_table=False,
    ),
    "rewards_enrollments": DefectPlan("enrollment_id", null_keys=False),
    "impressions": DefectPlan(
        "impression_id",
        foreign_ids=("viewer_id", "content_id"),
        unknown_enum=("surface_code", "carousel"),
        event_ts="served_ts_ms",
    ),
    "views": DefectPlan(
        "view_id",
        foreign_ids=("viewer_id", "content_id"),
        unknown_enum=("device_os", "smart_fridge"),
        event_ts="viewed_ts_ms",
        watch_time=True,
    ),
    "engagements": DefectPlan(
        "engagement_id",
        foreign_ids=("viewer_id", "content_id"),
        unknown_enum=("engagement_type", "superlike"),
        event_ts="engaged_ts_ms",
    ),
    "follows": DefectPlan(
        "follow_event_id",
        foreign_ids=("viewer_id", "creator_id"),
        unknown_enum=("action", "block"),
    ),
    "rewards_payouts": DefectPlan("payout_id", null_keys=False, amount=True),
    "experiment_assignments": DefectPlan(
        "assignment_id", other_keys=("unit_id",), unknown_enum=("variant", "treatment_b")
    ),
}

# Case and whitespace noise is applied to these columns (not a defect).
ENUM_COLUMNS = (
    "region_code",
    "creator_type",
    "category_code",
    "format",
    "tool_code",
    "surface_code",
    "device_os",
    "engagement_type",
    "action",
    "unit_type",
    "variant",
)
