-- One row per school (or the state total, school code 9999) and calendar year; columns end in a two-digit year.
{%- set years = ['14', '15', '16', '17', '18', '19', '21', '22'] %}
with unpivoted as (
    unpivot {{ source('raw', 'composite_classes') }}
    on
    {%- for yy in years %}
        (
            composite_class_count_{{ yy }}, composite_class_students_{{ yy }},
            pct_composite_classes_{{ yy }}, pct_composite_class_students_{{ yy }}
        ) as "20{{ yy }}"{{ "," if not loop.last }}
    {%- endfor %}
    into name calendar_year
    value count_text, students_text, pct_classes_text, pct_students_text
)

select
    {{ typed_value('school_code') }} as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    cast(calendar_year as integer) as calendar_year,
    {{ typed_value('composite_class_count', 'count_text') }} as composite_class_count,
    {{ typed_value('composite_class_students', 'students_text') }} as composite_class_students,
    {{ typed_value('pct_composite_classes', 'pct_classes_text') }} as pct_composite_classes,
    {{ typed_value('pct_composite_class_students', 'pct_students_text') }} as pct_composite_class_students,
    {{ typed_status('composite_class_count', 'count_text') }} as composite_class_status,
    {{ typed_value('school_code') }} = 9999 as is_state_total,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
