{#- Decoding of the text values found in source files. -#}

{#- Blank, the literal NULL, and nothing at all all mean "no value". -#}
{% macro clean_text(expr) -%}
    nullif(nullif(trim({{ expr }}), ''), 'NULL')
{%- endmacro %}

{#- School names carry footnote markers such as "Yandelora School [3]". -#}
{% macro strip_footnotes(expr) -%}
    nullif(trim(regexp_replace({{ expr }}, '\s*\[[0-9]+\]', '', 'g')), '')
{%- endmacro %}

{#- What a cell says about its value: reported, suppressed (sp, SP, np: below the reporting threshold),
    not_applicable (na), not_reported (blank or NULL), or invalid (anything else). -#}
{% macro value_status(expr) -%}
    case
        when {{ clean_text(expr) }} is null then 'not_reported'
        when lower(trim({{ expr }})) in ('sp', 'np') then 'suppressed'
        when lower(trim({{ expr }})) = 'na' then 'not_applicable'
        when try_cast(replace(trim({{ expr }}), ',', '') as double) is not null then 'reported'
        else 'invalid'
    end
{%- endmacro %}

{#- The number in a cell, or null when the cell holds a marker instead of a number. -#}
{% macro decode_number(expr, type='double') -%}
    try_cast(replace(trim({{ expr }}), ',', '') as {{ type }})
{%- endmacro %}

{#- A published column header as dlt names it in raw: camelCase split, lower case, other characters as "_". -#}
{% macro snake_case(expr) -%}
    trim(regexp_replace(lower(regexp_replace({{ expr }}, '([a-z])([A-Z])', '\1_\2', 'g')), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}
