{#- Fails on every row where the expression is not true (false or null). Use the
    test's `where` config to restrict the rows it looks at. -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
