"""What the distribution-shift monitors read: the monitored columns of the event tables and
marts, and for each, in two periods, a capped deterministic sample of a numeric column or
the row counts per value of a categorical one."""

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from python_checks.monitoring.shift_monitors import Periods, ShiftSample

# Per period. KS at n = m = 20,000 detects D >= 1.36 * sqrt(2 / 20,000) = 0.014 at the 5%
# level: far below any shift that reaches PSI 0.1, so the cap costs no power that matters,
# and sampling the same rows every run keeps results reproducible.
DEFAULT_SAMPLE_CAP = 20_000


@dataclass(frozen=True)
class NumericMonitor:
    """A numeric column compared with KS; `sample_key` orders the deterministic sample."""

    name: str
    relation: str
    day_column: str
    value_sql: str
    sample_key: str


@dataclass(frozen=True)
class CategoricalMonitor:
    """A categorical column whose mix is compared with chi-square."""

    name: str
    relation: str
    day_column: str
    category_sql: str


VIEWS = "intermediate.int_views_enriched"
IMPRESSIONS = "intermediate.int_impressions_enriched"

NUMERIC_MONITORS = (
    NumericMonitor("watch_ms_per_view", VIEWS, "view_date", "watch_ms", "view_id"),
    NumericMonitor(
        "views_per_viewer_day",
        "marts.fct_viewer_daily",
        "activity_date",
        "view_count",
        "viewer_id, activity_date",
    ),
    NumericMonitor(
        "impressions_per_viewer_day",
        "marts.fct_viewer_daily",
        "activity_date",
        "impression_count",
        "viewer_id, activity_date",
    ),
    NumericMonitor(
        "posts_per_creator_day",
        "marts.fct_creator_daily",
        "activity_date",
        "post_count",
        "creator_id, activity_date",
    ),
    NumericMonitor(
        "rank_position_per_impression",
        IMPRESSIONS,
        "impression_date",
        "rank_position",
        "impression_id",
    ),
)

CATEGORICAL_MONITORS = (
    CategoricalMonitor("views_by_surface", VIEWS, "view_date", "surface_code"),
    CategoricalMonitor("views_by_device", VIEWS, "view_date", "device_os"),
    CategoricalMonitor("views_by_app_version", VIEWS, "view_date", "app_version"),
    CategoricalMonitor("views_by_region", VIEWS, "view_date", "viewer_region_code"),
    CategoricalMonitor("views_by_category", VIEWS, "view_date", "category_code"),
    CategoricalMonitor("views_by_creator_type", VIEWS, "view_date", "creator_type"),
    CategoricalMonitor("impressions_by_surface", IMPRESSIONS, "impression_date", "surface_code"),
    CategoricalMonitor(
        "impressions_by_model_version", IMPRESSIONS, "impression_date", "model_version"
    ),
    CategoricalMonitor("posts_by_category", "marts.dim_content", "published_date", "category_code"),
    CategoricalMonitor("posts_by_tool", "marts.dim_content", "published_date", "tool_code"),
)


def last_event_date(con: duckdb.DuckDBPyConnection) -> date:
    """The last day of the event logs (intermediate.int_event_windows_measured)."""
    row = con.execute(
        "select last_event_date from intermediate.int_event_windows_measured"
    ).fetchone()
    if row is None or row[0] is None:
        raise ValueError("intermediate.int_event_windows_measured has no last_event_date")
    return row[0]


def read_shift_samples(
    con: duckdb.DuckDBPyConnection,
    periods: Periods,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
    numeric_monitors: tuple[NumericMonitor, ...] = NUMERIC_MONITORS,
    categorical_monitors: tuple[CategoricalMonitor, ...] = CATEGORICAL_MONITORS,
) -> list[ShiftSample]:
    """Both periods of every monitored column."""
    samples = []
    for numeric in numeric_monitors:
        samples.append(
            ShiftSample(
                numeric.name,
                f"{numeric.relation}.{numeric.value_sql}",
                "numeric",
                _numeric_sample(
                    con, numeric, periods.baseline_start, periods.baseline_end, sample_cap
                ),
                _numeric_sample(
                    con, numeric, periods.current_start, periods.current_end, sample_cap
                ),
            )
        )
    for categorical in categorical_monitors:
        samples.append(
            ShiftSample(
                categorical.name,
                f"{categorical.relation}.{categorical.category_sql}",
                "categorical",
                _category_counts(con, categorical, periods.baseline_start, periods.baseline_end),
                _category_counts(con, categorical, periods.current_start, periods.current_end),
            )
        )
    return samples


def _numeric_sample(
    con: duckdb.DuckDBPyConnection, monitor: NumericMonitor, start: date, end: date, cap: int
) -> np.ndarray:
    # Ordering by a hash of the row's key is a pseudo-random sample that is the same on
    # every run and needs no seed; the key breaks the (rare) hash ties.
    sql = f"""
        select cast({monitor.value_sql} as double) as value
        from {monitor.relation}
        where {monitor.day_column} between ? and ? and {monitor.value_sql} is not null
        order by hash({monitor.sample_key}), {monitor.sample_key}
        limit ?
    """
    return con.execute(sql, [start, end, cap]).fetchnumpy()["value"]


def _category_counts(
    con: duckdb.DuckDBPyConnection, monitor: CategoricalMonitor, start: date, end: date
) -> pd.Series:
    sql = f"""
        select coalesce(cast({monitor.category_sql} as varchar), '(null)') as category,
            count(*) as row_count
        from {monitor.relation}
        where {monitor.day_column} between ? and ?
        group by 1
    """
    frame = con.execute(sql, [start, end]).df()
    return frame.set_index("category")["row_count"]
