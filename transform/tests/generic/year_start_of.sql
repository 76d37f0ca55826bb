{#- The column holds 1 January of the row's calendar year, on every row: the date-typed time dimension MetricFlow
    needs (an integer year is not one) must never drift from the year it stands for. -#}
{% test year_start_of(model, column_name, calendar_year='calendar_year') %}
select
    {{ calendar_year }} as calendar_year,
    {{ column_name }} as year_start_date
from {{ model }}
where {{ column_name }} is distinct from make_date({{ calendar_year }}, 1, 1)
{% endtest %}
