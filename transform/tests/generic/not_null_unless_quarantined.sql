{#- The column is null only in a row that had a value quarantined (quarantine__rejected_rows, matched on the
    staging row's source_file and source_row_number): for a typed column whose source must hold a value. -#}
{% test not_null_unless_quarantined(model, column_name) %}
select
    typed.source_file,
    typed.source_row_number
from {{ model }} as typed
where
    typed.{{ column_name }} is null
    and not exists (
        select 1
        from {{ ref('quarantine__rejected_rows') }} as quarantined
        where
            quarantined.source_file = typed.source_file
            and quarantined.source_row_number = typed.source_row_number
    )
{% endtest %}
