-- One row per school, calendar year and grade. A blank cell means no students in that grade.
with unpivoted as (
    unpivot {{ source('raw', 'enrolment_by_grade') }}
    on kindergarten, year_1, year_2, year_3, year_4, year_5, year_6, primary_ungraded,
    year_7, year_8, year_9, year_10, year_11, year_12, secondary_ungraded
    into name grade_column value fte_text
)

select
    {{ typed_value('school_code') }} as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    {{ clean_text('level_of_schooling') }} as level_of_schooling,
    {{ typed_value('calendar_year') }} as calendar_year,
    case grade_column
        when 'kindergarten' then 'K'
        when 'primary_ungraded' then 'Primary ungraded'
        when 'secondary_ungraded' then 'Secondary ungraded'
        else replace(grade_column, 'year_', 'Year ')
    end as grade,
    {{ typed_value('enrolment_fte', 'fte_text') }} as enrolment_fte,
    {{ typed_status('enrolment_fte', 'fte_text') }} as enrolment_fte_status,
    {{ typed_value('school_total_fte') }} as school_total_fte,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
