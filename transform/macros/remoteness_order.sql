{#- The sort key of an ASGS remoteness class (`column`), from major cities (1) to very remote (5); 6 when unknown. -#}
{% macro remoteness_order(column) -%}
    case {{ column }}
        when 'Major Cities of Australia' then 1
        when 'Inner Regional Australia' then 2
        when 'Outer Regional Australia' then 3
        when 'Remote Australia' then 4
        when 'Very Remote Australia' then 5
        else 6
    end
{%- endmacro %}
