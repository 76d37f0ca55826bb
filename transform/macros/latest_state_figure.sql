{#- A state figure the department published inside a source file (fct__statewide_total), one row per year: from
    the latest edition of the file that has the year. -#}
{% macro latest_state_figure(source_dataset, measure, as_column) -%}
    select
        calendar_year,
        measure_value as {{ as_column }}
    from {{ ref('fct__statewide_total') }}
    where source_dataset = '{{ source_dataset }}' and measure = '{{ measure }}'
    qualify row_number() over (
        partition by calendar_year
        order by edition_year desc nulls last
    ) = 1
{%- endmacro %}
