{# Grain: one row per metric defined in the semantic layer YAML, with its governance fields. #}
-- Generated from the dbt graph at run time; validate_metric_governance fails
-- the build first if any metric breaks a governance rule.
{{ validate_metric_governance() }}

with metric_definitions as (
    {{ metric_catalogue_rows() }}
)

select * from metric_definitions
