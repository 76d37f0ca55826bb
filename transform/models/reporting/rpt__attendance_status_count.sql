-- How many schools have each attendance status, by year and level of schooling (the level of the dim__school
-- version of that year; 'not published' for a school no school list describes).
select
    attendance.calendar_year,
    attendance.attendance_status,
    coalesce(school.level_of_schooling, '{{ var("missing_value") }}') as level_of_schooling,
    count(*) as schools
from {{ ref('fct__attendance') }} as attendance
left join {{ ref('dim__school') }} as school on attendance.school_sk = school.school_sk
group by all
order by all
