"""python -m simulator --scale tiny --days 28 --seed 7 --out data/raw"""

import argparse
from pathlib import Path

from simulator.generate import generate
from simulator.scales import SCALES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulate a short-video platform's PGC business and write raw Parquet logs "
        "with a ground_truth.json of every planted effect, incident and defect.",
    )
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--days", type=int, default=None, help="default: the scale's own")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 1:
        parser.error(f"--days must be at least 1, got {args.days}")
    generate(args.scale, args.out, days=args.days, seed=args.seed)


if __name__ == "__main__":
    main()
