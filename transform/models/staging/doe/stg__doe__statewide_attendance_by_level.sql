-- Statewide attendance rate by education level, for all students and for Aboriginal students.
with combined as (
    select
        'all_students' as cohort,
        year,
        "primary",
        junior_secondary,
        senior_secondary,
        secondary,
        nsw_total as all_levels,
        _source_file,
        _source_row
    from {{ source('raw', 'statewide_attendance_by_level') }}
    union all
    select
        'aboriginal_students' as cohort,
        year,
        "primary",
        junior_secondary,
        senior_secondary,
        secondary,
        all_nsw as all_levels,
        _source_file,
        _source_row
    from {{ source('raw', 'statewide_aboriginal_attendance_by_level') }}
),

unpivoted as (
    unpivot combined
    on "primary", junior_secondary, senior_secondary, secondary, all_levels
    into name education_level value rate_text
)

select
    {{ typed_value('calendar_year') }} as calendar_year,
    cohort,
    education_level,
    {{ typed_value('attendance_rate', 'rate_text') }} as attendance_rate,
    {{ typed_status('attendance_rate', 'rate_text') }} as attendance_status,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
