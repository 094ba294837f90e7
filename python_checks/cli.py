"""The `pgc` command line (placeholder until the checks land)."""


def main() -> None:
    raise SystemExit("pgc: no commands yet")
