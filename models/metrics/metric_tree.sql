{# Grain: one row per metric: its parent in the metric tree and the relation. #}
-- Generated from each metric's config.meta; validate_metric_governance fails
-- the build first if the tree is not one tree rooted at the north star.
{{ validate_metric_governance() }}

with metric_edges as (
    {{ metric_tree_rows() }}
)

select * from metric_edges
