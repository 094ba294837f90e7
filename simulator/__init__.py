"""A seeded simulator of a short-video platform's PGC business.

It writes raw Parquet logs (see docs/raw_data_contract.md) and a
`ground_truth.json` that records every effect, incident and defect it planted.
"""
