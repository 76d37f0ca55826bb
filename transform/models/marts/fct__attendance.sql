-- Semester 1 attendance per school and calendar year, 2011-2022 (no 2020), with the year's headcount so that
-- state rates can be weighted by students instead of averaging school averages. A rate that could not be typed is
-- null with status 'invalid' (the value is in quarantine).
select
    {{ school_key() }} as school_sk,
    attendance.school_code,
    attendance.calendar_year,
    attendance.attendance_rate,
    attendance.attendance_status,
    headcount.headcount,
    attendance.edition_year,
    make_date(attendance.calendar_year, 1, 1) as year_start_date
from {{ ref('prep__attendance') }} as attendance
{{ join_school_key('attendance') }}
left join {{ ref('stg__doe__enrolment_headcount') }} as headcount
    on
        headcount.school_code = attendance.school_code
        and headcount.calendar_year = attendance.calendar_year
        and headcount.headcount_status = 'reported'
where attendance.school_code is not null
