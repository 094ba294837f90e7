"""PGC metric checks, the `pgc` command: statistical validation, anomaly detection, the
decomposition and root cause of metric changes, on the warehouse dbt builds.

Layers (docs/python_checks.md; import contracts in pyproject.toml, checked by `make test`):
`cli` -> `warehouse` (the only code that opens DuckDB) and `reporting` -> the domain
packages `monitoring`, `diagnosis`, `experiments`, `causal` -> `stats` (pure primitives).
"""
