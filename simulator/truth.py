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
  For exp_editor_boost also `expected_totals_by_arm` ({arm: {metric: {with_effect,
  without_effect}}}, the creator arms' expected impressions and views with the boost
  and switched off), `true_relative_effect_on_treated_units` and
  `true_relative_effect_on_control_units` (the control creators' loss: the
  cannibalization a naive readout hides). For exp_two_sided_match
  `true_relative_effect_on_platform_total` is the global effect (every viewer and
  creator treated against none) and `true_relative_effect_on_treated_side`
  ({side: {metric: value}}) the effect as run on one side's treated units (what a
  one-sided readout estimates). exp_rank_v2's
  `true_relative_effect_on_exposure_shares` holds its effect on the shares of
  treated viewers' impressions (0: the ranker changes conversion, not exposure).

No other key names a metric. Keys that resemble one name something else:
`tables` holds raw tables (`views` there is the raw table, with row counts),
`population` the simulated population's sizes, `rewards_program` and `tools`
the parameters of `params` (per-creator or per-post mechanisms, not platform
metrics) and `creators_enrolled_by_end_date`, a count over the whole run.

Causal estimands (simulator/causal_truth.py; per creator-day, keyed by the
creator-day mart's columns `post_count`, `view_count`, `watch_ms`, not by
catalogue metrics):

- `rewards_program.effects_on_treated`: the average effect of enrollment on the
  enrolled creator-days (expected outcome with the program minus without it),
  `by_days_since_treated` (the event-study curve) and `by_cohort` (cohort = the
  first day the program acted, enrollment date + 1);
- `rewards_program.local_effect_at_threshold`: the regression-discontinuity
  estimand near the follower threshold on the launch day (`wald_ratio` for the
  fuzzy design, `sharp_effect_of_eligibility`, the first stage);
- `tools.effects_on_adopters[scheduler|editor]`: the same for the tools;
- `region_launches[launch_id]`: the launch of seeds/region_launches.csv, its
  posting multiplier and, `by_date`, posts per creator of the region with and
  without it;
- `causal_graph`: the true graph over the variables causal discovery sees, with
  the hidden traits (motivation, popularity, quality, creator type) as latent
  nodes.

`treatment_effects.parquet` (beside this file) holds the rows these summaries
average: one per treatment, treated creator and day, with the expected outcomes
with and without the treatment, so a check can average the truth over exactly
the creator-days its estimator targets.
"""

import dataclasses
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from simulator import causal_truth, params
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
        self.editor_boost_expected: dict[str, dict[str, Counter]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        self.two_sided_expected: dict[str, Counter] = defaultdict(Counter)
        self.treatment_days: list[dict[str, np.ndarray]] = []
        self.region_launch_days: dict[str, dict[int, dict]] = defaultdict(dict)
        self.program_launch: list[dict[str, np.ndarray]] = []
        self.enrolled_day = np.empty(0, dtype=np.int64)

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

    def record_editor_boost(
        self,
        treated: np.ndarray,
        view_rate: np.ndarray,
        treated_share_with: np.ndarray,
        treated_share_without: np.ndarray,
    ) -> None:
        """exp_editor_boost's expected impressions and views per creator arm, with the boost
        and switched off. Impressions: each served impression's exact chance of going to the
        arm. Views: the view probabilities of the arm's impressions (the boost changes which
        creator is shown, not how a post converts), reweighted for the switched-off case by
        the ratio of the arm's choice probabilities without and with the boost."""
        for arm, mask, share_with, share_without in (
            ("treatment", treated, treated_share_with, treated_share_without),
            ("control", ~treated, 1 - treated_share_with, 1 - treated_share_without),
        ):
            expected = self.editor_boost_expected[arm]
            expected["impressions"]["with_effect"] += float(share_with.sum())
            expected["impressions"]["without_effect"] += float(share_without.sum())
            ratio = share_without[mask] / share_with[mask]
            expected["views"]["with_effect"] += float(view_rate[mask].sum())
            expected["views"]["without_effect"] += float((view_rate[mask] * ratio).sum())

    def record_two_sided_match(
        self,
        viewer_treated: np.ndarray,
        creator_treated: np.ndarray,
        view_rate: np.ndarray,
        without_effect: np.ndarray,
        everyone_treated: np.ndarray,
    ) -> None:
        """exp_two_sided_match's expected views of the day's impressions: of the whole
        platform with everyone treated (the global effect), and of each side's treated units
        as run (what a one-sided readout of that side estimates), each against the
        experiment switched off."""
        for population, mask, with_effect in (
            ("platform", slice(None), everyone_treated),
            ("viewer", viewer_treated, view_rate),
            ("creator", creator_treated, view_rate),
        ):
            self.two_sided_expected[population]["with_effect"] += float(with_effect[mask].sum())
            self.two_sided_expected[population]["without_effect"] += float(
                without_effect[mask].sum()
            )

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

    def record_treatment_day(
        self,
        treatment: str,
        day: int,
        creators: np.ndarray,
        treated_since: np.ndarray,
        **outcomes: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Per treated creator, the day's expected outcomes with and without the treatment
        (`outcomes`: post_count, view_count, watch_ms -> (with, without))."""
        row: dict[str, np.ndarray] = {
            "treatment": np.full(len(creators), treatment, dtype=object),
            "day": np.full(len(creators), day, dtype=np.int64),
            "creator": np.asarray(creators, dtype=np.int64),
            "treated_since": np.asarray(treated_since, dtype=np.int64),
        }
        for outcome, (with_it, without_it) in outcomes.items():
            row[f"{outcome}_with"] = np.asarray(with_it, dtype=float)
            row[f"{outcome}_without"] = np.asarray(without_it, dtype=float)
        self.treatment_days.append(row)

    def record_region_launch(self, launch_id: str, day: int, **totals: float) -> None:
        """A launch region's signed-up creators and expected posts with and without it."""
        self.region_launch_days[launch_id][day] = totals

    def record_program_launch(self, day: int, creators: np.ndarray, **values: np.ndarray) -> None:
        """Where creators stood against the eligibility thresholds on their launch day."""
        self.program_launch.append(
            {"day": np.full(len(creators), day), "creator": np.asarray(creators), **values}
        )

    def record_enrollment_days(self, enrolled_day: np.ndarray) -> None:
        """Each creator's enrollment day (a large number for those who never enrolled)."""
        self.enrolled_day = np.asarray(enrolled_day, dtype=np.int64)

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
            "rewards_program": {**self.rewards_program(), **self.rewards_effects()},
            "tools": {**tools(), "effects_on_adopters": self.tool_effects()},
            "region_launches": self.region_launches(),
            "causal_graph": causal_truth.causal_graph(),
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

    def treatment_effect_rows(self, treatment: str | None = None) -> dict[str, np.ndarray]:
        """The recorded creator-days of one treatment (all when None), as columns."""
        parts = [
            part
            for part in self.treatment_days
            if treatment is None or (len(part["day"]) and part["treatment"][0] == treatment)
        ]
        names = [f"{o}_{w}" for o in causal_truth.OUTCOMES for w in ("with", "without")]
        columns = ["treatment", "day", "creator", "treated_since", *names]
        if not parts:
            return {name: np.empty(0) for name in columns}
        return {name: np.concatenate([part[name] for part in parts]) for name in columns}

    def rewards_effects(self) -> dict:
        """The program's effects on the enrolled, and at the eligibility threshold."""
        rows = self.treatment_effect_rows("rewards_program")
        launch = (
            {
                name: np.concatenate([part[name] for part in self.program_launch])
                for name in self.program_launch[0]
            }
            if self.program_launch
            else None
        )
        return {
            "effects_on_treated": {
                "definition": "per enrolled creator-day from the day after enrollment: "
                "expected outcome with the program minus without it (fewer posts by the "
                "posting multiplier, every live post's reach without the reach multiplier), "
                "the other creators' exposure held fixed; cohorts are the first day the "
                "program acted (enrollment date + 1)",
                **causal_truth.effect_summary(rows, params.START_DATE),
            },
            "local_effect_at_threshold": causal_truth.local_effect_at_threshold(
                rows, launch, self.enrolled_day, self.days - 1
            )
            if launch is not None
            else {"creators_in_band": 0},
        }

    def tool_effects(self) -> dict:
        """The scheduler's and the editor's effects on their adopters' creator-days."""
        return {
            tool: {
                "definition": "per adopter creator-day from the adoption day (cohort; the day "
                "before the first simulated day for adopters from before it): expected outcome "
                "with the tool minus without it, the other creators' exposure held fixed",
                **causal_truth.effect_summary(self.treatment_effect_rows(tool), params.START_DATE),
            }
            for tool in ("scheduler", "editor")
        }

    def region_launches(self) -> dict:
        """Each launch of seeds/region_launches.csv: where, when, what it did."""
        out = {}
        for launch_id, launch in self.ref.region_launches.items():
            launch_day = (launch.launch_date - params.START_DATE).days
            out[launch_id] = {
                "region_code": launch.region_code,
                "launch_date": launch.launch_date.isoformat(),
                "posting_rate_multiplier": params.REGION_LAUNCHES.posting_rate_multiplier[
                    launch_id
                ],
                **causal_truth.region_launch_summary(
                    self.region_launch_days.get(launch_id, {}), params.START_DATE, launch_day
                ),
            }
        return out

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
        out["exp_two_sided_match"].update(self.two_sided_match_effects())
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
            "expected_totals_by_arm": _sorted(
                {
                    arm: {metric: dict(totals) for metric, totals in by_metric.items()}
                    for arm, by_metric in self.editor_boost_expected.items()
                }
            ),
            "true_relative_effect_on_treated_units": _relative(
                self.editor_boost_expected["treatment"]
            ),
            "true_relative_effect_on_control_units": _relative(
                self.editor_boost_expected["control"]
            ),
        }

    def two_sided_match_effects(self) -> dict:
        expected = self.two_sided_expected
        return {
            "true_relative_effect_on_platform_total": _relative({"views": expected["platform"]}),
            "true_relative_effect_on_treated_side": {
                side: _relative({"views": expected[side]}) for side in ("creator", "viewer")
            },
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


def _relative(expected: dict) -> dict:
    """{metric: with_effect / without_effect - 1} of expected totals; empty totals give {}."""
    return {
        metric: totals["with_effect"] / totals["without_effect"] - 1
        for metric, totals in sorted(expected.items())
        if totals.get("without_effect")
    }


def rank_v2_truth() -> dict:
    effects = params.EXPERIMENTS
    return {
        # The ranker changes how treated viewers' For You impressions convert, not which
        # posts they are shown: the exposure shares of their impressions are unchanged.
        "true_relative_effect_on_exposure_shares": {
            "new_creator_impression_share": 0.0,
            "pgc_impression_share": 0.0,
        },
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


def treatment_effect_columns(rows: dict[str, np.ndarray], creator_ids: np.ndarray) -> dict:
    """`treatment_effects.parquet`: one row per treatment, treated creator and day, with
    the expected outcomes with and without the treatment (`Truth.record_treatment_day`)."""
    start = np.datetime64(params.START_DATE, "D")
    return {
        "treatment": rows["treatment"].astype(str),
        "activity_date": start + rows["day"].astype("timedelta64[D]"),
        "creator_id": creator_ids[rows["creator"].astype(np.int64)].astype(str),
        "treated_since_date": start + rows["treated_since"].astype("timedelta64[D]"),
        **{
            name: rows[name]
            for name in rows
            if name not in ("treatment", "day", "creator", "treated_since")
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
