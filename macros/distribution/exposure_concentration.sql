{#- Select of exposure concentration per group: from a relation with one row
    per group x creator and its impression_count, the number of exposed
    creators, the Gini coefficient of impressions across them and the share of
    impressions taken by the top ceil(1%) of creators. Gini with x sorted
    ascending, i = 1..n: G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n.
    Ties do not matter: equal x values give the same sums in any order. -#}
{% macro exposure_concentration(relation, group_columns) -%}
    {%- set partition = group_columns | join(', ') -%}
    select
        {% for column in group_columns -%}
            {{ column }},
        {% endfor -%}
        count(*) as exposed_creator_count,
        2.0 * sum(ascending_rank * impression_count)
        / (count(*) * cast(sum(impression_count) as double))
        - (count(*) + 1.0) / count(*) as creator_impression_gini,
        max(top_creator_count) as top_1pct_creator_count,
        sum(case when descending_rank <= top_creator_count then impression_count else 0 end)
        / cast(sum(impression_count) as double) as top_1pct_creator_impression_share
    from (
        select
            {% for column in group_columns -%}
                {{ column }},
            {% endfor -%}
            impression_count,
            row_number() over (
                partition by {{ partition }} order by impression_count asc, creator_id asc
            ) as ascending_rank,
            row_number() over (
                partition by {{ partition }} order by impression_count desc, creator_id asc
            ) as descending_rank,
            cast(ceil(0.01 * count(*) over (partition by {{ partition }})) as bigint)
                as top_creator_count
        from {{ relation }}
        where impression_count > 0
    ) as ranked_creators
    group by {{ partition }}
{%- endmacro %}
