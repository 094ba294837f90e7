"""Is the data healthy? Reconciliation between layers, distribution-shift monitors, anomaly
detection on the governed metrics, and the check runner behind `pgc check`. Pure functions
over what the warehouse layer read; imports only `stats`."""
