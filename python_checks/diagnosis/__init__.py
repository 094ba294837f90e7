"""Why did a metric move? Exact decompositions, the driver tree, slices, multi-dimensional
root-cause localization and incident files, behind `pgc explain` and `pgc localize`. Pure
functions over what the warehouse layer read; imports only `stats`."""
