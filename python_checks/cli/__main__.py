"""`python -m python_checks.cli` runs `pgc`."""

import sys

from python_checks.cli import main

sys.exit(main())
