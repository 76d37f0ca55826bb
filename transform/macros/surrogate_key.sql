{#- md5 of the natural key, in dbt_utils' generate_surrogate_key convention (dbt_utils itself cannot be installed
    offline: `dbt deps` needs hub.getdbt.com). The missing member of every dimension is md5('-1'). -#}
{% macro surrogate_key(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as varchar), '_dbt_utils_surrogate_key_null_'){{ " || '-' ||" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro missing_member_key() -%}
    md5('-1')
{%- endmacro %}
