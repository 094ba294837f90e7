"""What `pgc experiment EXPERIMENT_ID` reads: the registry row, the logged units per arm, and
per-arm sufficient statistics of each unit-level metric, computed in SQL.

Sources: `reference.experiment_registry`, `marts.fct_experiment_assignment_daily` (units per
arm), `marts.fct_experiment_viewer_units` and `marts.fct_experiment_creator_units` (one row
per unit with its during- and pre-period counts), and `metrics.metric_catalogue` (each
metric's direction and guardrail tag). The exposure readouts (new-creator and top-creator
shares, the ranking experiment's per-surface and per-band breakdowns, the two-sided cells)
need impressions with both the viewer and the creator; they read
`intermediate.int_impressions_enriched` (a table, as the shift monitors read
`int_views_enriched`), joined to the unit marts with the marts' own windows: from the unit's
first exposure to the end of the end date. Units logged in both variants are excluded.

Every aggregate is a count, sum, sum of squares or cross product over units: Python gets
numbers, never rows of units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from python_checks.experiments.arm_statistics import ArmStatistics, ArmStatisticsError
from python_checks.experiments.experiment_readout import ExperimentDesign, ExperimentInputs
from python_checks.experiments.readout import MetricArms
from python_checks.experiments.two_sided import (
    CELLS,
    DURING,
    PRE,
    VECTOR_SIZE,
    ClusterMoments,
    TwoSidedInputs,
    cell_name,
    position,
)
from python_checks.warehouse.connection import WarehouseError
from python_checks.warehouse.metric_layer import load_catalogue

REGISTRY = "reference.experiment_registry"
ASSIGNMENT_DAILY = "marts.fct_experiment_assignment_daily"
VIEWER_UNITS = "marts.fct_experiment_viewer_units"
CREATOR_UNITS = "marts.fct_experiment_creator_units"
IMPRESSIONS = "intermediate.int_impressions_enriched"
CREATORS = "marts.dim_creators"
VARIANTS = ("control", "treatment")


@dataclass(frozen=True)
class UnitMetric:
    """A metric measured per unit of randomization: SQL over one row of the unit mart for
    its numerator, its denominator (ratio metrics) and its pre-period covariate. Direction
    and the guardrail tag come from `catalogue_metric` in metrics.metric_catalogue; a metric
    with no catalogue counterpart states them."""

    name: str
    unit_type: str
    numerator: str
    denominator: str | None
    pre: str | None
    catalogue_metric: str | None
    direction: str = "higher_is_better"
    is_guardrail: bool = False


UNIT_METRICS = (
    UnitMetric("watch_time_per_viewer", "viewer", "during_watch_ms / 1000.0", None,
               "pre_watch_ms / 1000.0", "watch_hours"),
    UnitMetric("views_per_viewer", "viewer", "during_view_count", None, "pre_view_count",
               "views_per_active_viewer"),
    UnitMetric("impressions_per_viewer", "viewer", "during_impression_count", None,
               "pre_impression_count", "impressions"),
    UnitMetric("active_days_per_viewer", "viewer", "during_active_days", None,
               "pre_active_days", "daily_active_viewers"),
    UnitMetric("view_through_rate", "viewer", "during_view_count", "during_impression_count",
               None, "view_through_rate"),
    UnitMetric("for_you_view_through_rate", "viewer", "during_for_you_view_count",
               "during_for_you_impression_count", None, "view_through_rate"),
    UnitMetric("watch_seconds_per_impression", "viewer", "during_watch_ms / 1000.0",
               "during_impression_count", None, "watch_seconds_per_impression"),
    UnitMetric("completion_rate", "viewer", "during_completed_view_count", "during_view_count",
               None, "completion_rate"),
    UnitMetric("views_per_creator", "creator", "during_views_received_count", None,
               "pre_views_received_count", "views"),
    UnitMetric("impressions_per_creator", "creator", "during_impressions_received_count", None,
               "pre_impressions_received_count", "impressions"),
    UnitMetric("posts_per_creator", "creator", "during_post_count", None, "pre_post_count",
               "posts"),
    UnitMetric("views_per_impression_received", "creator", "during_views_received_count",
               "during_impressions_received_count", None, "view_through_rate"),
    UnitMetric("watch_seconds_per_creator", "creator", "during_watch_ms_received / 1000.0",
               None, None, "delivered_watch_seconds"),
)  # fmt: skip
# Exposure shares per viewer, from impressions (numerator column of `viewer_exposure`).
EXPOSURE_METRICS = (
    UnitMetric("new_creator_impression_share", "viewer", "new_creator_impressions",
               "impressions", None, "new_creator_impression_share"),
    UnitMetric("pgc_impression_share", "viewer", "pgc_impressions", "impressions", None,
               "pgc_impression_share"),
    UnitMetric("top_creator_impression_share", "viewer", "top_creator_impressions",
               "impressions", None, None, "lower_is_better", True),
)  # fmt: skip
# The top creators of the exposure-concentration guardrail: this share of creators (rounded
# up) with the most impressions in the pre-period, fixed before the experiment so the set
# does not depend on the treatment.
TOP_CREATOR_FRACTION = 0.01
# A creator's tenure at the impression: new below 30 days (the `new_creator_days` of
# dbt_project.yml), established past a year.
TENURE_BANDS = ((30, "new (<30 days)"), (365, "30-365 days"), (None, "over a year"))
# Popularity bands by pre-period impressions received: top 1 %, next 9 %, the rest, and
# creators with no pre-period impressions (new creators, new posts).
POPULARITY_BANDS = ((0.01, "top 1%"), (0.10, "top 1-10%"), (1.0, "other"))
VIEWS_METRIC, PER_IMPRESSION_METRIC = "views_per_creator", "views_per_impression_received"
TWO_SIDED_METRIC = "view_through_rate"


def read_experiment_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0] for row in con.execute(f"select experiment_id from {REGISTRY} order by 1").fetchall()
    ]


def read_design(
    con: duckdb.DuckDBPyConnection, experiment_id: str
) -> tuple[ExperimentDesign, float]:
    """The registry's row (and the treatment share); an unknown id is a WarehouseError that
    lists the registered ones."""
    row = con.execute(
        f"select experiment_name, randomization_unit, primary_metric, hypothesis, start_date, "
        f"end_date, treatment_share from {REGISTRY} where experiment_id = ?",
        [experiment_id],
    ).fetchone()
    if row is None:
        known = ", ".join(read_experiment_ids(con))
        raise WarehouseError(f"no experiment {experiment_id!r} in the registry (known: {known})")
    name, unit, primary, hypothesis, start, end, share = row
    (last,) = con.execute(f"select max(impression_date) from {IMPRESSIONS}").fetchone()
    design = ExperimentDesign(
        experiment_id, name, unit, primary, hypothesis, _date(start), _date(end), _date(last)
    )
    return design, float(share)


def _date(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def read_experiment_inputs(con: duckdb.DuckDBPyConnection, experiment_id: str) -> ExperimentInputs:
    """Everything `build_readout` needs for one registered experiment."""
    con.execute("set enable_progress_bar = false")
    design, treatment_share = read_design(con, experiment_id)
    catalogue = load_catalogue(con)
    unit_types = {"viewer": ("viewer",), "creator": ("creator",), "both": ("viewer", "creator")}[
        design.randomization_unit
    ]
    definitions = [m for m in UNIT_METRICS if m.unit_type in unit_types]
    if "viewer" in unit_types:
        definitions += list(EXPOSURE_METRICS)
    names = [m.name for m in definitions]
    if design.primary_metric not in names:
        raise WarehouseError(
            f"{experiment_id}: primary metric {design.primary_metric!r} of the registry has no "
            f"unit-level definition (defined: {', '.join(names)})"
        )
    arms = {}
    for unit_type in unit_types:
        mart = VIEWER_UNITS if unit_type == "viewer" else CREATOR_UNITS
        arms.update(
            _unit_metric_arms(
                con, experiment_id, mart, [m for m in UNIT_METRICS if m.unit_type == unit_type]
            )
        )
    exposure = None
    if "viewer" in unit_types:
        arms.update(_exposure_metric_arms(con, experiment_id))
        exposure = _exposure_by_arm(con, experiment_id)
    metrics = []
    for definition in definitions:
        role, direction = _role(definition, design.primary_metric, catalogue)
        metrics.append(
            MetricArms(
                definition.name, role, direction, arms[definition.name], definition.unit_type
            )
        )
    measured = {m.catalogue_metric for m in definitions}
    unmeasured = tuple(
        name
        for name in catalogue.index
        if bool(catalogue.loc[name].get("is_guardrail", False)) and name not in measured
    )
    breakdowns = _breakdowns(con, experiment_id) if design.randomization_unit == "viewer" else ()
    return ExperimentInputs(
        design=design,
        metrics=tuple(metrics),
        unit_counts=_unit_counts(con, experiment_id),
        designed_shares={"control": 1 - treatment_share, "treatment": treatment_share},
        breakdowns=breakdowns,
        creator_side=(VIEWS_METRIC, PER_IMPRESSION_METRIC)
        if design.randomization_unit == "creator"
        else None,
        two_sided=_two_sided_inputs(con, experiment_id)
        if design.randomization_unit == "both"
        else None,
        exposure_by_arm=exposure,
        unmeasured_guardrails=unmeasured,
    )


def _role(definition: UnitMetric, primary: str, catalogue: pd.DataFrame) -> tuple[str, str]:
    direction, guardrail = definition.direction, definition.is_guardrail
    if definition.catalogue_metric is not None:
        if definition.catalogue_metric not in catalogue.index:
            raise WarehouseError(
                f"experiment metric {definition.name!r} refers to catalogue metric "
                f"{definition.catalogue_metric!r}, which metrics.metric_catalogue lacks"
            )
        entry = catalogue.loc[definition.catalogue_metric]
        direction = str(entry["direction"])
        guardrail = bool(entry.get("is_guardrail", False))
    if definition.name == primary:
        return "primary", direction
    return ("guardrail" if guardrail else "secondary"), direction


def _unit_counts(con: duckdb.DuckDBPyConnection, experiment_id: str) -> dict[str, dict[str, int]]:
    rows = con.execute(
        f"select unit_type, variant, max(cumulative_unit_count) from {ASSIGNMENT_DAILY} "
        "where experiment_id = ? group by unit_type, variant order by unit_type, variant",
        [experiment_id],
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for unit_type, variant, n in rows:
        counts.setdefault(unit_type, {})[variant] = int(n)
    return counts


def _moment_columns(index: int, metric: UnitMetric) -> list[str]:
    y = f"cast({metric.numerator} as double)"
    columns = [f"sum({y})", f"sum({y} * {y})"]
    if metric.denominator:
        x = f"cast({metric.denominator} as double)"
        columns += [f"sum({x})", f"sum({x} * {x})", f"sum({y} * {x})"]
    if metric.pre:
        z = f"cast({metric.pre} as double)"
        columns += [f"sum({z})", f"sum({z} * {z})", f"sum({y} * {z})"]
    return [f"{column} as m{index}_{k}" for k, column in enumerate(columns)]


def _arm_statistics(n: int, values: Sequence[float], metric: UnitMetric) -> ArmStatistics:
    values = [float(v) for v in values]
    fields = {"n": n, "sum": values[0], "sum_squares": values[1]}
    rest = values[2:]
    if metric.denominator:
        fields.update(
            zip(
                ("denominator_sum", "denominator_sum_squares", "sum_product"), rest[:3], strict=True
            )
        )
        rest = rest[3:]
    if metric.pre:
        fields.update(zip(("pre_sum", "pre_sum_squares", "sum_product_pre"), rest[:3], strict=True))
    return ArmStatistics(**fields)


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    source_sql: str,
    params: list | dict,
    metrics: Sequence[UnitMetric],
    keys: Sequence[str] = (),
) -> dict[tuple, dict[str, dict[str, ArmStatistics]]]:
    """Per-arm sufficient statistics of `metrics` over the units `source_sql` returns (one
    row per unit with a `variant` column), grouped by `keys` as well: {key values: {metric:
    {variant: statistics}}}. A group whose statistics no readout can use (fewer than two
    units in an arm, a zero denominator) is left out."""
    columns = [c for i, m in enumerate(metrics) for c in _moment_columns(i, m)]
    group = ", ".join([*keys, "variant"])
    sql = (
        f"select {group}, count(*) as n, {', '.join(columns)} from ({source_sql}) as units "
        f"group by {group} order by {group}"
    )
    frame = con.execute(sql, params).df()
    out: dict[tuple, dict[str, dict[str, ArmStatistics]]] = {}
    for record in frame.to_dict("records"):
        key = tuple(record[k] for k in keys)
        by_metric = out.setdefault(key, {m.name: {} for m in metrics})
        for i, metric in enumerate(metrics):
            values = [record[name] for name in record if name.startswith(f"m{i}_")]
            try:
                arm = _arm_statistics(int(record["n"]), values, metric)
            except ArmStatisticsError:
                continue
            by_metric[metric.name][record["variant"]] = arm
    return out


def _unit_metric_arms(
    con: duckdb.DuckDBPyConnection, experiment_id: str, mart: str, metrics: Sequence[UnitMetric]
) -> dict[str, dict[str, ArmStatistics]]:
    source = f"select * from {mart} where experiment_id = ? and not has_conflicting_variants"
    return _aggregate(con, source, [experiment_id], metrics).get((), {})


def _during_impressions_sql() -> str:
    """Impressions of the experiment's viewer units in their window, with the unit's arm."""
    return f"""
        select
            units.viewer_id,
            units.variant,
            impressions.creator_id,
            impressions.surface_code,
            impressions.served_at,
            impressions.is_new_creator,
            impressions.is_pgc,
            impressions.is_viewed,
            impressions.is_completed,
            coalesce(impressions.watch_ms, 0) as watch_ms
        from {VIEWER_UNITS} as units
        inner join {IMPRESSIONS} as impressions
            on
                units.viewer_id = impressions.viewer_id
                and impressions.served_at >= units.first_assigned_at
                and impressions.impression_date <= units.experiment_end_date
        where units.experiment_id = $experiment and not units.has_conflicting_variants
    """


def _pre_exposure_sql() -> str:
    """Each creator's rank by impressions in the 14 days before the experiment started, and
    the number of creators ranked."""
    return f"""
        select
            impressions.creator_id,
            row_number() over (order by count(*) desc, impressions.creator_id) as pre_rank,
            count(*) over () as pre_creators
        from {IMPRESSIONS} as impressions
        inner join {REGISTRY} as registry
            on
                registry.experiment_id = $experiment
                and impressions.impression_date
                >= cast(registry.start_date as date) - interval 14 day
                and impressions.impression_date < cast(registry.start_date as date)
        group by impressions.creator_id
    """


def _top_creators_sql() -> str:
    """Creators in the top TOP_CREATOR_FRACTION by impressions in the pre-period."""
    return f"""
        select creator_id
        from ({_pre_exposure_sql()}) as ranked
        where pre_rank <= ceil({TOP_CREATOR_FRACTION} * pre_creators)
    """


def _exposure_metric_arms(
    con: duckdb.DuckDBPyConnection, experiment_id: str
) -> dict[str, dict[str, ArmStatistics]]:
    source = f"""
        with during as ({_during_impressions_sql()}),
        top_creators as ({_top_creators_sql()}),
        per_viewer as (
            select
                during.viewer_id,
                count(*) as impressions,
                count(*) filter (where during.is_new_creator) as new_creator_impressions,
                count(*) filter (where during.is_pgc) as pgc_impressions,
                count(top_creators.creator_id) as top_creator_impressions
            from during
            left join top_creators on during.creator_id = top_creators.creator_id
            group by during.viewer_id
        )
        select
            units.variant,
            coalesce(per_viewer.impressions, 0) as impressions,
            coalesce(per_viewer.new_creator_impressions, 0) as new_creator_impressions,
            coalesce(per_viewer.pgc_impressions, 0) as pgc_impressions,
            coalesce(per_viewer.top_creator_impressions, 0) as top_creator_impressions
        from {VIEWER_UNITS} as units
        left join per_viewer on units.viewer_id = per_viewer.viewer_id
        where units.experiment_id = $experiment and not units.has_conflicting_variants
    """
    return _aggregate(con, source, {"experiment": experiment_id}, EXPOSURE_METRICS).get((), {})


def _exposure_by_arm(con: duckdb.DuckDBPyConnection, experiment_id: str) -> dict[str, np.ndarray]:
    """Impressions per creator from each viewer arm (for Gini and the top share)."""
    rows = con.execute(
        f"with during as ({_during_impressions_sql()}) "
        "select variant, creator_id, count(*) from during group by all order by 1, 2",
        {"experiment": experiment_id},
    ).fetchall()
    by_arm: dict[str, list[int]] = {}
    for variant, _, count in rows:
        by_arm.setdefault(variant, []).append(count)
    return {variant: np.array(counts, dtype=float) for variant, counts in by_arm.items()}


def _breakdowns(con: duckdb.DuckDBPyConnection, experiment_id: str) -> tuple[MetricArms, ...]:
    """The ranking experiment's efficiency by surface, and its exposure by creator tenure
    and popularity band: per-viewer ratio metrics per segment."""
    tenure_cases = " ".join(
        f"when age_days < {limit} then '{label}'" if limit else f"else '{label}'"
        for limit, label in TENURE_BANDS
    )
    popularity_cases = " ".join(
        f"when pre_rank <= ceil({share} * pre_creators) then '{label}'"
        for share, label in POPULARITY_BANDS
    )
    source = f"""
        with during as ({_during_impressions_sql()}),
        pre_exposure as ({_pre_exposure_sql()}),
        labelled as (
            select
                during.*,
                date_diff('day', creators.signed_up_at, during.served_at) as age_days,
                pre_exposure.pre_rank,
                pre_exposure.pre_creators
            from during
            left join {CREATORS} as creators on during.creator_id = creators.creator_id
            left join pre_exposure on during.creator_id = pre_exposure.creator_id
        ),
        segments as (
            select viewer_id, 'surface' as dimension, surface_code as segment, is_viewed,
                is_completed, watch_ms from labelled
            union all
            select viewer_id, 'creator_tenure', case {tenure_cases} end, is_viewed,
                is_completed, watch_ms from labelled
            union all
            select viewer_id, 'creator_popularity',
                case when pre_rank is null then 'no pre-period exposure' {popularity_cases} end,
                is_viewed, is_completed, watch_ms from labelled
        ),
        per_segment as (
            select
                viewer_id, dimension, segment,
                count(*) as impressions,
                count(*) filter (where is_viewed) as views,
                count(*) filter (where is_completed) as completed_views,
                sum(watch_ms) / 1000.0 as watch_seconds
            from segments group by all
        ),
        per_viewer as (
            select viewer_id, count(*) as all_impressions from during group by viewer_id
        ),
        units as (
            select viewer_id, variant from {VIEWER_UNITS}
            where experiment_id = $experiment and not has_conflicting_variants
        ),
        grid as (
            select units.viewer_id, units.variant, kinds.dimension, kinds.segment
            from units cross join (select distinct dimension, segment from per_segment) as kinds
        )
        select
            grid.variant, grid.dimension, grid.segment,
            coalesce(per_segment.impressions, 0) as impressions,
            coalesce(per_segment.views, 0) as views,
            coalesce(per_segment.completed_views, 0) as completed_views,
            coalesce(per_segment.watch_seconds, 0) as watch_seconds,
            coalesce(per_viewer.all_impressions, 0) as all_impressions
        from grid
        left join per_segment
            on grid.viewer_id = per_segment.viewer_id and grid.dimension = per_segment.dimension
            and grid.segment = per_segment.segment
        left join per_viewer on grid.viewer_id = per_viewer.viewer_id
    """
    surface_metrics = (
        UnitMetric("view_through_rate", "viewer", "views", "impressions", None, None),
        UnitMetric(
            "watch_seconds_per_impression", "viewer", "watch_seconds", "impressions", None, None
        ),
        UnitMetric("completion_rate", "viewer", "completed_views", "views", None, None),
    )
    share_metric = UnitMetric(
        "impression_share", "viewer", "impressions", "all_impressions", None, None
    )
    params = {"experiment": experiment_id}
    by_surface = _aggregate(
        con,
        f"select * from ({source}) where dimension = 'surface'",
        params,
        surface_metrics,
        ("dimension", "segment"),
    )
    by_band = _aggregate(
        con,
        f"select * from ({source}) where dimension <> 'surface'",
        params,
        (share_metric,),
        ("dimension", "segment"),
    )
    out = []
    for (dimension, segment), arms in {**by_surface, **by_band}.items():
        for name, by_variant in arms.items():
            if set(by_variant) == set(VARIANTS):
                out.append(
                    MetricArms(
                        name,
                        "secondary",
                        "higher_is_better",
                        by_variant,
                        "viewer",
                        f"{dimension}={segment}",
                    )
                )
    return tuple(out)


def _two_sided_inputs(con: duckdb.DuckDBPyConnection, experiment_id: str) -> TwoSidedInputs:
    """Views and impressions by viewer arm x creator arm, during the experiment (each
    viewer's window) and in the pre-period (the 14 days before the start), as cluster
    moments by viewer, by creator and by viewer x creator pair (experiments.two_sided)."""
    pairs_sql = f"""
        with viewer_units as (
            select viewer_id, variant, first_assigned_at, pre_period_start_date,
                experiment_start_date, experiment_end_date
            from {VIEWER_UNITS}
            where experiment_id = $experiment and not has_conflicting_variants
        ),
        creator_arms as (
            select creator_id, variant as creator_variant from {CREATOR_UNITS}
            where experiment_id = $experiment and not has_conflicting_variants
        ),
        periods as (
            select
                viewer_units.viewer_id, viewer_units.variant as viewer_variant,
                impressions.creator_id, impressions.is_viewed,
                case
                    when impressions.served_at >= viewer_units.first_assigned_at
                        and impressions.impression_date <= viewer_units.experiment_end_date
                        then {DURING}
                    when impressions.impression_date >= viewer_units.pre_period_start_date
                        and impressions.impression_date < viewer_units.experiment_start_date
                        then {PRE}
                end as period
            from viewer_units
            inner join {IMPRESSIONS} as impressions
                on viewer_units.viewer_id = impressions.viewer_id
        )
        select
            periods.viewer_id, periods.viewer_variant, periods.creator_id,
            creator_arms.creator_variant, periods.period,
            cast(count(*) filter (where periods.is_viewed) as double) as views,
            cast(count(*) as double) as impressions
        from periods
        inner join creator_arms on periods.creator_id = creator_arms.creator_id
        where periods.period is not null
        group by all
    """
    params = {"experiment": experiment_id}
    # The pairs are read three times (by viewer, by creator, by pair): aggregate them once
    # into a temporary table (allowed on a read-only connection; gone when it closes).
    con.execute(f"create or replace temp table experiment_pairs as {pairs_sql}", params)
    pairs_sql = "select * from experiment_pairs"
    quantities = ("views", "impressions")

    def moments(sql: str, layout: list[tuple[str, Callable[[str], int]]]) -> list[ClusterMoments]:
        """Cluster moments from a query with one row per cluster: `variant` (the stratum)
        and the columns of `layout`, each with its vector index per stratum value."""
        names = [name for name, _ in layout]
        sums = ", ".join(f"sum({name}) as s_{i}" for i, name in enumerate(names))
        products = ", ".join(
            f"sum({a} * {b}) as p_{i}_{j}"
            for i, a in enumerate(names)
            for j, b in enumerate(names)
            if j >= i
        )
        query = f"select variant, count(*) as n, {sums}, {products} from ({sql}) group by variant"
        strata = []
        bound = params if "$experiment" in query else {}
        for record in con.execute(query, bound).df().to_dict("records"):
            index = [where(record["variant"]) for _, where in layout]
            vector, matrix = np.zeros(VECTOR_SIZE), np.zeros((VECTOR_SIZE, VECTOR_SIZE))
            for i in range(len(names)):
                vector[index[i]] = record[f"s_{i}"]
                for j in range(i, len(names)):
                    matrix[index[i], index[j]] = matrix[index[j], index[i]] = record[f"p_{i}_{j}"]
            strata.append(ClusterMoments(int(record["n"]), vector, matrix))
        return strata

    def side(unit: str, mart: str, other: str) -> list[ClusterMoments]:
        """Per unit of one side: views and impressions against each arm of the other side,
        in each period; units without impressions count as zeros."""
        layout, columns = [], []
        for period in (DURING, PRE):
            for other_variant in VARIANTS:
                for q, quantity in enumerate(quantities):
                    name = f"{quantity}_{other_variant}_{period}"
                    columns.append(
                        f"coalesce(sum(pairs.{quantity}) filter (where pairs.{other}_variant = "
                        f"'{other_variant}' and pairs.period = {period}), 0) as {name}"
                    )

                    def where(variant, p=period, o=other_variant, q=q):
                        cell = cell_name(variant, o) if unit == "viewer" else cell_name(o, variant)
                        return position(p, CELLS.index(cell), q)

                    layout.append((name, where))
        sql = f"""
            with pairs as ({pairs_sql})
            select units.variant, {", ".join(columns)}
            from {mart} as units
            left join pairs on units.{unit}_id = pairs.{unit}_id
            where units.experiment_id = $experiment and not units.has_conflicting_variants
            group by units.{unit}_id, units.variant
        """
        return moments(sql, layout)

    pair_layout = []
    pair_columns = []
    for period in (DURING, PRE):
        for q, quantity in enumerate(quantities):
            name = f"{quantity}_{period}"
            pair_columns.append(f"sum({quantity}) filter (where period = {period}) as {name}")

            def where(variant, p=period, q=q):
                viewer_variant, creator_variant = variant.split("|")
                return position(p, CELLS.index(cell_name(viewer_variant, creator_variant)), q)

            pair_layout.append((f"coalesce({name}, 0)", where))
    pair_sql = f"""
        with pairs as ({pairs_sql})
        select viewer_variant || '|' || creator_variant as variant, {", ".join(pair_columns)}
        from pairs group by viewer_id, creator_id, viewer_variant, creator_variant
    """
    return TwoSidedInputs(
        TWO_SIDED_METRIC,
        side("viewer", VIEWER_UNITS, "creator"),
        side("creator", CREATOR_UNITS, "viewer"),
        moments(pair_sql, pair_layout),
    )
