"""The development sources of root-cause localization, each a list of incident cases in the
layout a user's file would have, and the adapters that feed them to every method.

| Source | Generator (written by) | Layout |
|---|---|---|
| cube | `incident_cubes.incident_cube` (this project) | two periods of failed / total |
| cube, one period | the same incidents without the baseline | one period |
| video | `video_incidents.video_incident` (this project, separately) | two periods |
| video, one period | the same without the baseline | one period |
| video, minutes | the same, baseline split into 5-30 earlier minutes | a time column |
| riskloc S, riskloc L | RiskLoc's generator (its authors; `peer_incidents`) | real / predict |
| squeeze D | `derived_incidents` (this project, from Squeeze's paper) | derived a / b |

Sources that share a generator share a group: leave-one-source-out leaves a whole group out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.derived_incidents import derived_incident
from evaluation.incident_cubes import Incident, incident_cube
from evaluation.peer_incidents import PEER_DIRECTORY, peer_incidents
from evaluation.video_incidents import video_incident
from python_checks.diagnosis.incident_files import (
    NO_BASELINE_OPTIONS,
    localize_derived_frame,
    localize_frame,
)
from python_checks.diagnosis.localization import LocalizationOptions, LocalizationResult

Slice = dict[str, object]
# The anomalous minute of "video, minutes" files; the baseline minutes come before it.
FIRST_MINUTE = 1_600_000_000


@dataclass(frozen=True)
class Case:
    """One incident as a user would hand it over: leaves in a layout, and the truth."""

    source: str
    leaves: pd.DataFrame
    dimensions: list[str]
    root_causes: tuple[Slice, ...]
    layout: str  # "two_periods", "one_period", "minutes", "forecast" or "derived"
    anomaly_time: object | None = None


@dataclass(frozen=True)
class Source:
    name: str
    group: str  # the generator: left out together
    layout: str
    cases: Callable[[int, int, Path], list[Case]]  # (seed, count, peer directory)


def _generated(
    name: str, generator: Callable[[np.random.Generator], Incident], layout: str
) -> Callable[[int, int, Path], list[Case]]:
    def cases(seed: int, count: int, _: Path) -> list[Case]:
        rng = np.random.default_rng(seed)
        incidents = [generator(rng) for _ in range(count)]
        return [_as_layout(name, incident, layout, seed, i) for i, incident in enumerate(incidents)]

    return cases


def _as_layout(name: str, incident: Incident, layout: str, seed: int, index: int) -> Case:
    dims = incident.dimensions
    leaves = incident.leaves
    if layout == "one_period":
        return Case(name, leaves[[*dims, "failed", "total"]], dims, incident.root_causes, layout)
    if layout == "minutes":
        rng = np.random.default_rng([seed, index, 60])
        return Case(
            name, minutes(leaves, dims, rng), dims, incident.root_causes, layout,
            anomaly_time=FIRST_MINUTE,
        )  # fmt: skip
    return Case(name, leaves, dims, incident.root_causes, layout)


def minutes(leaves: pd.DataFrame, dims: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Two-period leaves as a file of minutes: the baseline split into 5-30 earlier minutes
    (sessions multinomially, failures among them hypergeometrically), the anomalous period
    at FIRST_MINUTE; leaf-minutes without sessions are absent."""
    count = int(rng.integers(5, 31))
    sessions = leaves["total_baseline"].to_numpy(dtype=np.int64)
    failures = leaves["failed_baseline"].to_numpy(dtype=np.int64)
    parts = []
    for minute in range(count, 0, -1):
        share = rng.binomial(sessions, 1.0 / minute)
        failed = (
            rng.hypergeometric(failures, sessions - failures, share)
            if sessions.any()
            else share * 0
        )
        part = leaves[dims].copy()
        part["minute"] = FIRST_MINUTE - 60 * minute
        part["failed"], part["total"] = failed.astype(float), share.astype(float)
        parts.append(part[share > 0])
        sessions, failures = sessions - share, failures - failed
    now = leaves[[*dims, "failed", "total"]].copy()
    now.insert(len(dims), "minute", FIRST_MINUTE)
    parts.append(now[now["total"] > 0])
    return pd.concat(parts, ignore_index=True)[[*dims, "minute", "failed", "total"]]


def _peer(name: str, setting: str) -> Callable[[int, int, Path], list[Case]]:
    def cases(_: int, count: int, directory: Path) -> list[Case]:
        incidents = peer_incidents(setting, directory, count)
        return [Case(name, i.leaves, i.dimensions, i.root_causes, "forecast") for i in incidents]

    return cases


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source("cube", "cube", "two_periods", _generated("cube", incident_cube, "two_periods")),
        Source(
            "cube, one period",
            "cube",
            "one_period",
            _generated("cube, one period", incident_cube, "one_period"),
        ),
        Source("video", "video", "two_periods", _generated("video", video_incident, "two_periods")),
        Source(
            "video, one period",
            "video",
            "one_period",
            _generated("video, one period", video_incident, "one_period"),
        ),
        Source(
            "video, minutes",
            "video",
            "minutes",
            _generated("video, minutes", video_incident, "minutes"),
        ),
        Source("riskloc S", "riskloc", "forecast", _peer("riskloc S", "S")),
        Source("riskloc L", "riskloc", "forecast", _peer("riskloc L", "L")),
        Source(
            "squeeze D", "squeeze", "derived", _generated("squeeze D", derived_incident, "derived")
        ),
    )
}


def load_cases(
    names: Sequence[str], seed: int, count: int, peer_directory: Path = PEER_DIRECTORY
) -> dict[str, list[Case]]:
    """The cases of each named source (`count` per source; the peer sources have 40)."""
    unknown = [name for name in names if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; one of {list(SOURCES)}")
    return {name: SOURCES[name].cases(seed, count, peer_directory) for name in names}


def localize_case(case: Case, settings: Mapping[str, object] | None = None) -> LocalizationResult:
    """The method on a case, through the incident-file reader a user's file goes through;
    `settings` replace fields of the layout's default options."""
    base = NO_BASELINE_OPTIONS if case.layout == "one_period" else LocalizationOptions()
    options = dataclasses.replace(base, **(settings or {}))
    if case.layout == "derived":
        return localize_derived_frame(case.leaves, case.dimensions, options)
    return localize_frame(
        case.leaves, case.source, case.dimensions, anomaly_time=case.anomaly_time, options=options
    )


def real_and_predict(case: Case) -> pd.DataFrame:
    """The case as leaves with `real` and `predict` of the numerator (the form the reference
    methods take): failures against the leaf's baseline rate at today's sessions (the
    overall rate for a leaf without baseline), or against one volume-weighted median rate
    without a baseline; the success count against the forecast rate at today's requests
    for a derived measure (which also keeps its a and b columns)."""
    leaves, dims = case.leaves, case.dimensions
    if case.layout == "forecast":
        return leaves[[*dims, "real", "predict"]]
    if case.layout == "derived":
        frame = leaves[[*dims, "real_a", "predict_a", "real_b", "predict_b"]].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(frame["predict_b"] > 0, frame["predict_a"] / frame["predict_b"], 0.0)
        frame["real"] = frame["real_a"]
        frame["predict"] = rate * frame["real_b"]
        return frame
    if case.layout == "minutes":
        time = leaves["minute"]
        now = leaves[time == case.anomaly_time].groupby(dims)[["failed", "total"]].sum()
        before = leaves[time < case.anomaly_time].groupby(dims)[["failed", "total"]].sum()
        before.columns = ["failed_baseline", "total_baseline"]
        leaves = now.join(before, how="left").fillna(0.0).reset_index()
    failed = leaves["failed"].to_numpy(dtype=float)
    total = leaves["total"].to_numpy(dtype=float)
    frame = leaves[dims].copy()
    frame["real"] = failed
    if case.layout == "one_period":
        seen = total > 0
        rates = failed[seen] / total[seen]
        order = np.argsort(rates)
        cumulative = np.cumsum(total[seen][order])
        median = rates[order][np.searchsorted(cumulative, cumulative[-1] / 2)]
        frame["predict"] = median * total
        return frame
    f0 = leaves["failed_baseline"].to_numpy(dtype=float)
    n0 = leaves["total_baseline"].to_numpy(dtype=float)
    overall = f0.sum() / n0.sum() if n0.sum() > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["predict"] = np.where(n0 > 0, f0 / n0, overall) * total
    return frame
