"""Dataset sizes. Views per creator per day stay roughly constant across scales,
so the rewards program's thresholds (seeds/rewards_program_rules.csv) bite the
same share of creators at every scale."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    viewers: int
    creators: int
    default_days: int


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("tiny", viewers=3_000, creators=150, default_days=28),
        Scale("small", viewers=20_000, creators=1_000, default_days=56),
        Scale("medium", viewers=120_000, creators=6_000, default_days=84),
        Scale("large", viewers=400_000, creators=20_000, default_days=90),
    )
}
