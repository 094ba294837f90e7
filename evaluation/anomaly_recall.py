"""How well anomaly detection finds the simulator's planted incidents.

    python -m evaluation.anomaly_recall --warehouse warehouse/tiny.duckdb --raw data/tiny/raw

Definitions (docs/checks_anomaly.md):

- An incident affects the catalogue metrics its `affected_metrics` name and every metric
  computed from those (the closure over the catalogue's `input_metrics`: completion_rate
  from completed_views, watch_hours from watch_time_ms, ...).
- An incident day is detected when some affected metric, on its total or any slice, is an
  anomaly that day. Recall = detected (incident, day) pairs / all pairs.
- An alarm is a true alarm when it falls on a day of an incident that affects its metric.
  Precision = true alarms / alarms. False alarms per series-day = other alarms / scored
  points outside those (metric, day) pairs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from python_checks.monitoring.anomalies import (
    TOTAL,
    DetectionSettings,
    detect_anomalies,
    rescaled_metrics,
)
from python_checks.warehouse.check_inputs import read_anomaly_inputs
from python_checks.warehouse.connection import connect


@dataclass(frozen=True)
class IncidentDay:
    """One day of one planted incident, with the catalogue metrics it moves."""

    incident_id: str
    metric_date: dt.date
    metrics: frozenset[str]


@dataclass(frozen=True)
class AlarmCount:
    """Alarms in one unit of counting, and how many of them fall on an incident."""

    alarms: int
    true_alarms: int

    @property
    def precision(self) -> float:
        return self.true_alarms / self.alarms if self.alarms else float("nan")


@dataclass(frozen=True)
class Evaluation:
    """Recall, precision and the false-alarm rate of one run against the ground truth.

    Precision is given in three units: `points`, one per tested (metric, slice, day): a
    rescaled metric's copy of its base (anomaly.rescaled_metrics) is the same test and is
    counted once; `rows`, every flagged row of the frame, copies included; `events`, one
    per (metric, day) whose total is flagged, with that metric-day's slices collapsed into
    it, plus one per other flagged slice.
    """

    incident_days: pd.DataFrame  # incident_id, metric_date, detected, detected_on_total, hits
    points: AlarmCount
    rows: AlarmCount
    events: AlarmCount
    scored_points: int
    points_outside_incidents: int

    @property
    def recall(self) -> float:
        return float(self.incident_days["detected"].mean())

    @property
    def recall_on_total(self) -> float:
        return float(self.incident_days["detected_on_total"].mean())

    @property
    def precision(self) -> float:
        return self.points.precision

    @property
    def false_alarm_rate(self) -> float:
        return (self.points.alarms - self.points.true_alarms) / self.points_outside_incidents


def downstream_metrics(seeds: Iterable[str], catalogue: pd.DataFrame) -> frozenset[str]:
    """The seed metrics and every metric whose `input_metrics` reach one of them."""
    inputs = {
        row.metric_name: set(str(row.input_metrics).split(","))
        for row in catalogue.itertuples()
        if isinstance(row.input_metrics, str) and row.input_metrics
    }
    reached = set(seeds)
    grew = True
    while grew:
        new = {metric for metric, used in inputs.items() if used & reached} - reached
        reached |= new
        grew = bool(new)
    return frozenset(reached)


def affected_catalogue_metrics(names: Iterable[str], catalogue: pd.DataFrame) -> frozenset[str]:
    """The catalogue metrics an incident that lists these metrics moves (with everything
    computed from them); a name the catalogue does not have is an error."""
    unknown = sorted(set(names) - set(catalogue["metric_name"]))
    if unknown:
        raise ValueError(
            f"ground_truth.json: incidents list affected_metrics {unknown} that are not in "
            "metrics.metric_catalogue"
        )
    return downstream_metrics(names, catalogue)


def incident_days(truth: Mapping, catalogue: pd.DataFrame) -> list[IncidentDay]:
    """Every (incident, day) of the ground truth with its affected catalogue metrics."""
    days = []
    for incident in truth["incidents"]:
        metrics = affected_catalogue_metrics(incident["affected_metrics"], catalogue)
        for day in incident["dates"]:
            days.append(IncidentDay(incident["incident_id"], dt.date.fromisoformat(day), metrics))
    return days


def _on_incident(anomalies: pd.DataFrame, days: list[IncidentDay]) -> pd.Series:
    """Whether each row's (metric, day) is moved by an incident."""
    affected_points = {(metric, day.metric_date) for day in days for metric in day.metrics}
    return pd.Series(
        [
            (metric, date) in affected_points
            for metric, date in zip(anomalies["metric_name"], anomalies["metric_date"], strict=True)
        ],
        index=anomalies.index,
        dtype=bool,
    )


def _detections(flagged: pd.DataFrame, days: list[IncidentDay]) -> pd.DataFrame:
    rows = []
    for day in days:
        hits = flagged[
            (flagged["metric_date"] == day.metric_date) & flagged["metric_name"].isin(day.metrics)
        ]
        rows.append(
            {
                "incident_id": day.incident_id,
                "metric_date": day.metric_date,
                "detected": len(hits) > 0,
                "detected_on_total": bool((hits["dimension_name"] == "total").any()),
                "hits": len(hits),
            }
        )
    return pd.DataFrame(rows)


def alarm_events(flagged: pd.DataFrame) -> pd.DataFrame:
    """Flagged points grouped into events: a flagged total takes every flagged slice of its
    metric and day; a slice flagged on a metric-day whose total is not is an event of its
    own. Columns metric_name, metric_date, dimension_name, dimension_value (of the total or
    the slice) and points (how many flagged points the event holds)."""
    totals = flagged.loc[flagged["dimension_name"] == TOTAL, ["metric_name", "metric_date"]]
    under_total = flagged.merge(
        totals.assign(total_flagged=True), on=["metric_name", "metric_date"], how="left"
    )["total_flagged"].fillna(False)
    event_key = flagged[["metric_name", "metric_date", "dimension_name", "dimension_value"]].copy()
    event_key.loc[under_total.to_numpy(dtype=bool), ["dimension_name", "dimension_value"]] = TOTAL
    return event_key.value_counts(sort=False).rename("points").reset_index()


def evaluate(anomalies: pd.DataFrame, truth: Mapping, catalogue: pd.DataFrame) -> Evaluation:
    """Score an anomaly results frame against the simulator's ground truth."""
    days = incident_days(truth, catalogue)
    copies = set(rescaled_metrics(catalogue)) & set(anomalies["metric_name"])
    on_incident = _on_incident(anomalies, days)
    flagged_rows = anomalies["is_anomaly"].astype(bool)
    tested = ~anomalies["metric_name"].isin(copies)
    flagged = anomalies[flagged_rows & tested]
    events = alarm_events(flagged)
    return Evaluation(
        incident_days=_detections(anomalies[flagged_rows], days),
        points=AlarmCount(len(flagged), int(on_incident[flagged.index].sum())),
        rows=AlarmCount(int(flagged_rows.sum()), int(on_incident[flagged_rows].sum())),
        events=AlarmCount(len(events), int(_on_incident(events, days).sum())),
        scored_points=int(tested.sum()),
        points_outside_incidents=int((~on_incident & tested).sum()),
    )


def report(evaluation: Evaluation) -> str:
    """The evaluation as a plain-text table."""
    lines = [evaluation.incident_days.to_string(index=False), ""]
    summary = {
        "scored points": evaluation.scored_points,
        "recall (any slice)": f"{evaluation.recall:.3f}",
        "recall (total)": f"{evaluation.recall_on_total:.3f}",
    }
    for unit in ("points", "rows", "events"):
        count = getattr(evaluation, unit)
        summary[f"alarms ({unit})"] = f"{count.alarms} ({count.true_alarms} true)"
        summary[f"precision ({unit})"] = f"{count.precision:.3f}"
    summary["false alarms per series-day"] = f"{evaluation.false_alarm_rate:.5f}"
    width = max(map(len, summary))
    lines += [f"{name:<{width}}  {value}" for name, value in summary.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB warehouse file")
    parser.add_argument("--raw", type=Path, required=True, help="raw data dir (ground_truth.json)")
    parser.add_argument("--alpha", type=float, default=DetectionSettings.alpha)
    parser.add_argument(
        "--min-relative-change", type=float, default=DetectionSettings.min_relative_change
    )
    args = parser.parse_args(argv)
    truth_path = args.raw / "ground_truth.json"
    if not truth_path.exists():
        parser.error(f"no ground_truth.json in {args.raw}")
    truth = json.loads(truth_path.read_text())
    with connect(args.warehouse) as con:
        inputs = read_anomaly_inputs(con)
    settings = DetectionSettings(alpha=args.alpha, min_relative_change=args.min_relative_change)
    anomalies = detect_anomalies(inputs.metric_daily, inputs.catalogue, settings=settings)
    print(report(evaluate(anomalies, truth, inputs.catalogue)))


if __name__ == "__main__":
    main()
