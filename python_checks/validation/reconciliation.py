"""Reconciliation between layers: every raw row is accounted for in staging, and the same
daily total read from two layers (staging, intermediate, marts, metric_daily) ties.

Blocking: a check fails when the numbers do not tie. The layer-to-layer checks are one
table (`TIES`) of pairs of daily SQL aggregates, compared day by day.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_checks.check_results import CheckResult

# Doubles (watch time, payouts) are summed in a different order in each layer, so
# totals may differ in the last bits; anything beyond that is a real difference.
ABSOLUTE_TOLERANCE = 1e-6
RELATIVE_TOLERANCE = 1e-9

# Raw table -> staged model, as in macros/staging/get_pgc_raw_tables.sql.
STAGED_MODELS = {
    "viewers": "stg_pgc__viewers",
    "creators": "stg_pgc__creators",
    "content": "stg_pgc__content_items",
    "rewards_enrollments": "stg_pgc__rewards_enrollments",
    "impressions": "stg_pgc__impressions",
    "views": "stg_pgc__views",
    "engagements": "stg_pgc__engagements",
    "follows": "stg_pgc__follow_events",
    "rewards_payouts": "stg_pgc__rewards_payouts",
    "experiment_assignments": "stg_pgc__experiment_assignments",
}
# Snapshots are one file; event logs are a folder of one file per day.
SNAPSHOT_TABLES = frozenset({"viewers", "creators", "content", "rewards_enrollments"})


@dataclass(frozen=True)
class RawAccounting:
    """Where one raw table's rows went."""

    table: str
    raw_rows: int
    duplicate_rows: int
    staged_rows: int
    quarantined_rows: int
    raw_source: str

    @property
    def unaccounted_rows(self) -> int:
        return self.raw_rows - self.staged_rows - self.quarantined_rows - self.duplicate_rows


def raw_parquet_glob(raw_dir: Path, table: str) -> Path:
    """The Parquet file (snapshot) or file pattern (event log) of one raw table."""
    if table in SNAPSHOT_TABLES:
        path = raw_dir / f"{table}.parquet"
        if not path.is_file():
            raise ValueError(f"raw table {table!r}: no file {path}")
        return path
    folder = raw_dir / table
    if not any(folder.glob("*.parquet")):
        raise ValueError(f"raw table {table!r}: no Parquet files in {folder}")
    return folder / "*.parquet"


def count_raw_parquet(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: str) -> tuple[int, int]:
    """(rows, distinct rows) of a raw table, read straight from its Parquet files."""
    source = f"read_parquet('{raw_parquet_glob(raw_dir, table)}')"
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
    from staging.stg_pgc__row_reconciliation."""
    quarantined = dict(
        con.execute(
            "select source_table, count(*) from staging.stg_pgc__quarantined_rows group by 1"
        ).fetchall()
    )
    recorded = {}
    if raw_dir is None:
        recorded = {
            table: (raw, duplicates)
            for table, raw, duplicates in con.execute(
                "select source_table, raw_row_count, duplicate_row_count "
                "from staging.stg_pgc__row_reconciliation"
            ).fetchall()
        }
    accounting = []
    for table, staged_model in STAGED_MODELS.items():
        (staged,) = con.execute(f"select count(*) from staging.{staged_model}").fetchone()
        if raw_dir is not None:
            raw, distinct = count_raw_parquet(con, raw_dir, table)
            raw_rows, duplicates, source = raw, raw - distinct, f"Parquet in {raw_dir}"
        elif table in recorded:
            (raw_rows, duplicates), source = recorded[table], "stg_pgc__row_reconciliation"
        else:
            raise ValueError(
                f"staging.stg_pgc__row_reconciliation has no row for source_table {table!r}"
            )
        accounting.append(
            RawAccounting(
                table,
                int(raw_rows),
                int(duplicates),
                int(staged),
                int(quarantined.get(table, 0)),
                source,
            )
        )
    return accounting


def raw_to_staging_result(accounting: RawAccounting) -> CheckResult:
    """Pass when raw rows = staged + quarantined + exact duplicates."""
    equation = (
        f"{accounting.raw_rows} raw rows ({accounting.raw_source}) vs "
        f"{accounting.staged_rows} staged (staging.{STAGED_MODELS[accounting.table]}) + "
        f"{accounting.quarantined_rows} quarantined + {accounting.duplicate_rows} duplicates"
    )
    tied = accounting.unaccounted_rows == 0
    detail = equation if tied else f"{accounting.unaccounted_rows:+d} rows unaccounted: {equation}"
    return CheckResult(
        check_name="reconciliation.raw_to_staging",
        category="reconciliation",
        subject=accounting.table,
        status="pass" if tied else "fail",
        blocking=True,
        detail=detail,
        statistic=float(accounting.unaccounted_rows),
        threshold=0.0,
    )


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

    def sql(self) -> str:
        return (
            f"select {self.day_sql} as day, cast({self.value_sql} as double) as value "
            f"from {self.relation} where {self.where_sql} group by 1"
        )


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
    # Marts -> the governed metric_daily totals, from the mart each metric is defined on.
    *(
        tie
        for metric, source in (
            ("views", _sum(VIEWER_DAILY, "activity_date", "view_count")),
            ("completed_views", _sum(VIEWER_DAILY, "activity_date", "completed_view_count")),
            ("watch_time_ms", _sum(VIEWER_DAILY, "activity_date", "watch_ms")),
            ("likes", _sum(VIEWER_DAILY, "activity_date", "like_count")),
            ("shares", _sum(VIEWER_DAILY, "activity_date", "share_count")),
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


def tie_values(con: duckdb.DuckDBPyConnection, tie: Tie) -> pd.DataFrame:
    """Both daily totals side by side (day, left, right), a day missing on one side
    counting zero there, so a dropped day shows up as a difference."""
    sql = f"""
        with left_totals as ({tie.left.sql()}), right_totals as ({tie.right.sql()})
        select
            coalesce(left_totals.day, right_totals.day) as day,
            coalesce(left_totals.value, 0) as left_value,
            coalesce(right_totals.value, 0) as right_value
        from left_totals
        full outer join right_totals on left_totals.day = right_totals.day
        order by 1
    """
    return con.execute(sql).df()


def tie_result(tie: Tie, values: pd.DataFrame) -> CheckResult:
    """Pass when the two totals agree on every day within the float tolerance; the detail
    names the number of differing days and the day with the largest difference."""
    left = values["left_value"].to_numpy(dtype=float)
    right = values["right_value"].to_numpy(dtype=float)
    difference = right - left
    scale = np.maximum(np.abs(left), np.abs(right))
    differs = np.abs(difference) > ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * scale
    subject = f"{tie.measure}: {tie.left.name} = {tie.right.name}"
    if not differs.any():
        detail = f"{len(values)} days tie, total {_number(left.sum())}"
    else:
        worst = int(np.argmax(np.where(differs, np.abs(difference), -1)))
        detail = (
            f"{int(differs.sum())} of {len(values)} days differ; largest on "
            f"{values['day'].iloc[worst]:%Y-%m-%d}: {tie.right.name} = {_number(right[worst])} "
            f"vs {tie.left.name} = {_number(left[worst])} ({_number(difference[worst], '+')})"
        )
    return CheckResult(
        check_name=f"reconciliation.{tie.layers}",
        category="reconciliation",
        subject=subject,
        status="fail" if differs.any() else "pass",
        blocking=True,
        detail=detail,
        statistic=float(np.abs(difference).max()) if len(values) else 0.0,
        threshold=ABSOLUTE_TOLERANCE,
    )


def _number(value: float, sign: str = "") -> str:
    """Whole numbers in full with thousands separators, others to 6 significant digits."""
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.6g}"


def run_reconciliation(
    con: duckdb.DuckDBPyConnection, raw_dir: Path | None = None, ties: tuple[Tie, ...] = TIES
) -> list[CheckResult]:
    """Raw-to-staging accounting per raw table, then every tie."""
    results = [raw_to_staging_result(row) for row in raw_accounting(con, raw_dir)]
    results += [tie_result(tie, tie_values(con, tie)) for tie in ties]
    return results
