"""Reference data the simulator shares with the dbt project.

The seeds are the single source of truth for enum domains, experiment dates and
the rewards program's rules, so the simulator reads them rather than repeating
them.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    randomization_unit: str
    start_date: dt.date
    end_date: dt.date
    treatment_share: float


@dataclass(frozen=True)
class RewardsRule:
    program_id: str
    region_code: str
    launch_date: dt.date
    min_followers: int
    min_views_28d: int
    min_qualified_watch_ms: int
    rpm_usd: float


@dataclass(frozen=True)
class RegionLaunch:
    """A product launch that reached one region first (seeds/region_launches.csv)."""

    launch_id: str
    region_code: str
    launch_date: dt.date


@dataclass(frozen=True)
class Reference:
    regions: tuple[str, ...]
    categories: tuple[str, ...]
    surfaces: tuple[str, ...]
    creator_types: tuple[str, ...]
    tools: tuple[str, ...]
    experiments: dict[str, Experiment]
    rewards_rules: dict[str, RewardsRule]
    region_launches: dict[str, RegionLaunch]


def _rows(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with open(seeds_dir / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    experiments = {
        row["experiment_id"]: Experiment(
            experiment_id=row["experiment_id"],
            randomization_unit=row["randomization_unit"],
            start_date=dt.date.fromisoformat(row["start_date"]),
            end_date=dt.date.fromisoformat(row["end_date"]),
            treatment_share=float(row["treatment_share"]),
        )
        for row in _rows("experiment_registry", seeds_dir)
    }
    rules = {
        row["region_code"]: RewardsRule(
            program_id=row["program_id"],
            region_code=row["region_code"],
            launch_date=dt.date.fromisoformat(row["launch_date"]),
            min_followers=int(row["min_followers"]),
            min_views_28d=int(row["min_views_28d"]),
            min_qualified_watch_ms=int(row["min_qualified_watch_ms"]),
            rpm_usd=float(row["rpm_usd"]),
        )
        for row in _rows("rewards_program_rules", seeds_dir)
    }
    return Reference(
        regions=tuple(row["region_code"] for row in _rows("regions", seeds_dir)),
        categories=tuple(row["category_code"] for row in _rows("content_categories", seeds_dir)),
        surfaces=tuple(row["surface_code"] for row in _rows("surfaces", seeds_dir)),
        creator_types=tuple(row["creator_type"] for row in _rows("creator_types", seeds_dir)),
        tools=tuple(row["tool_code"] for row in _rows("content_tools", seeds_dir)),
        experiments=experiments,
        rewards_rules=rules,
        region_launches={
            row["launch_id"]: RegionLaunch(
                launch_id=row["launch_id"],
                region_code=row["region_code"],
                launch_date=dt.date.fromisoformat(row["launch_date"]),
            )
            for row in _rows("region_launches", seeds_dir)
        },
    )
