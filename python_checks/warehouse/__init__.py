"""The only code that opens the DuckDB warehouse: it reads the governed tables, the marts and
the raw files into the plain data (DataFrames and the domain packages' input dataclasses)
that the pure layers compute on, and writes the `checks` schema. No statistics here."""
