-- One row per school, calendar year and grade. A blank cell means no students in that grade.
with unpivoted as (
    unpivot {{ source('raw', 'enrolment_by_grade') }}
    on kindergarten, year_1, year_2, year_3, year_4, year_5, year_6, primary_ungraded,
    year_7, year_8, year_9, year_10, year_11, year_12, secondary_ungraded
    into name grade_column value fte_text
)

select
    cast(school_code as integer) as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    {{ clean_text('level_of_schooling') }} as level_of_schooling,
    cast(calendar_year as integer) as calendar_year,
    case grade_column
        when 'kindergarten' then 'K'
        when 'primary_ungraded' then 'Primary ungraded'
        when 'secondary_ungraded' then 'Secondary ungraded'
        else replace(grade_column, 'year_', 'Year ')
    end as grade,
    {{ decode_number('fte_text') }} as enrolment_fte,
    {{ value_status('fte_text') }} as enrolment_fte_status,
    {{ decode_number('school_total') }} as school_total_fte,
    _source_file as source_file
from unpivoted
