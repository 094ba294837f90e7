"""Where the simulator's dimension names (ground_truth.json's root causes) meet the
warehouse's columns: the one name map of the evaluation. The truth's `creator_tenure: new` is
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
