"""The benchmark refuses a scale the work folder's disk cannot hold, before it starts."""

from benchmarks.run_benchmark import disk_shortfall


def test_the_disk_check_matches_the_large_runs_that_failed_and_ran(tmp_path):
    # Measured at large (4.9 GB of raw files): the set-up failed on a full disk with 44 GB
    # free and ran with 63 GB free.
    raw_bytes = 4_925_174_600
    message = disk_shortfall(raw_bytes, 44 * 10**9, tmp_path)
    assert str(tmp_path) in message and "pass --work" in message
    assert disk_shortfall(raw_bytes, 63 * 10**9, tmp_path) is None
