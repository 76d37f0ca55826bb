{#- One row per combination of the given columns: the grain of a model. -#}
{% test grain(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_at_grain
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
