"""How well the product's methods do against known answers: generators of incident files,
F1 and recall harnesses, the recovery of the simulator's planted incidents and anomalies,
and the reference methods ours are measured against. Imports `python_checks`; never imported by it,
and not part of the installed package."""
