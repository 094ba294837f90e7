"""Did the launch work? Experiment readouts over per-arm sufficient statistics, for one- and
two-sided designs. Pure functions; imports only `stats`."""
