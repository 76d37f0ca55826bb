{#- Join a school-year fact to its dim__school version (prep__school_year_key), and the key it gets. -#}
{% macro join_school_key(fact_alias, calendar_year='calendar_year') -%}
    left join {{ ref('prep__school_year_key') }} as school_key
        on school_key.school_code = {{ fact_alias }}.school_code
        and school_key.calendar_year = {{ fact_alias }}.{{ calendar_year }}
{%- endmacro %}

{% macro school_key() -%}
    coalesce(school_key.school_sk, {{ missing_member_key() }})
{%- endmacro %}
