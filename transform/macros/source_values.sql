{#- Decoding of the text values found in source files (typed values: typed_values.sql). -#}

{#- Blank, the literal NULL, and nothing at all all mean "no value". -#}
{% macro clean_text(expr) -%}
    nullif(nullif(trim({{ expr }}), ''), 'NULL')
{%- endmacro %}

{#- School names carry footnote markers such as "Yandelora School [3]". -#}
{% macro strip_footnotes(expr) -%}
    nullif(trim(regexp_replace({{ expr }}, '\s*\[[0-9]+\]', '', 'g')), '')
{%- endmacro %}

{#- A published column header as dlt names it in raw: camelCase split, lower case, other characters as "_". -#}
{% macro snake_case(expr) -%}
    trim(regexp_replace(lower(regexp_replace({{ expr }}, '([a-z])([A-Z])', '\1_\2', 'g')), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}
