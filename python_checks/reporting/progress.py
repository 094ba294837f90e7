"""Progress of a long command on stderr: a line as each step starts, with the seconds since
the command began, so whoever watches a large run (or its CI log) sees where it is and what
each step cost. Standard output stays the command's result alone."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def stderr_progress(command: str) -> Callable[[str], None]:
    """A callback printing `pgc COMMAND [   12.3 s] STEP` to stderr."""
    started = time.monotonic()

    def report(step: str) -> None:
        elapsed = time.monotonic() - started
        print(f"pgc {command} [{elapsed:7.1f} s] {step}", file=sys.stderr, flush=True)

    return report
