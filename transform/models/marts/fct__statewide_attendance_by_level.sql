-- Statewide attendance rate by education level for all and for Aboriginal students, 2006-2017.
select
    calendar_year,
    cohort,
    education_level,
    attendance_rate
from {{ ref('stg__doe__statewide_attendance_by_level') }}
where attendance_status = 'reported'
