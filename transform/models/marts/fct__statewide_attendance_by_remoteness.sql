-- Statewide attendance rate by remoteness for all (2006-2017) and Aboriginal (2015-2017) students.
select
    calendar_year,
    cohort,
    remoteness,
    attendance_rate
from {{ ref('stg__doe__statewide_attendance_by_remoteness') }}
where attendance_status = 'reported'
