"""What the simulator planted, written to `ground_truth.json`.

Counts are exact (what was written), effects are the parameters that acted
plus the expected counterfactual sums the simulator can compute exactly.
"""

import dataclasses
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulator import params
from simulator.reference import Reference
from simulator.scales import Scale

if TYPE_CHECKING:
    from simulator.platform_model import Platform

GENERATOR_VERSION = "1"


def _date(day: int) -> str:
    return (params.START_DATE + dt.timedelta(days=day)).isoformat()


class Truth:
    def __init__(self, scale: Scale, days: int, seed: int, ref: Reference) -> None:
        self.scale, self.days, self.seed, self.ref = scale, days, seed, ref
        self.daily: dict[int, dict[str, int]] = defaultdict(dict)
        self.backlog_posts = 0
        self.tables: dict[str, dict] = {}
        self.defects: dict[str, Counter] = defaultdict(Counter)
        self.clean_rows: Counter = Counter()
        self.raw_rows: Counter = Counter()
        self.incident_effects: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        self.expected_views: dict[str, Counter] = defaultdict(Counter)
        self.creator_traffic: Counter = Counter()
        self.assignments: dict[tuple[str, str], Counter] = defaultdict(Counter)

    # ------------------------------------------------------------ recording
    def count_posts(self, day: int, n: int) -> None:
        if day < 0:
            self.backlog_posts += n
        else:
            self.daily[day]["posts"] = n

    def count_eligible(self, day: int, n: int) -> None:
        self.daily[day]["rewards_eligible_creators"] = n

    def record_day(self, day: int, **counts: int) -> None:
        self.daily[day].update(counts)

    def record_incident_effect(self, incident_id: str, day: int, key: str, value: int) -> None:
        self.incident_effects[incident_id].setdefault(_date(day), {})[key] = value

    def record_view_rates(
        self, day, platform: "Platform", viewer, creator, view_rate, without_rank, without_match
    ) -> None:
        if platform.in_window("exp_rank_v2", day):
            treated = platform.viewers.arm["exp_rank_v2"][viewer]
            self.expected_views["exp_rank_v2"]["with_effect"] += float(view_rate[treated].sum())
            self.expected_views["exp_rank_v2"]["without_effect"] += float(
                without_rank[treated].sum()
            )
        if platform.in_window("exp_two_sided_match", day):
            both = (
                platform.viewers.arm["exp_two_sided_match"][viewer]
                & platform.creators.arm["exp_two_sided_match"][creator]
            )
            self.expected_views["exp_two_sided_match"]["with_effect"] += float(
                view_rate[both].sum()
            )
            self.expected_views["exp_two_sided_match"]["without_effect"] += float(
                without_match[both].sum()
            )

    def record_experiment_traffic(
        self, day, platform: "Platform", viewer, creator, viewed, is_for_you
    ):
        if not platform.in_window("exp_editor_boost", day):
            return
        treated = platform.creators.arm["exp_editor_boost"][creator]
        for arm_name, mask in (("treatment", treated), ("control", ~treated)):
            self.creator_traffic[f"{arm_name}_impressions"] += int(mask.sum())
            self.creator_traffic[f"{arm_name}_true_views"] += int((mask & viewed).sum())

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
    def as_dict(self, platform: "Platform") -> dict:
        last_day = self.days - 1
        experiments = self.experiments()
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "scale": self.scale.name,
            "days": self.days,
            "start_date": _date(0),
            "end_date": _date(last_day),
            "population": {
                "viewers": self.scale.viewers,
                "creators": self.scale.creators,
                "posts_published_before_start": self.backlog_posts,
            },
            "structure": {
                "day_of_week_activity_monday_first": list(params.DAY_OF_WEEK_ACTIVITY),
                "daily_activity_growth": params.DAILY_ACTIVITY_GROWTH,
                "creator_popularity_pareto_alpha": params.POPULARITY_PARETO_ALPHA,
                "viewer_attention": "impressions per active day ~ 1 + Poisson(Gamma(2, 6))",
                "region_weights": params.REGION_WEIGHTS,
                "surface_weights": params.SURFACE_WEIGHTS,
            },
            "tables": {
                table: {
                    "clean_rows": self.clean_rows[table],
                    "raw_rows": self.raw_rows[table],
                    "defects": dict(sorted(self.defects[table].items())),
                }
                for table in sorted(self.raw_rows)
            },
            "daily": {
                _date(day): dict(sorted(self.daily[day].items())) for day in sorted(self.daily)
            },
            "experiments": experiments,
            "rewards_program": {
                **dataclasses.asdict(params.REWARDS),
                "launch_date": min(
                    r.launch_date for r in self.ref.rewards_rules.values()
                ).isoformat(),
                "enrolled_creators": len(platform.enrollments),
                "note": "Enrolling multiplies a creator's posting rate and recommender weight from "
                "the day after enrollment. Motivation raises both posting and enrollment, so a "
                "naive enrolled-vs-not comparison overstates the effect.",
            },
            "tools": {
                **dataclasses.asdict(params.TOOLS),
                "note": "Adoption is more likely for motivated creators. The scheduler raises "
                "the posting rate of an adopter; the editor raises the recommender weight of "
                "posts made with it.",
            },
            "incidents": [
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
                if incident.last_day <= last_day
            ],
        }

    def experiments(self) -> dict:
        effects = params.EXPERIMENTS
        out: dict[str, dict] = {}
        for experiment_id, experiment in self.ref.experiments.items():
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
                entry["expected_views_of_treated_units"] = dict(expected)
                entry["true_relative_effect_on_views"] = (
                    expected["with_effect"] / expected["without_effect"] - 1
                )
            out[experiment_id] = entry
        out["exp_rank_v2"].update(
            {
                "mechanism": "For You view-through rate of treated viewers x "
                f"{effects.rank_v2_for_you_view_rate_multiplier}",
                "sample_ratio_mismatch": {
                    "arm": "treatment",
                    "lost_exposure_log_rate": effects.rank_v2_lost_treatment_log_rate,
                },
            }
        )
        out["exp_editor_boost"].update(
            {
                "mechanism": "recommender weight of treated creators' posts x "
                f"{effects.editor_boost_reach_multiplier}; viewers' attention is fixed",
                "naive_relative_lift_views_per_creator": effects.editor_boost_reach_multiplier - 1,
                "global_relative_effect_on_total_views": 0.0,
                "traffic": dict(sorted(self.creator_traffic.items())),
            }
        )
        out["exp_two_sided_match"].update(
            {
                "mechanism": "view-through rate x "
                f"{effects.two_sided_match_view_rate_multiplier} when viewer and creator are "
                "both treated; 1.0 in the other three cells",
                "view_rate_multiplier_by_cell": {
                    "viewer_treatment__creator_treatment": (
                        effects.two_sided_match_view_rate_multiplier
                    ),
                    "viewer_treatment__creator_control": 1.0,
                    "viewer_control__creator_treatment": 1.0,
                    "viewer_control__creator_control": 1.0,
                },
            }
        )
        return out

    def write(self, out_dir: Path, platform: "Platform") -> None:
        with open(out_dir / "ground_truth.json", "w") as handle:
            json.dump(self.as_dict(platform), handle, indent=2, sort_keys=False)
            handle.write("\n")


def hidden_traits(platform: "Platform") -> dict[str, np.ndarray]:
    """Per-creator traits the logs never show, for causal checks."""
    creators = platform.creators
    return {
        "creator_id": creators.ids.astype(str),
        "motivation": creators.motivation,
        "popularity": creators.popularity,
        "quality": creators.quality,
        "scheduler_adoption_day": creators.tool_adoption_day["scheduler"],
        "editor_adoption_day": creators.tool_adoption_day["editor"],
        "enrolled_day": np.where(
            platform.enrolled_day == np.iinfo(np.int32).max, -9999, platform.enrolled_day
        ),
        **{f"arm_{name}": arm for name, arm in creators.arm.items()},
    }
