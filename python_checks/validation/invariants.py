"""Invariants of the built tables: metric values within the bounds their catalogue entry
implies, ratio values equal to numerator / denominator, additive metrics whose slices add
up to the total, growth accounting that adds up, and shares that sum to one.

Each invariant is a SQL query that returns the rows breaking it; a check passes when there
are none and otherwise reports how many and one example row. All are blocking.
"""

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from python_checks.check_results import CheckResult

# Relative tolerance for identities over doubles (ratios, shares).
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Invariant:
    """A rule and the SQL that returns the rows breaking it."""

    check_name: str
    subject: str
    rule: str
    violations_sql: str


@dataclass(frozen=True)
class MetricBounds:
    """Closed bounds of a metric's values; None means unbounded on that side."""

    lower: float | None
    upper: float | None

    def describe(self) -> str:
        low = "-inf" if self.lower is None else f"{self.lower:g}"
        high = "inf" if self.upper is None else f"{self.upper:g}"
        return f"value in [{low}, {high}]"


def metric_bounds(metric_name: str, metric_type: str, value_format: str) -> MetricBounds | None:
    """The bounds the catalogue implies for a metric.

    A ratio or conversion formatted as a percentage is a proportion: [0, 1]. A metric whose
    name ends in `_change` (week-over-week changes, net follower change) is signed: no
    bounds. Every other metric counts or measures something: [0, inf)."""
    if metric_name.endswith("_change"):
        return None
    if metric_type in {"ratio", "conversion"} and value_format.strip().endswith("%"):
        return MetricBounds(0.0, 1.0)
    return MetricBounds(0.0, None)


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def metric_bounds_invariant(metric_name: str, bounds: MetricBounds) -> Invariant:
    """Rows of metric_daily whose value lies outside the metric's bounds."""
    outside = [f"value < {bounds.lower}"] if bounds.lower is not None else []
    outside += [f"value > {bounds.upper}"] if bounds.upper is not None else []
    return Invariant(
        "invariant.metric_bounds",
        metric_name,
        bounds.describe(),
        f"""
        select metric_date, dimension_name, dimension_value, value
        from metrics.metric_daily
        where metric_name = {_literal(metric_name)} and ({" or ".join(outside)})
        order by metric_date, dimension_name, dimension_value
        """,
    )


def ratio_invariant(metric_name: str) -> Invariant:
    """Rows of a ratio or conversion metric whose value is not numerator / denominator.
    The value is null exactly when it cannot be computed: a zero or missing denominator,
    or a missing numerator (a conversion window that is not fully observed yet)."""
    return Invariant(
        "invariant.ratio_equals_numerator_over_denominator",
        metric_name,
        "value = numerator / denominator, null when either is null or the denominator is 0",
        f"""
        select metric_date, dimension_name, dimension_value, value, numerator, denominator
        from metrics.metric_daily
        where metric_name = {_literal(metric_name)} and (
            case
                when numerator is null or coalesce(denominator, 0) = 0
                    then value is not null
                else value is null
                    or abs(value - numerator / denominator)
                        > {TOLERANCE} * greatest(1, abs(value))
            end
        )
        order by metric_date, dimension_name, dimension_value
        """,
    )


def additive_slices_invariant(metric_name: str) -> Invariant:
    """Days where an additive metric's slices of one dimension do not add up to its total
    (a day with a total but no slices of a dimension the metric is sliced by counts too)."""
    return Invariant(
        "invariant.additive_slices_sum_to_total",
        metric_name,
        "sum over the values of each dimension = the total, every day",
        f"""
        with metric_rows as (
            select metric_date, dimension_name, value
            from metrics.metric_daily
            where metric_name = {_literal(metric_name)}
        ),
        totals as (
            select metric_date, value as total_value
            from metric_rows where dimension_name = 'total'
        ),
        dimensions as (
            select distinct dimension_name from metric_rows where dimension_name <> 'total'
        ),
        slice_sums as (
            select metric_date, dimension_name, sum(value) as slice_sum
            from metric_rows where dimension_name <> 'total'
            group by 1, 2
        ),
        compared as (
            select
                coalesce(totals.metric_date, slice_sums.metric_date) as metric_date,
                coalesce(dimensions.dimension_name, slice_sums.dimension_name)
                    as dimension_name,
                coalesce(slice_sums.slice_sum, 0) as slice_sum,
                coalesce(totals.total_value, 0) as total_value
            from totals
            cross join dimensions
            full outer join slice_sums
                on totals.metric_date = slice_sums.metric_date
                and dimensions.dimension_name = slice_sums.dimension_name
        )
        select * from compared
        where abs(slice_sum - total_value) > {TOLERANCE} * greatest(1, abs(total_value))
        order by metric_date, dimension_name
        """,
    )


def catalogue_invariants(con: duckdb.DuckDBPyConnection) -> list[Invariant]:
    """Bounds, ratio and additivity invariants for every metric in metric_daily, read from
    metrics.metric_catalogue."""
    catalogue = con.execute(
        """
        select metric_name, metric_type, value_format, is_additive
        from metrics.metric_catalogue
        where metric_name in (select distinct metric_name from metrics.metric_daily)
        order by metric_name
        """
    ).fetchall()
    invariants = []
    for metric_name, metric_type, value_format, is_additive in catalogue:
        bounds = metric_bounds(metric_name, metric_type, value_format or "")
        if bounds is not None:
            invariants.append(metric_bounds_invariant(metric_name, bounds))
        if metric_type in {"ratio", "conversion"}:
            invariants.append(ratio_invariant(metric_name))
        if is_additive:
            invariants.append(additive_slices_invariant(metric_name))
    return invariants


GROWTH = "marts.fct_creator_growth_weekly"
SHARE_COLUMNS = {
    "marts.fct_distribution_daily": (
        "view_through_rate",
        "completion_rate",
        "creator_impression_gini",
        "top_1pct_creator_impression_share",
        "new_creator_impression_share",
        "pgc_impression_share",
        "catalogue_coverage",
    ),
    "marts.fct_creator_cohort_retention": ("retention_rate",),
    "marts.fct_creator_growth_weekly": ("retention_rate",),
    "marts.fct_content_cold_start": ("completion_rate_24h", "completion_rate_72h"),
    "marts.fct_rewards_daily": ("enrolled_share_of_eligible",),
    "marts.fct_tool_usage_daily": ("share_of_posts",),
}


def _differs(left: str, right: str) -> str:
    """SQL: two nullable numbers differ beyond the tolerance (one null and not the other
    counts as a difference)."""
    return (
        f"(({left}) is null) <> (({right}) is null) or "
        f"abs(({left}) - ({right})) > {TOLERANCE} * greatest(1, abs({right}))"
    )


MART_INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "invariant.growth_active_split",
        GROWTH,
        "active_creators = new_creators + retained_creators + resurrected_creators",
        f"select * from {GROWTH} where active_creators "
        "<> new_creators + retained_creators + resurrected_creators",
    ),
    Invariant(
        "invariant.growth_previous_active_split",
        GROWTH,
        "active_creators_previous_week = retained_creators + churned_creators",
        f"select * from {GROWTH} "
        "where active_creators_previous_week <> retained_creators + churned_creators",
    ),
    Invariant(
        "invariant.growth_previous_week_carried",
        GROWTH,
        "active_creators_previous_week = last week's active_creators of the creator type",
        f"""
        select this_week.*, last_week.active_creators as last_week_active_creators
        from {GROWTH} as this_week
        inner join {GROWTH} as last_week
            on this_week.creator_type = last_week.creator_type
            and last_week.week_start_date = this_week.week_start_date - interval 7 day
        where this_week.active_creators_previous_week <> last_week.active_creators
        """,
    ),
    Invariant(
        "invariant.growth_ratios",
        GROWTH,
        "retention_rate = retained / previous actives; quick_ratio = (new + resurrected) / churned",
        f"""
        select * from {GROWTH}
        where {
            _differs(
                "retention_rate", "retained_creators / nullif(active_creators_previous_week, 0)"
            )
        }
            or {
            _differs(
                "quick_ratio", "(new_creators + resurrected_creators) / nullif(churned_creators, 0)"
            )
        }
        """,
    ),
    Invariant(
        "invariant.shares_sum_to_one",
        "marts.fct_tool_usage_daily",
        "share_of_posts sums to 1 over tools on every day with posts",
        """
        select published_date, sum(share_of_posts) as share_sum
        from marts.fct_tool_usage_daily
        group by published_date
        having abs(sum(share_of_posts) - 1) > 1e-9
        """,
    ),
    Invariant(
        "invariant.shares_sum_to_one",
        "marts.fct_experiment_assignment_daily",
        "expected_variant_share sums to 1 over variants per experiment, unit type and day",
        """
        select experiment_id, unit_type, assignment_date,
            sum(expected_variant_share) as share_sum
        from marts.fct_experiment_assignment_daily
        group by experiment_id, unit_type, assignment_date
        having abs(sum(expected_variant_share) - 1) > 1e-9
        """,
    ),
    *(
        Invariant(
            "invariant.share_bounds",
            f"{relation}.{column}",
            f"{column} in [0, 1]",
            f"select * from {relation} where {column} < 0 or {column} > 1",
        )
        for relation, columns in SHARE_COLUMNS.items()
        for column in columns
    ),
)


def violations(con: duckdb.DuckDBPyConnection, invariant: Invariant) -> tuple[int, dict]:
    """How many rows break the invariant, and the first of them (empty when none)."""
    frame = con.execute(
        f"select *, count(*) over () as violation_count from ({invariant.violations_sql}) limit 1"
    ).df()
    if frame.empty:
        return 0, {}
    example = frame.drop(columns="violation_count").iloc[0].to_dict()
    return int(frame["violation_count"].iloc[0]), example


def invariant_result(invariant: Invariant, count: int, example: dict) -> CheckResult:
    """Pass when no row breaks the rule; the detail names the rule and an example row."""
    if count == 0:
        detail = f"holds: {invariant.rule}"
    else:
        detail = f"{count} rows break {invariant.rule}; e.g. {_format_row(example)}"
    return CheckResult(
        check_name=invariant.check_name,
        category="invariant",
        subject=invariant.subject,
        status="pass" if count == 0 else "fail",
        blocking=True,
        detail=detail,
        statistic=float(count),
        threshold=0.0,
    )


def _format_row(row: dict) -> str:
    def show(value: object) -> str:
        if isinstance(value, pd.Timestamp):
            return f"{value:%Y-%m-%d}"
        if isinstance(value, float | np.floating):
            return f"{value:.6g}"
        return str(value)

    return ", ".join(f"{column}={show(value)}" for column, value in row.items())


def run_invariants(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Every catalogue-driven and mart invariant, one result each."""
    invariants = [*catalogue_invariants(con), *MART_INVARIANTS]
    return [invariant_result(rule, *violations(con, rule)) for rule in invariants]
