{#- Fails with one row per group whose values of the column do not sum to one
    (within an absolute tolerance): shares of a whole. -#}
{% test sums_to_one(model, column_name, group_by_columns, tolerance=1e-9) %}
    select
        {{ group_by_columns | join(', ') }},
        sum({{ column_name }}) as column_sum
    from {{ model }}
    group by {{ group_by_columns | join(', ') }}
    having abs(sum({{ column_name }}) - 1) > {{ tolerance }}
{% endtest %}
