"""What reconciliation reads: raw, staged, quarantined and duplicate rows per raw table,
and the table of ties, pairs of daily totals of one measure in two layers that must be
equal on every day (staging -> intermediate -> marts -> metrics.metric_daily).

The raw-table -> staged-model map is read from audit.audit_pgc__row_reconciliation, whose
`staged_model` column comes from the one place it is written (the dbt macro
get_pgc_raw_tables). With a raw folder, raw rows are recounted from the Parquet files,
independently of dbt.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from python_checks.monitoring.reconciliation import RawAccounting, TieReading

ROW_RECONCILIATION = "audit.audit_pgc__row_reconciliation"
QUARANTINED_ROWS = "audit.audit_pgc__quarantined_rows"


def raw_parquet_source(raw_dir: Path, table: str) -> Path:
    """The Parquet file (a snapshot, `<table>.parquet`) or file pattern (an event log, one
    file per day in `<table>/`) of one raw table."""
    snapshot = raw_dir / f"{table}.parquet"
    if snapshot.is_file():
        return snapshot
    folder = raw_dir / table
    if not any(folder.glob("*.parquet")):
        raise ValueError(
            f"raw table {table!r}: neither {snapshot} nor Parquet files in {folder}"
        )
    return folder / "*.parquet"


def count_raw_parquet(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: str) -> tuple[int, int]:
    """(rows, distinct rows) of a raw table, read straight from its Parquet files."""
    source = f"read_parquet('{raw_parquet_source(raw_dir, table)}')"
    (rows,) = con.execute(f"select count(*) from {source}").fetchone()
    (distinct_rows,) = con.execute(
        f"select count(*) from (select distinct * from {source})"
    ).fetchone()
    return int(rows), int(distinct_rows)


def raw_accounting(
    con: duckdb.DuckDBPyConnection, raw_dir: Path | None = None
) -> list[RawAccounting]:
    """Raw, duplicate, staged and quarantined rows per raw table. Raw and duplicate counts
    come from the Parquet files when `raw_dir` is given (independent of dbt), otherwise
    from the audit model."""
    quarantined = dict(
        con.execute(f"select source_table, count(*) from {QUARANTINED_ROWS} group by 1").fetchall()
    )
    recorded = con.execute(
        "select source_table, staged_model, raw_row_count, duplicate_row_count "
        f"from {ROW_RECONCILIATION} order by source_table"
    ).fetchall()
    accounting = []
    for table, staged_model, raw_rows, duplicates in recorded:
        (staged,) = con.execute(f"select count(*) from staging.{staged_model}").fetchone()
        source = ROW_RECONCILIATION
        if raw_dir is not None:
            raw_rows, distinct = count_raw_parquet(con, raw_dir, table)
            duplicates, source = raw_rows - distinct, f"Parquet in {raw_dir}"
        accounting.append(
            RawAccounting(
                table,
                staged_model,
                int(raw_rows),
                int(duplicates),
                int(staged),
                int(quarantined.get(table, 0)),
                source,
            )
        )
    return accounting


@dataclass(frozen=True)
class DailyAggregate:
    """One daily total: `value_sql` aggregated by `day_sql` over `relation` rows that
    satisfy `where_sql`."""

    relation: str
    day_sql: str
    value_sql: str
    where_sql: str = "true"
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.relation


@dataclass(frozen=True)
class Tie:
    """Two daily totals of the same measure that must be equal on every day."""

    layers: str
    measure: str
    left: DailyAggregate
    right: DailyAggregate


def metric_total(metric_name: str) -> DailyAggregate:
    """The unsliced daily series of a metric in metrics.metric_daily."""
    return DailyAggregate(
        "metrics.metric_daily",
        "metric_date",
        "sum(value)",
        f"metric_name = '{metric_name}' and dimension_name = 'total'",
        label=f"metrics.metric_daily[{metric_name}]",
    )


# Staging, in its own event-day columns.
STG_VIEWS = "staging.stg_pgc__views"
STG_IMPRESSIONS = "staging.stg_pgc__impressions"
INT_VIEWS = "intermediate.int_views_enriched"
INT_IMPRESSIONS = "intermediate.int_impressions_enriched"
VIEWER_DAILY = "marts.fct_viewer_daily"
CONTENT_DAILY = "marts.fct_content_daily"
AUDIENCE_DAILY = "marts.fct_audience_daily"
CREATOR_DAILY = "marts.fct_creator_daily"
DISTRIBUTION_DAILY = "marts.fct_distribution_daily"
REWARDS_CREATOR_DAILY = "marts.fct_rewards_creator_daily"
CONSUMPTION_DAILY = "marts.fct_consumption_daily"
# Engagements of a valid view, on that view's day: what the consumption fact attributes.
ENGAGEMENTS_ON_VIEWS = DailyAggregate(
    "(select staged_views.view_date, staged_engagements.engagement_type "
    "from staging.stg_pgc__engagements as staged_engagements "
    "inner join staging.stg_pgc__views as staged_views "
    "on staged_engagements.view_id = staged_views.view_id) as engagements_on_views",
    "view_date",
    "count(*)",
)
IN_LOG_WINDOW = (
    "published_date between (select first_event_date from "
    "intermediate.int_event_windows_measured) and (select last_event_date from "
    "intermediate.int_event_windows_measured)"
)


def _sum(relation: str, day: str, column: str, where: str = "true") -> DailyAggregate:
    return DailyAggregate(relation, day, f"sum({column})", where)


def _count(relation: str, day: str, where: str = "true") -> DailyAggregate:
    return DailyAggregate(relation, day, "count(*)", where)


def _count_distinct(relation: str, day: str, column: str) -> DailyAggregate:
    return DailyAggregate(relation, day, f"count(distinct {column})")


def _ties(
    layers: str, measure: str, reference: DailyAggregate, *others: DailyAggregate
) -> tuple[Tie, ...]:
    """One tie of the reference total with each of the others."""
    return tuple(Tie(layers, measure, reference, other) for other in others)


def _metric_ties(layers: str, source: DailyAggregate, metric: str) -> tuple[Tie, ...]:
    return _ties(layers, metric, source, metric_total(metric))


STAGING_TO_MARTS = "staging_to_marts"
MARTS_TO_METRICS = "marts_to_metrics"
ENGAGEMENTS = "staging.stg_pgc__engagements"

# Each mart is tied to the layer it is built from, so a broken mart fails its own tie only.
TIES: tuple[Tie, ...] = (
    # Views, watch time, completions: staged events -> enriched events -> daily marts.
    *_ties(
        STAGING_TO_MARTS, "views", _count(STG_VIEWS, "view_date"), _count(INT_VIEWS, "view_date")
    )
    + _ties(
        STAGING_TO_MARTS,
        "views",
        _count(INT_VIEWS, "view_date"),
        *(
            _sum(mart, "activity_date", "view_count")
            for mart in (VIEWER_DAILY, CONTENT_DAILY, CREATOR_DAILY, AUDIENCE_DAILY)
        ),
    )
    + _ties(
        STAGING_TO_MARTS,
        "watch_ms",
        _sum(STG_VIEWS, "view_date", "watch_ms"),
        _sum(INT_VIEWS, "view_date", "watch_ms"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "watch_ms",
        _sum(INT_VIEWS, "view_date", "watch_ms"),
        *(
            _sum(mart, "activity_date", "watch_ms")
            for mart in (VIEWER_DAILY, CONTENT_DAILY, CREATOR_DAILY)
        ),
    )
    + _ties(
        STAGING_TO_MARTS,
        "completed_views",
        _sum(STG_VIEWS, "view_date", "cast(is_completed as integer)"),
        *(
            _sum(mart, "activity_date", "completed_view_count")
            for mart in (VIEWER_DAILY, CONTENT_DAILY)
        ),
    )
    # Impressions, by the day they were served: staged -> enriched -> distribution marts;
    # staged -> audience mart.
    + _ties(
        STAGING_TO_MARTS,
        "impressions",
        _count(STG_IMPRESSIONS, "impression_date"),
        _count(INT_IMPRESSIONS, "impression_date"),
        _sum(AUDIENCE_DAILY, "activity_date", "impression_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "impressions",
        _count(INT_IMPRESSIONS, "impression_date"),
        _sum(DISTRIBUTION_DAILY, "impression_date", "impression_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "impressions",
        _sum(DISTRIBUTION_DAILY, "impression_date", "impression_count"),
        _sum("marts.fct_distribution_daily_total", "impression_date", "impression_count"),
    )
    # Impressions, views and their engagements -> the consumption fact, by served day (a
    # view happens on its impression's day).
    + _ties(
        STAGING_TO_MARTS,
        "impressions",
        _count(INT_IMPRESSIONS, "impression_date"),
        _sum(CONSUMPTION_DAILY, "activity_date", "impression_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "views",
        _count(INT_VIEWS, "view_date"),
        _sum(CONSUMPTION_DAILY, "activity_date", "view_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "watch_ms",
        _sum(INT_VIEWS, "view_date", "watch_ms"),
        _sum(CONSUMPTION_DAILY, "activity_date", "watch_ms"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "likes on views",
        dataclasses.replace(
            ENGAGEMENTS_ON_VIEWS,
            where_sql="engagement_type = 'like'",
            label="staging.stg_pgc__engagements (likes) on staging.stg_pgc__views",
        ),
        _sum(CONSUMPTION_DAILY, "activity_date", "like_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "delivered_views",
        _sum(INT_IMPRESSIONS, "impression_date", "cast(is_viewed as integer)"),
        _sum(DISTRIBUTION_DAILY, "impression_date", "view_count"),
    )
    # Engagements, staged -> audience mart. Not fct_viewer_daily: it keeps only viewer-days
    # with a view, so a like just after midnight is (by design) not there. No mart counts
    # every follow, so follows are tied from the viewer-day mart onwards only.
    + _ties(
        STAGING_TO_MARTS,
        "engagements",
        _count(ENGAGEMENTS, "engagement_date"),
        _sum(AUDIENCE_DAILY, "activity_date", "engagement_count"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "likes",
        _count(ENGAGEMENTS, "engagement_date", "engagement_type = 'like'"),
        _sum(AUDIENCE_DAILY, "activity_date", "like_count"),
    )
    # Posts: staged content -> dim_content -> creator-days (log window only).
    + _ties(
        STAGING_TO_MARTS,
        "posts",
        _count("staging.stg_pgc__content_items", "cast(published_at as date)"),
        _count("marts.dim_content", "published_date"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "posts",
        _count("marts.dim_content", "published_date", IN_LOG_WINDOW),
        _sum(CREATOR_DAILY, "activity_date", "post_count"),
    )
    # Payouts: staged -> creator-day rewards -> program-day rewards and creator-days.
    + _ties(
        STAGING_TO_MARTS,
        "payout_usd",
        _sum("staging.stg_pgc__rewards_payouts", "payout_date", "payout_usd"),
        _sum(REWARDS_CREATOR_DAILY, "activity_date", "payout_usd"),
    )
    + _ties(
        STAGING_TO_MARTS,
        "payout_usd",
        _sum(REWARDS_CREATOR_DAILY, "activity_date", "payout_usd"),
        _sum("marts.fct_rewards_daily", "activity_date", "payout_usd"),
        _sum(CREATOR_DAILY, "activity_date", "payout_usd"),
    ),
    # Marts -> the governed metric_daily totals. Consumption and delivery metrics are
    # computed from fct_consumption_daily and tied here to the viewer-day and
    # distribution marts, built independently of it.
    *(
        tie
        for metric, source in (
            ("views", _sum(VIEWER_DAILY, "activity_date", "view_count")),
            ("completed_views", _sum(VIEWER_DAILY, "activity_date", "completed_view_count")),
            ("watch_time_ms", _sum(VIEWER_DAILY, "activity_date", "watch_ms")),
            ("likes", _sum(CONSUMPTION_DAILY, "activity_date", "like_count")),
            ("shares", _sum(CONSUMPTION_DAILY, "activity_date", "share_count")),
            ("follows", _sum(VIEWER_DAILY, "activity_date", "follow_count")),
            ("daily_active_viewers", _count_distinct(VIEWER_DAILY, "activity_date", "viewer_id")),
            ("impressions", _sum(DISTRIBUTION_DAILY, "impression_date", "impression_count")),
            ("delivered_views", _sum(DISTRIBUTION_DAILY, "impression_date", "view_count")),
            ("delivered_watch_ms", _sum(DISTRIBUTION_DAILY, "impression_date", "watch_ms")),
            (
                "pgc_impressions",
                _sum(DISTRIBUTION_DAILY, "impression_date", "pgc_impression_count"),
            ),
            (
                "new_creator_impressions",
                _sum(DISTRIBUTION_DAILY, "impression_date", "new_creator_impression_count"),
            ),
            ("posts", _count("marts.dim_content", "published_date")),
            ("pgc_posts", _sum(CREATOR_DAILY, "activity_date", "post_count", "is_pgc")),
            ("pgc_views", _sum(CREATOR_DAILY, "activity_date", "view_count", "is_pgc")),
            ("pgc_watch_time_ms", _sum(CREATOR_DAILY, "activity_date", "watch_ms", "is_pgc")),
            ("rewards_payout_usd", _sum(REWARDS_CREATOR_DAILY, "activity_date", "payout_usd")),
            (
                "qualified_views",
                _sum(REWARDS_CREATOR_DAILY, "activity_date", "qualified_view_count"),
            ),
        )
        for tie in _metric_ties(MARTS_TO_METRICS, source, metric)
    ),
)


def read_ties(con: duckdb.DuckDBPyConnection, ties: Sequence[Tie]) -> list[TieReading]:
    """Both daily totals of every tie side by side (day, left_value, right_value), a day
    missing on one side counting zero there, so a dropped day shows up as a difference.

    Totals over the same rows (relation, day and filter) are read in one query: most ties
    share a side with others, and each query is a scan of an event-sized table."""
    totals = _daily_totals(con, [side for tie in ties for side in (tie.left, tie.right)])
    readings = []
    for tie in ties:
        values = (
            totals[tie.left]
            .rename("left_value")
            .to_frame()
            .join(totals[tie.right].rename("right_value"), how="outer")
            .fillna(0.0)
            .rename_axis("day")
            .reset_index()
            .sort_values("day", ignore_index=True)
        )
        readings.append(TieReading(tie.layers, tie.measure, tie.left.name, tie.right.name, values))
    return readings


def _daily_totals(
    con: duckdb.DuckDBPyConnection, aggregates: Sequence[DailyAggregate]
) -> dict[DailyAggregate, pd.Series]:
    """Each aggregate's value per day (a Series indexed by day), one query per set of rows."""
    by_rows: dict[tuple[str, str, str], list[str]] = {}
    for aggregate in aggregates:
        values = by_rows.setdefault(
            (aggregate.relation, aggregate.day_sql, aggregate.where_sql), []
        )
        if aggregate.value_sql not in values:
            values.append(aggregate.value_sql)
    read: dict[tuple[str, str, str, str], pd.Series] = {}
    for (relation, day_sql, where_sql), values in by_rows.items():
        columns = ", ".join(
            f"cast({value} as double) as value_{index}" for index, value in enumerate(values)
        )
        frame = con.execute(
            f"select {day_sql} as day, {columns} from {relation} where {where_sql} group by 1"
        ).df()
        frame = frame.set_index("day")
        for index, value in enumerate(values):
            read[(relation, day_sql, where_sql, value)] = frame[f"value_{index}"]
    return {
        aggregate: read[
            (aggregate.relation, aggregate.day_sql, aggregate.where_sql, aggregate.value_sql)
        ]
        for aggregate in aggregates
    }
