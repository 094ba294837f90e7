"""Pure statistical primitives shared by every domain package (multiple testing, robust
scales, distribution-shift statistics): arrays and numbers in, numbers and frozen dataclasses
out. Imports nothing else from python_checks and does no I/O."""
