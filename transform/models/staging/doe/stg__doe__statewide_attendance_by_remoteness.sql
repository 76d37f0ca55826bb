-- Statewide attendance rate by remoteness, for all students and for Aboriginal students.
with combined as (
    select
        'all_students' as cohort,
        *
    from {{ source('raw', 'statewide_attendance_by_remoteness') }}
    union all by name
    select
        'aboriginal_students' as cohort,
        *
    from {{ source('raw', 'statewide_aboriginal_attendance_by_remoteness') }}
),

unpivoted as (
    unpivot combined
    on major_cities, regional, remote_very_remote, nsw_total
    into name remoteness value rate_text
)

select
    {{ typed_value('calendar_year') }} as calendar_year,
    cohort,
    case remoteness when 'nsw_total' then 'all' else remoteness end as remoteness,
    {{ typed_value('attendance_rate', 'rate_text') }} as attendance_rate,
    {{ typed_status('attendance_rate', 'rate_text') }} as attendance_status,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
