{#- The ICSEA bands schools are grouped by (ICSEA, the Index of Community Socio-Educational Advantage, averages 1,000
    nationally; lower means less advantage), defined once: each band's label and upper bound (exclusive), from low to
    high; a school with no ICSEA value is in 'No ICSEA'. -#}
{% macro icsea_bands() -%}
    {{ return([('Below 900', 900), ('900-999', 1000), ('1000-1099', 1100), ('1100 and above', none)]) }}
{%- endmacro %}

{#- The band of an ICSEA value (`column`): 'Below 900', '900-999', '1000-1099', '1100 and above' or 'No ICSEA'. -#}
{% macro icsea_band(column) -%}
    case
        {%- for label, upper in icsea_bands() %}
            when {{ column }} {% if upper is not none %}< {{ upper }}{% else %}is not null{% endif %} then '{{ label }}'
        {%- endfor %}
        else 'No ICSEA'
    end
{%- endmacro %}

{#- The sort key of icsea_band(column): 1 for the lowest band up to 4 for the highest, 5 for no ICSEA value. -#}
{% macro icsea_band_order(column) -%}
    case
        {%- for label, upper in icsea_bands() %}
            when {{ column }} {% if upper is not none %}< {{ upper }}{% else %}is not null{% endif %} then {{ loop.index }}
        {%- endfor %}
        else {{ icsea_bands() | length + 1 }}
    end
{%- endmacro %}
