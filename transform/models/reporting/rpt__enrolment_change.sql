-- Each school's headcount in an earlier year and in the latest enrolment year, for every school with a published
-- count in both, named by its latest version (rpt__school_current). One row per school and earlier year: the page
-- picks the earlier year and the minimum size, and ranks.
with latest_year as (
    select max(calendar_year) as last_year
    from {{ ref('fct__enrolment') }}
),

last_enrolment as (
    select
        enrolment.school_code,
        enrolment.calendar_year,
        enrolment.headcount
    from {{ ref('fct__enrolment') }} as enrolment
    inner join latest_year on enrolment.calendar_year = latest_year.last_year
    where enrolment.headcount is not null
)

select
    first_enrolment.school_code,
    first_enrolment.calendar_year as first_year,
    last_enrolment.calendar_year as last_year,
    school.school_name,
    school.level_of_schooling,
    school.lga,
    school.is_current,
    first_enrolment.headcount as first_students,
    last_enrolment.headcount as last_students,
    last_enrolment.headcount - first_enrolment.headcount as headcount_change,
    100.0 * (last_enrolment.headcount - first_enrolment.headcount) / first_enrolment.headcount as headcount_change_pct
from {{ ref('fct__enrolment') }} as first_enrolment
inner join last_enrolment
    on
        first_enrolment.school_code = last_enrolment.school_code
        and first_enrolment.calendar_year < last_enrolment.calendar_year
left join {{ ref('rpt__school_current') }} as school on first_enrolment.school_code = school.school_code
where first_enrolment.headcount is not null
