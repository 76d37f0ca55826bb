{#- One row per combination of the given columns in a staging model; a repeat is reported with the source file
    and data rows it came from, so a failed build names them. -#}
{% test source_grain(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as rows_at_grain,
    string_agg(
        source_file || ' data row ' || source_row_number, '; ' order by source_file, source_row_number
    ) as source_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
