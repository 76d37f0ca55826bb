{#- Bounds how many rows each group may hold, e.g. quarantined rows per source; groups not listed get `default`. -#}
{% test max_rows_per_group(model, column_name, bounds, default=0) %}
select {{ column_name }} as group_value, count(*) as rows_in_group
from {{ model }}
group by {{ column_name }}
having count(*) > case {{ column_name }}
    {%- for group, bound in bounds.items() %}
    when '{{ group }}' then {{ bound }}
    {%- endfor %}
    else {{ default }}
end
{% endtest %}
