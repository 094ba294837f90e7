"""Exit 2 with one line when another process holds the DuckDB file's lock, so `make build`
says so instead of dbt's traceback. A missing file is fine (dbt creates it).

    python -m scripts.require_unlocked warehouse/pgc.duckdb
"""

import sys
from pathlib import Path

from python_checks.warehouse.connection import WarehouseError
from python_checks.warehouse.publish import require_unlocked


def main() -> int:
    (path,) = sys.argv[1:]
    try:
        require_unlocked(Path(path))
    except WarehouseError as error:
        print(f"make: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
