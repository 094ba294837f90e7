"""Does `pgc experiment` recover the simulator's planted experiment truths, at several seeds?

For each seed: simulate, build a warehouse, read out the three registered experiments and
compare every estimate with the effect ground_truth.json records for it:

- exp_rank_v2: the sample-ratio check (6 % of the treatment arm's exposure logs are lost),
  the views lift on treated viewers, the exposure-share guardrails (true effect 0);
- exp_editor_boost: the naive creator-level lift (0.25 per creator), the control creators'
  loss (the cannibalization), the treated creators' gain, the global effect (0);
- exp_two_sided_match: the direct effect and TSR naive (the both-treated cell's effect),
  the spillovers (0), the global effect, the one-sided readouts and their bias.

    python -m evaluation.experiment_recovery --scale small --seeds 7 8 9 --work /tmp/recovery

prints a Markdown table per seed (estimate, interval, truth, covered) and the summary the
docs quote (coverage, naive vs global error, SRM detection), and writes it as JSON with
--out. Builds use their own folders under --work: never the project's data/ or warehouse/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from python_checks.experiments.experiment_readout import ExperimentReadout, build_readout
from python_checks.experiments.readout import effective_units
from python_checks.warehouse.connection import connect
from python_checks.warehouse.experiment_inputs import read_experiment_inputs

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ("exp_rank_v2", "exp_editor_boost", "exp_two_sided_match")


def build_warehouse(scale: str, seed: int, work: Path) -> tuple[Path, Path]:
    """Simulate and build into work/<scale>-<seed>; reuse a finished build."""
    folder = work / f"{scale}-{seed}"
    raw, warehouse = folder / "raw", folder / "pgc.duckdb"
    if (folder / "built").exists():
        return raw, warehouse
    folder.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)
    subprocess.run(
        [python, "-m", "simulator", "--scale", scale, "--seed", str(seed), "--out", raw],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    env = {
        **os.environ, "PGC_RAW_DIR": str(raw), "PGC_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT), "DO_NOT_TRACK": "1",
    }  # fmt: skip
    subprocess.run(
        [python.parent / "dbt", "build", "--target-path", folder / "target",
         "--log-path", folder / "logs", "--quiet"],
        cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    (folder / "built").touch()
    return raw, warehouse


def comparisons(readouts: dict[str, ExperimentReadout], truth: dict) -> list[dict]:
    """(experiment, estimate, value, interval, truth) for every estimate with a truth."""
    rows = []

    def add(experiment, name, estimate, low, high, true_value):
        rows.append({
            "experiment": experiment, "estimate": name, "value": estimate, "ci_low": low,
            "ci_high": high, "truth": true_value, "covered": low <= true_value <= high,
        })  # fmt: skip

    planted = truth["experiments"]
    rank = {r.metric: r.lift.relative for r in readouts["exp_rank_v2"].results}
    add("exp_rank_v2", "views_per_viewer lift", *_interval(rank["views_per_viewer"]),
        planted["exp_rank_v2"]["true_relative_effect_on_treated_units"]["views"])  # fmt: skip
    for metric, value in planted["exp_rank_v2"]["true_relative_effect_on_exposure_shares"].items():
        add("exp_rank_v2", f"{metric} lift", *_interval(rank[metric]), value)
    side = readouts["exp_editor_boost"].creator_side
    boost = planted["exp_editor_boost"]
    for name, estimate, true_value in (
        ("naive lift", side.naive, boost["naive_relative_lift_per_creator"]["views"]),
        ("cannibalization", side.cannibalization,
         boost["true_relative_effect_on_control_units"]["views"]),
        ("treated gain", side.treated_gain,
         boost["true_relative_effect_on_treated_units"]["views"]),
        ("global effect", side.global_effect,
         boost["true_relative_effect_on_platform_total"]["views"]),
    ):  # fmt: skip
        add("exp_editor_boost", name, *_interval(estimate), true_value)
    two = readouts["exp_two_sided_match"].two_sided
    match = planted["exp_two_sided_match"]
    direct = match["true_relative_effect_on_treated_units"]["views"]
    glob = match["true_relative_effect_on_platform_total"]["views"]
    sides = match["true_relative_effect_on_treated_side"]
    for name, true_value in (
        ("tsr_naive", direct), ("direct_effect", direct), ("viewer_spillover", 0.0),
        ("creator_spillover", 0.0), ("global_effect", glob),
        ("viewer_side_readout", sides["viewer"]["views"]),
        ("creator_side_readout", sides["creator"]["views"]),
        ("viewer_side_bias", sides["viewer"]["views"] - glob),
        ("creator_side_bias", sides["creator"]["views"] - glob),
    ):  # fmt: skip
        add("exp_two_sided_match", name, *_interval(two.estimate(name)), true_value)
    return rows


def _interval(estimate) -> tuple[float, float, float]:
    return estimate.estimate, estimate.ci_low, estimate.ci_high


def recover(scale: str, seed: int, work: Path) -> dict:
    raw, warehouse = build_warehouse(scale, seed, work)
    truth = json.loads((raw / "ground_truth.json").read_text())
    with connect(warehouse) as con:
        inputs = {e: read_experiment_inputs(con, e) for e in EXPERIMENTS}
    readouts = {e: build_readout(inputs[e]) for e in EXPERIMENTS}
    rows = comparisons(readouts, truth)
    (srm,) = readouts["exp_rank_v2"].srm
    by_name = {(r["experiment"], r["estimate"]): r for r in rows}
    boost = truth["experiments"]["exp_editor_boost"]
    treated = boost["true_relative_effect_on_treated_units"]["views"]
    control = boost["true_relative_effect_on_control_units"]["views"]
    two = truth["experiments"]["exp_two_sided_match"]["true_relative_effect_on_platform_total"]
    return {
        "scale": scale,
        "seed": seed,
        "rows": rows,
        "srm_p_value": srm.p_value,
        "rank_v2_blocked": readouts["exp_rank_v2"].decisions["treatment"].verdict == "blocked",
        "editor_naive_minus_global": by_name[("exp_editor_boost", "naive lift")]["value"],
        "editor_planted_displacement": (1 + treated) / (1 + control) - 1,
        "two_sided_global_error": abs(
            by_name[("exp_two_sided_match", "global_effect")]["value"] - two["views"]
        ),
        "two_sided_direct_error": abs(
            by_name[("exp_two_sided_match", "direct_effect")]["value"] - two["views"]
        ),
        "fewest_effective_creators": min(
            effective_units(arm)
            for e in ("exp_editor_boost", "exp_two_sided_match")
            for metric in inputs[e].metrics
            if metric.metric == "views_per_creator"
            for arm in metric.arms.values()
        ),
        "one_sided_viewer_error": abs(
            by_name[("exp_two_sided_match", "viewer_side_readout")]["value"] - two["views"]
        ),
        "decisions": {e: r.decisions["treatment"].verdict for e, r in readouts.items()},
    }


def markdown(result: dict) -> str:
    lines = [
        f"### {result['scale']}, seed {result['seed']}",
        "",
        "| experiment | estimate | value | 95 % interval | truth | covered |",
        "|---|---|---:|---:|---:|:-:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['experiment']} | {r['estimate']} | {r['value']:+.2%} | "
            f"[{r['ci_low']:+.2%}, {r['ci_high']:+.2%}] | {r['truth']:+.2%} | "
            f"{'yes' if r['covered'] else 'NO'} |"
        )
    lines += [
        "",
        f"SRM p = {result['srm_p_value']:.2g} (rank_v2 blocked: {result['rank_v2_blocked']}); "
        f"editor boost naive lift {result['editor_naive_minus_global']:+.1%} vs global 0 "
        f"(planted displacement {result['editor_planted_displacement']:+.1%}); two-sided "
        f"global error {result['two_sided_global_error']:.2%} and direct-effect error "
        f"{result['two_sided_direct_error']:.2%} vs one-sided viewer readout error "
        f"{result['one_sided_viewer_error']:.2%}; fewest effective creators in an arm "
        f"{result['fewest_effective_creators']:.1f}; decisions {result['decisions']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    results = [recover(args.scale, seed, args.work) for seed in args.seeds]
    for result in results:
        print(markdown(result), end="\n\n")
    rows = [r for result in results for r in result["rows"]]
    covered = sum(r["covered"] for r in rows)
    print(f"coverage: {covered} of {len(rows)} intervals contain their truth")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0 if covered == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
