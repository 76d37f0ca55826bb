{#- Every value of the column lies within [min_value, max_value] (either bound may be left out); nulls pass. Rates
    and percentages are 0-100, counts >= 0. -#}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as value_out_of_range
from {{ model }}
where
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
    {%- if min_value is not none and max_value is not none %} or{% endif %}
    {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}
