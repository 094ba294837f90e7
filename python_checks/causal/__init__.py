"""What did a program cause when it was never randomized? Observational estimators,
sensitivity analysis and causal discovery over panels. Pure functions; imports only
`stats`."""
