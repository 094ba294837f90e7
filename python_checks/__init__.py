"""Statistical checks on the metric layer: decomposition and root-cause localization."""
