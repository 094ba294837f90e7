{#- Fails on every row where the column differs from an expression over the
    same row by more than relative_tolerance x greatest(1, |expression|), or
    where exactly one of the two is null. For a stored ratio that must equal
    the quotient of stored counts. -#}
{% test equals_expression(model, column_name, expression, relative_tolerance=1e-9) %}
    with

    compared as (
        select
            *,
            {{ expression }} as expected_value
        from {{ model }}
    )

    select * from compared
    where
        ({{ column_name }} is null) != (expected_value is null)
        or abs({{ column_name }} - expected_value)
        > {{ relative_tolerance }} * greatest(1, abs(expected_value))
{% endtest %}
