"""Reading the metric layer from the warehouse for `pgc explain` and the report.

Two sources:

- the governed tables (`metrics.metric_catalogue`, `metric_tree`, `metric_daily`): the
  catalogue, the tree and one-dimension daily series, read with plain SQL;
- the semantic manifest dbt writes (`target/semantic_manifest.json`): leaf tables (every
  combination of a metric's allowed dimensions, per day) are computed by SQL generated from
  the measures' expressions over the semantic model's mart, because `metric_daily` only holds
  one-dimension slices.

This is the only module of the CLI that talks to DuckDB or reads files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

DEFAULT_MANIFEST = Path("target/semantic_manifest.json")
TOTAL = "total"
CATALOGUE_COLUMNS = (
    "metric_name, metric_label, description, metric_type, tier, status, direction, unit, "
    "value_format, allowed_dimensions, parent_metric, parent_relation, input_metrics, "
    "formula_sql, is_additive"
)


def connect(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, failing with the path when it does not exist."""
    if not Path(path).exists():
        raise FileNotFoundError(f"no warehouse at {path}: build it with `make run`")
    return duckdb.connect(str(path), read_only=read_only)


def load_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """metrics.metric_catalogue, indexed by metric_name, with allowed_dimensions as tuples."""
    frame = con.execute(f"select {CATALOGUE_COLUMNS} from metrics.metric_catalogue").df()
    frame["allowed_dimensions"] = [
        tuple(d for d in value.split(",") if d) if isinstance(value, str) else ()
        for value in frame["allowed_dimensions"]
    ]
    return frame.set_index("metric_name", drop=False).rename_axis(None)


def load_tree(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """metrics.metric_tree: metric_name, parent_metric, relation, tier, status, depth; in name
    order, so drivers are listed the same way every run (tables keep no row order)."""
    return con.execute(
        "select metric_name, parent_metric, relation, tier, status, depth from metrics.metric_tree"
        " order by metric_name"
    ).df()


def date_range(
    con: duckdb.DuckDBPyConnection, metric: str | None = None
) -> tuple[dt.date, dt.date]:
    """First and last day with a total row in metrics.metric_daily (for one metric if given)."""
    where = "dimension_name = 'total'" + (" and metric_name = $metric" if metric else "")
    params = {"metric": metric} if metric else {}
    first, last = con.execute(
        f"select min(metric_date), max(metric_date) from metrics.metric_daily where {where}",
        params,
    ).fetchone()
    if first is None:
        raise ValueError(
            f"metrics.metric_daily has no total rows{' for ' + metric if metric else ''}"
        )
    return first, last


def daily_rows(
    con: duckdb.DuckDBPyConnection,
    metrics: Sequence[str] | None,
    dates: Sequence[dt.date] | None,
    dimensions: Sequence[str] = (TOTAL,),
) -> pd.DataFrame:
    """Rows of metrics.metric_daily for the given metrics (all if None), days (all if None)
    and dimension names ('total' for the unsliced series)."""
    clauses = ["list_contains($dimensions, dimension_name)"]
    params: dict[str, object] = {"dimensions": list(dimensions)}
    if metrics is not None:
        clauses.append("list_contains($metrics, metric_name)")
        params["metrics"] = list(metrics)
    if dates is not None:
        clauses.append("list_contains($dates, metric_date)")
        params["dates"] = list(dates)
    frame = con.execute(
        "select metric_date, metric_name, dimension_name, dimension_value, value, numerator, "
        f"denominator from metrics.metric_daily where {' and '.join(clauses)}",
        params,
    ).df()
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame


# ------------------------------------------------------------------ semantic manifest


@dataclass(frozen=True)
class LeafQuery:
    """How to compute a metric per leaf: the mart, its date column, the dimension columns and
    the aggregate SQL of the numerator (the value of a non-ratio metric) and denominator."""

    metric: str
    relation: str
    date_column: str
    dimension_columns: dict[str, str]  # semantic dimension name -> SQL expression
    numerator_sql: str
    denominator_sql: str | None


def load_manifest(path: str | Path = DEFAULT_MANIFEST) -> dict:
    """The semantic manifest dbt writes; a clear error naming the file when it is missing."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no semantic manifest at {path}: run `dbt parse` (or `make run`) to write it"
        )
    return json.loads(path.read_text())


def _measure_model(manifest: dict, measure: str) -> tuple[dict, dict]:
    for model in manifest["semantic_models"]:
        for candidate in model["measures"]:
            if candidate["name"] == measure:
                return model, candidate
    raise ValueError(f"semantic manifest: measure {measure!r} is in no semantic model")


def _aggregate_sql(measure: dict) -> str:
    expression = measure["expr"] or measure["name"]
    if measure["agg"] == "sum":
        return f"sum({expression})"
    if measure["agg"] == "count_distinct":
        return f"count(distinct {expression})"
    raise ValueError(
        f"semantic manifest: measure {measure['name']!r} aggregates by "
        f"{measure['agg']!r}; only sum and count_distinct are supported"
    )


def _metric_sql(manifest: dict, metric_name: str) -> tuple[str, dict]:
    """(aggregate SQL, semantic model) of a simple metric, or of a derived metric over simple
    metrics of one semantic model without offsets (unit conversions)."""
    metrics = {metric["name"]: metric for metric in manifest["metrics"]}
    if metric_name not in metrics:
        raise ValueError(f"semantic manifest: no metric {metric_name!r}")
    metric = metrics[metric_name]
    params = metric["type_params"]
    if metric["filter"]:
        raise ValueError(f"metric {metric_name!r} has a filter: leaf SQL does not support it")
    if metric["type"] == "simple":
        model, measure = _measure_model(manifest, params["measure"]["name"])
        return _aggregate_sql(measure), model
    if metric["type"] == "derived":
        sql, models = params["expr"], set()
        for item in params["metrics"]:
            if item["offset_window"] or item["offset_to_grain"] or item["filter"]:
                raise ValueError(f"metric {metric_name!r} uses an offset or filtered input")
            inner, model = _metric_sql(manifest, item["name"])
            models.add(model["name"])
            sql = re.sub(rf"\b{re.escape(item['alias'] or item['name'])}\b", f"({inner})", sql)
        if len(models) != 1:
            raise ValueError(f"metric {metric_name!r} reads more than one semantic model")
        return sql, model
    raise ValueError(f"metric {metric_name!r} is {metric['type']}: no leaf SQL for that type")


def _dimension_columns(model: dict, dimensions: Sequence[str]) -> dict[str, str]:
    primary = model["primary_entity"] or next(
        (e["name"] for e in model["entities"] if e["type"] == "primary"), None
    )
    columns = {}
    for dimension in model["dimensions"]:
        if dimension["type"] == "categorical":
            columns[f"{primary}__{dimension['name']}"] = dimension["expr"] or dimension["name"]
    missing = [d for d in dimensions if d not in columns]
    if missing:
        raise ValueError(f"semantic model {model['name']!r} has no dimension(s) {missing}")
    return {d: columns[d] for d in dimensions}


def leaf_query(manifest: dict, metric_name: str, dimensions: Sequence[str]) -> LeafQuery:
    """The leaf SQL pieces for a simple, derived (unit conversion) or ratio metric whose inputs
    all come from one semantic model. Raises ValueError saying why otherwise."""
    metric = next((m for m in manifest["metrics"] if m["name"] == metric_name), None)
    if metric is None:
        raise ValueError(f"semantic manifest: no metric {metric_name!r}")
    if metric["type"] == "ratio":
        params = metric["type_params"]
        numerator, model = _metric_sql(manifest, params["numerator"]["name"])
        denominator, other = _metric_sql(manifest, params["denominator"]["name"])
        if model["name"] != other["name"]:
            raise ValueError(
                f"metric {metric_name!r}: numerator and denominator come from "
                f"{model['name']!r} and {other['name']!r}"
            )
    else:
        (numerator, model), denominator = _metric_sql(manifest, metric_name), None
    relation = f"{model['node_relation']['schema_name']}.{model['node_relation']['alias']}"
    time_name = model["defaults"]["agg_time_dimension"]
    time_dimension = next(d for d in model["dimensions"] if d["name"] == time_name)
    return LeafQuery(
        metric_name,
        relation,
        time_dimension["expr"] or time_name,
        _dimension_columns(model, dimensions),
        numerator,
        denominator,
    )


def leaf_rows(
    con: duckdb.DuckDBPyConnection, query: LeafQuery, dates: Sequence[dt.date]
) -> pd.DataFrame:
    """One row per leaf and day on the given days: the dimension values (as text, null as
    '(null)'), metric_date, numerator and (for ratios) denominator."""
    dimension_sql = ",\n    ".join(
        f"coalesce(cast({expression} as varchar), '(null)') as {name}"
        for name, expression in query.dimension_columns.items()
    )
    denominator = f",\n    {query.denominator_sql} as denominator" if query.denominator_sql else ""
    sql = f"""
select
    {dimension_sql},
    cast({query.date_column} as date) as metric_date,
    {query.numerator_sql} as numerator{denominator}
from {query.relation}
where list_contains($dates, cast({query.date_column} as date))
group by all
order by all
"""
    frame = con.execute(sql, {"dates": list(dates)}).df()
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame


RATIO_FORMULA = re.compile(r"^\s*(\w+)\s*/\s*nullif\(\s*(\w+)\s*,\s*0\s*\)\s*$")


def ratio_inputs(catalogue: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """{ratio metric: (numerator metric, denominator metric)}, read from the catalogue's
    formula_sql, which the build writes as `numerator / nullif(denominator, 0)`."""
    ratios = {}
    for row in catalogue[catalogue["metric_type"] == "ratio"].itertuples():
        match = RATIO_FORMULA.match(str(row.formula_sql))
        if match:
            ratios[row.metric_name] = (match.group(1), match.group(2))
    return ratios


def latest_anomalies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The anomaly frame of the latest `pgc check` run, or None when checks have not run."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'checks' and table_name in ('metric_anomalies', 'check_runs')"
    ).fetchone()[0]
    if exists < 2:
        return None
    frame = con.execute(
        "select * exclude (run_id) from checks.metric_anomalies where run_id = "
        "(select run_id from checks.check_runs order by run_at desc limit 1)"
    ).df()
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame
