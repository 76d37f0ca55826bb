-- Each current school's attendance rate beside its like group's and the state's, every year of the attendance range
-- (2020, with no collection, included and empty). The like group's rate leaves the school out and is weighted by
-- headcount exactly as the state rate is (macro weighted_attendance_rate, over the reported rates).
with reported as (
    select
        school_code,
        calendar_year,
        attendance_rate,
        headcount
    from {{ ref('fct__attendance') }}
    where attendance_status = 'reported' and attendance_rate is not null
),

like_group as (
    select
        member.school_code,
        reported.calendar_year,
        {{ weighted_attendance_rate('reported.attendance_rate', 'reported.headcount') }} as like_group_attendance_rate,
        count(distinct reported.school_code) as like_group_schools_reporting
    from {{ ref('rpt__like_school_member') }} as member
    inner join reported on member.member_school_code = reported.school_code
    group by member.school_code, reported.calendar_year
)

select
    like_school.school_code,
    state.calendar_year,
    state.attendance_collection,
    like_school.like_group_key,
    attendance.attendance_rate,
    attendance.attendance_status,
    attendance.headcount,
    like_group.like_group_attendance_rate,
    state.attendance_rate as state_attendance_rate,
    coalesce(like_group.like_group_schools_reporting, 0) as like_group_schools_reporting,
    attendance.attendance_rate - like_group.like_group_attendance_rate as attendance_rate_minus_like_group
from {{ ref('rpt__like_school') }} as like_school
cross join {{ ref('rpt__state_attendance_rate') }} as state
left join {{ ref('fct__attendance') }} as attendance
    on like_school.school_code = attendance.school_code and state.calendar_year = attendance.calendar_year
left join like_group
    on like_school.school_code = like_group.school_code and state.calendar_year = like_group.calendar_year
