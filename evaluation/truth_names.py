"""Where the simulator's dimension names (ground_truth.json's root causes) meet the
warehouse's columns and the semantic layer's dimensions: the one name map of the
evaluation. The truth's `creator_tenure: new` is
no column: it is `is_new_creator` being true, which the new-creator share question of
`incident_recovery` puts into its numerator. Metric names need no map: the truth uses the
catalogue's."""

TRUTH_DIMENSIONS = {
    "region": "viewer_region_code",
    "app_version": "app_version",
    "device": "device_os",
    "surface": "surface_code",
    "content_category": "category_code",
    "model_version": "model_version",
    "format": "format",
    "creator_type": "creator_type",
}

# The same names as the semantic layer's dimensions of the consumption metrics (views,
# watch hours, completion, impressions), which `pgc explain` localizes over.
TRUTH_SEMANTIC_DIMENSIONS = {
    "region": "consumption__viewer_region",
    "app_version": "consumption__app_version",
    "device": "consumption__device",
    "surface": "consumption__surface",
    "model_version": "consumption__model_version",
    "creator_tenure": "consumption__creator_tenure",
    "content_category": "content__category",
    "format": "content__format",
    "creator_type": "creator__creator_type",
}
