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
    cast(school_code as integer) as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    cast(calendar_year as integer) as calendar_year,
    {{ decode_number('count_text', 'integer') }} as composite_class_count,
    {{ decode_number('students_text', 'integer') }} as composite_class_students,
    {{ decode_number('pct_classes_text') }} as pct_composite_classes,
    {{ decode_number('pct_students_text') }} as pct_composite_class_students,
    {{ value_status('count_text') }} as composite_class_status,
    cast(school_code as integer) = 9999 as is_state_total,
    _source_file as source_file
from unpivoted
