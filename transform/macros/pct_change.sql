{#- The change from `base` to `value` as a percentage of `base` (null when either is null or the base is 0). -#}
{% macro pct_change(value, base) -%}
    100.0 * ({{ value }} - {{ base }}) / nullif({{ base }}, 0)
{%- endmacro %}
