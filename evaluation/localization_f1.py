"""F1 of root-cause localization on generated incident files.

    python -m evaluation.localization_f1 --family video --seed 2 --incidents 300

Two generator families: `cube` (`incident_cubes.incident_cube`, generic dimensions d0.. with a
baseline period) and `video` (`video_incidents.video_incident`, written separately: video
session failures by cdn, province or isp, device, bitrate, p2p). Each incident is scored as
RiskLoc and Squeeze count it: a predicted slice is a true positive when it equals a planted
slice exactly; precision, recall and F1 are over all incidents' slices together. Printed for
the method (`incident_files`, formats c and b) and for the reference methods on format c
(`reference_methods`: one expected rate for every leaf, Adtributor), overall and by
number of root causes and by the largest number of dimensions among them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.incident_cubes import Incident, incident_cube
from evaluation.reference_methods import adtributor, localize_with_one_rate
from evaluation.video_incidents import video_incident
from python_checks.diagnosis.incident_files import localize_frame

Slice = dict[str, object]
Method = Callable[[pd.DataFrame, Sequence[str]], Sequence[Slice]]


@dataclass(frozen=True)
class Score:
    true_positives: int
    predicted: int
    planted: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.planted if self.planted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _key(slice_: Slice) -> frozenset[tuple[str, str]]:
    return frozenset((str(k), str(v)) for k, v in slice_.items())


def score(predicted: Iterable[Slice], planted: Iterable[Slice]) -> Score:
    """Exact set matching of slices (values compared as text)."""
    found = {_key(s) for s in predicted}
    truth = {_key(s) for s in planted}
    return Score(len(found & truth), len(found), len(truth))


def total(scores: Iterable[Score]) -> Score:
    scores = list(scores)
    return Score(
        sum(s.true_positives for s in scores),
        sum(s.predicted for s in scores),
        sum(s.planted for s in scores),
    )


def without_baseline(leaves: pd.DataFrame, dims: Sequence[str]) -> Sequence[Slice]:
    """The method on format (c): failed and total only."""
    frame = leaves[[*dims, "failed", "total"]]
    return localize_frame(frame, "generated", dims).root_causes


def with_one_rate(leaves: pd.DataFrame, dims: Sequence[str]) -> Sequence[Slice]:
    """The reference method on format (c): one expected rate for every leaf."""
    return localize_with_one_rate(leaves, dims, "failed", "total").root_causes


def with_baseline(leaves: pd.DataFrame, dims: Sequence[str]) -> Sequence[Slice]:
    """The method on format (b): both periods."""
    return localize_frame(leaves, "generated", dims).root_causes


METHODS: dict[str, Method] = {
    "no-baseline": without_baseline,  # the method, format c
    "baseline": with_baseline,  # the method, format b
    "one-rate": with_one_rate,  # format c, reference
    "adtributor": adtributor,  # format c
}
FAMILIES: dict[str, Callable[[np.random.Generator], Incident]] = {
    "cube": incident_cube,
    "video": video_incident,
}


def generate(seed: int, count: int, family: str = "cube") -> list[Incident]:
    """`count` incidents of a generator family, reproducible from `seed`."""
    if family not in FAMILIES:
        raise ValueError(f"unknown generator family {family!r}; one of {sorted(FAMILIES)}")
    rng = np.random.default_rng(seed)
    return [FAMILIES[family](rng) for _ in range(count)]


def evaluate(incidents: Sequence[Incident], method: Method) -> pd.DataFrame:
    """One row per incident: its group labels and its Score fields."""
    rows = []
    for incident in incidents:
        found = method(incident.leaves, incident.dimensions)
        s = score(found, incident.root_causes)
        rows.append(
            {
                "root_causes": len(incident.root_causes),
                "max_dimensions": max(len(c) for c in incident.root_causes),
                "true_positives": s.true_positives,
                "predicted": s.predicted,
                "planted": s.planted,
            }
        )
    return pd.DataFrame(rows)


def summary(rows: pd.DataFrame) -> Score:
    return Score(
        int(rows["true_positives"].sum()), int(rows["predicted"].sum()), int(rows["planted"].sum())
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), default="cube")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--methods", nargs="*", choices=sorted(METHODS), default=list(METHODS))
    args = parser.parse_args(argv)
    incidents = generate(args.seed, args.incidents, args.family)
    print(f"{len(incidents)} incidents, generator {args.family}, seed {args.seed}")
    for name in args.methods:
        method = METHODS[name]
        rows = evaluate(incidents, method)
        overall = summary(rows)
        print(f"\n{name}: P {overall.precision:.3f} R {overall.recall:.3f} F1 {overall.f1:.3f}")
        for group in ("root_causes", "max_dimensions"):
            for value, part in rows.groupby(group):
                s = summary(part)
                print(
                    f"  {group} = {value} ({len(part)} incidents): "
                    f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}"
                )


if __name__ == "__main__":
    main()
