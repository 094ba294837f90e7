"""Statistical validation of the built tables (issue 5): reconciliation between layers,
invariants, and distribution-shift monitors under false-discovery-rate control.

    from python_checks.validation import run_validation
    results = run_validation(con, raw_dir=Path("data/tiny/raw"))

See docs/checks_validation.md.
"""

from python_checks.validation.runner import adjust_for_multiple_testing, run_validation

__all__ = ["adjust_for_multiple_testing", "run_validation"]
