"""What the simulator planted, written to `ground_truth.json`.

Counts are exact (what was written), effects are the parameters that acted
plus the expected counterfactual sums the simulator can compute exactly.
`Truth` is told what happened by the platform (plain numbers and arrays) and
never reads the platform itself.

Metric names. Wherever the file names a metric it uses the name of the metric
catalogue (the `name:` of a metric in models/metrics/_metrics__*_metrics.yml,
`metric_name` of the warehouse's `metrics.metric_catalogue`), so a check looks
the truth up with no translation table. These fields hold catalogue names:

- `daily[date]`: {metric: that day's exact total}. Views, completed views,
  watch time and active viewers count the logged clean views (a view is dated
  by its impression, which the simulator keeps on the same UTC day).
- `daily_by_slice[date][dimension][value]`: {metric: that day's exact total on
  the slice}. `new_creator_impressions` calls a creator new while
  signup_day > day - params.NEW_CREATOR_DAYS (day indices); the warehouse
  compares timestamps, which differs on the 30th day after signup only.
- `incidents[].affected_metrics`: the catalogue metrics the incident moves
  directly (metrics computed from them move too).
- `incidents[].effects[date][quantity]`: {metric: count}; `not_logged` counts
  what happened but the logs lost.
- `experiments[id]` estimands, each {metric: value}:
  `expected_totals_of_treated_units` ({metric: {with_effect, without_effect}},
  expected sums over the treated units' impressions),
  `true_relative_effect_on_treated_units` (with / without - 1 of those sums),
  `true_relative_effect_on_platform_total` (on the whole platform's total),
  `naive_relative_lift_per_creator` (what a treated-vs-control comparison of
  the metric per creator shows; an estimand, not a catalogue metric, hence the
  metric is the inner key and not part of the field's name),
  `true_traffic_by_arm[arm]` (exact counts per arm; views as drawn, before any
  logging loss) and `true_multiplier_by_cell` ({metric: {cell: multiplier}}).

No other key names a metric. Keys that resemble one name something else:
`tables` holds raw tables (`views` there is the raw table, with row counts),
`population` the simulated population's sizes, `rewards_program` and `tools`
the parameters of `params` (per-creator or per-post mechanisms, not platform
metrics) and `creators_enrolled_by_end_date`, a count over the whole run.
"""

import dataclasses
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from simulator import params
from simulator.reference import Reference
from simulator.scales import Scale
from simulator.world import Creators

GENERATOR_VERSION = "1"
NOT_ENROLLED = -9999  # enrolled_day in hidden_traits.parquet of a creator who never enrolls


def _date(day: int) -> str:
    return (params.START_DATE + dt.timedelta(days=day)).isoformat()


def _sorted(mapping: dict) -> dict:
    """Keys in sorted order, at every level of nesting."""
    return {
        key: _sorted(value) if isinstance(value, dict) else value
        for key, value in sorted(mapping.items())
    }


class Truth:
    def __init__(self, scale: Scale, days: int, seed: int, ref: Reference) -> None:
        self.scale, self.days, self.seed, self.ref = scale, days, seed, ref
        self.daily: dict[int, dict[str, int]] = defaultdict(dict)
        self.daily_by_slice: dict[int, dict] = defaultdict(dict)
        self.backlog_posts = 0
        self.enrolled_creators = 0
        self.defects: dict[str, Counter] = defaultdict(Counter)
        self.clean_rows: Counter = Counter()
        self.raw_rows: Counter = Counter()
        self.incident_effects: dict[str, dict[str, dict]] = defaultdict(dict)
        self.expected_views: dict[str, dict[str, float]] = {}
        self.arm_traffic: dict[str, Counter] = defaultdict(Counter)
        self.assignments: dict[tuple[str, str], Counter] = defaultdict(Counter)

    # ------------------------------------------------------------ recording
    def count_posts(self, day: int, n: int) -> None:
        if day < 0:
            self.backlog_posts += n
        else:
            self.daily[day]["posts"] = n

    def count_eligible(self, day: int, n: int) -> None:
        self.daily[day]["eligible_creators"] = n

    def count_enrollments(self, n: int) -> None:
        self.enrolled_creators += n

    def record_day(self, day: int, **totals: int) -> None:
        """The day's exact totals, keyed by catalogue metric names."""
        self.daily[day].update(totals)

    def record_slice(self, day: int, dimension: str, value: str, **totals: int) -> None:
        """The day's exact totals on one slice, keyed by catalogue metric names."""
        self.daily_by_slice[day].setdefault(dimension, {}).setdefault(value, {}).update(totals)

    def record_incident_effect(
        self, incident_id: str, day: int, quantity: str, **counts: int
    ) -> None:
        by_quantity = self.incident_effects[incident_id].setdefault(_date(day), {})
        by_quantity.setdefault(quantity, {}).update(counts)

    def record_expected_views(
        self, experiment_id: str, with_effect: np.ndarray, without_effect: np.ndarray
    ) -> None:
        """View probabilities of a day's impressions of treated units, with the
        experiment and with it switched off: their sums are expected views."""
        expected = self.expected_views.setdefault(
            experiment_id, {"with_effect": 0.0, "without_effect": 0.0}
        )
        expected["with_effect"] += float(with_effect.sum())
        expected["without_effect"] += float(without_effect.sum())

    def record_arm_traffic(self, treated: np.ndarray, viewed: np.ndarray) -> None:
        """Impressions of a creator-side experiment by arm, and those drawn as views."""
        for arm_name, mask in (("treatment", treated), ("control", ~treated)):
            self.arm_traffic[arm_name]["impressions"] += int(mask.sum())
            self.arm_traffic[arm_name]["views"] += int((mask & viewed).sum())

    def record_assignments(self, experiment_id: str, unit: str, arm, lost) -> None:
        counts = self.assignments[(experiment_id, unit)]
        counts["assigned_treatment"] += int(arm.sum())
        counts["assigned_control"] += int((~arm).sum())
        counts["logged_treatment"] += int((arm & ~lost).sum())
        counts["logged_control"] += int((~arm & ~lost).sum())

    def record_table(self, table: str, clean_rows: int, raw_rows: int, defects: Counter) -> None:
        self.clean_rows[table] += clean_rows
        self.raw_rows[table] += raw_rows
        self.defects[table].update(defects)

    # -------------------------------------------------------------- writing
    def as_dict(self) -> dict:
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "scale": self.scale.name,
            "days": self.days,
            "start_date": _date(0),
            "end_date": _date(self.days - 1),
            "population": self.population(),
            "structure": structure(),
            "tables": self.tables(),
            "daily": {_date(day): _sorted(self.daily[day]) for day in sorted(self.daily)},
            "daily_by_slice": {
                _date(day): _sorted(self.daily_by_slice[day]) for day in sorted(self.daily_by_slice)
            },
            "experiments": self.experiments(),
            "rewards_program": self.rewards_program(),
            "tools": tools(),
            "incidents": self.incidents(),
        }

    def population(self) -> dict:
        return {
            "viewers": self.scale.viewers,
            "creators": self.scale.creators,
            "posts_published_before_start": self.backlog_posts,
        }

    def tables(self) -> dict:
        """Per raw table: clean rows, rows written and planted defects."""
        return {
            table: {
                "clean_rows": self.clean_rows[table],
                "raw_rows": self.raw_rows[table],
                "defects": dict(sorted(self.defects[table].items())),
            }
            for table in sorted(self.raw_rows)
        }

    def rewards_program(self) -> dict:
        return {
            **dataclasses.asdict(params.REWARDS),
            "launch_date": min(r.launch_date for r in self.ref.rewards_rules.values()).isoformat(),
            "creators_enrolled_by_end_date": self.enrolled_creators,
            "note": "Enrolling multiplies a creator's posting rate and recommender weight from "
            "the day after enrollment. Motivation raises both posting and enrollment, so a "
            "naive enrolled-vs-not comparison overstates the effect.",
        }

    def incidents(self) -> list[dict]:
        """The incidents that end within the run, with their exact effects."""
        return [
            {
                "incident_id": incident.incident_id,
                "kind": incident.kind,
                "dates": [_date(d) for d in range(incident.first_day, incident.last_day + 1)],
                "root_cause": incident.root_cause,
                "affected_metrics": list(incident.affected_metrics),
                "description": incident.description,
                "magnitude": incident.magnitude,
                "effects": self.incident_effects.get(incident.incident_id, {}),
            }
            for incident in params.INCIDENTS
            if incident.last_day <= self.days - 1
        ]

    def experiments(self) -> dict:
        out = {
            experiment_id: self.experiment_entry(experiment_id)
            for experiment_id in self.ref.experiments
        }
        out["exp_rank_v2"].update(rank_v2_truth())
        out["exp_editor_boost"].update(self.editor_boost_truth())
        out["exp_two_sided_match"].update(two_sided_match_truth())
        return out

    def experiment_entry(self, experiment_id: str) -> dict:
        """The registry's design, the logged assignments and, for the experiments
        that change view rates, the exact expected effect on views."""
        experiment = self.ref.experiments[experiment_id]
        entry: dict = {
            "randomization_unit": experiment.randomization_unit,
            "start_date": experiment.start_date.isoformat(),
            "end_date": experiment.end_date.isoformat(),
            "treatment_share": experiment.treatment_share,
            "assignments": {
                unit: dict(sorted(counts.items()))
                for (exp, unit), counts in sorted(self.assignments.items())
                if exp == experiment_id
            },
        }
        expected = self.expected_views.get(experiment_id)
        if expected and expected["without_effect"]:
            entry["expected_totals_of_treated_units"] = {"views": dict(expected)}
            entry["true_relative_effect_on_treated_units"] = {
                "views": expected["with_effect"] / expected["without_effect"] - 1
            }
        return entry

    def editor_boost_truth(self) -> dict:
        effects = params.EXPERIMENTS
        return {
            "mechanism": "recommender weight of treated creators' posts x "
            f"{effects.editor_boost_reach_multiplier}; viewers' attention is fixed",
            "naive_relative_lift_per_creator": {"views": effects.editor_boost_reach_multiplier - 1},
            "true_relative_effect_on_platform_total": {"views": 0.0},
            "true_traffic_by_arm": _sorted(self.arm_traffic),
        }

    def write(self, out_dir: Path) -> None:
        with open(out_dir / "ground_truth.json", "w") as handle:
            json.dump(self.as_dict(), handle, indent=2, sort_keys=False)
            handle.write("\n")


def structure() -> dict:
    return {
        "day_of_week_activity_monday_first": list(params.DAY_OF_WEEK_ACTIVITY),
        "daily_activity_growth": params.DAILY_ACTIVITY_GROWTH,
        "creator_popularity_pareto_alpha": params.POPULARITY_PARETO_ALPHA,
        "viewer_attention": "impressions per active day ~ 1 + Poisson(Gamma(2, 6))",
        "region_weights": params.REGION_WEIGHTS,
        "surface_weights": params.SURFACE_WEIGHTS,
    }


def tools() -> dict:
    return {
        **dataclasses.asdict(params.TOOLS),
        "note": "Adoption is more likely for motivated creators. The scheduler raises "
        "the posting rate of an adopter; the editor raises the recommender weight of "
        "posts made with it.",
    }


def rank_v2_truth() -> dict:
    effects = params.EXPERIMENTS
    return {
        "mechanism": "For You view-through rate of treated viewers x "
        f"{effects.rank_v2_for_you_view_rate_multiplier}",
        "sample_ratio_mismatch": {
            "arm": "treatment",
            "lost_exposure_log_rate": effects.rank_v2_lost_treatment_log_rate,
        },
    }


def two_sided_match_truth() -> dict:
    multiplier = params.EXPERIMENTS.two_sided_match_view_rate_multiplier
    return {
        "mechanism": f"view-through rate x {multiplier} when viewer and creator are "
        "both treated; 1.0 in the other three cells",
        "true_multiplier_by_cell": {
            "view_through_rate": {
                "viewer_treatment__creator_treatment": multiplier,
                "viewer_treatment__creator_control": 1.0,
                "viewer_control__creator_treatment": 1.0,
                "viewer_control__creator_control": 1.0,
            }
        },
    }


def hidden_traits(creators: Creators, enrolled_day: np.ndarray) -> dict[str, np.ndarray]:
    """Per-creator traits the logs never show, for causal checks."""
    return {
        "creator_id": creators.ids.astype(str),
        "motivation": creators.motivation,
        "popularity": creators.popularity,
        "quality": creators.quality,
        "scheduler_adoption_day": creators.tool_adoption_day["scheduler"],
        "editor_adoption_day": creators.tool_adoption_day["editor"],
        "enrolled_day": np.where(
            enrolled_day == np.iinfo(np.int32).max, NOT_ENROLLED, enrolled_day
        ),
        **{f"arm_{name}": arm for name, arm in creators.arm.items()},
    }
