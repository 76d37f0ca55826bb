-- Recomputes every like-group attendance rate another way: the rate-weighted and plain headcount sums over the whole
-- group (the school and its members), minus the school's own reported rate. The model adds up the members instead;
-- both must agree to 1e-9 points, and so must the count of reporting schools.
with group_schools as (
    {{ like_group_schools() }}
),

reported as (
    select
        school_code,
        calendar_year,
        attendance_rate,
        headcount,
        attendance_rate * headcount as weighted
    from {{ ref('fct__attendance') }}
    where attendance_status = 'reported' and attendance_rate is not null
),

group_totals as (
    select
        group_schools.like_group_key,
        reported.calendar_year,
        sum(reported.weighted) as weighted,
        sum(reported.headcount) as headcount,
        count(*) as schools
    from group_schools
    inner join reported on group_schools.school_code = reported.school_code
    group by group_schools.like_group_key, reported.calendar_year
),

recomputed as (
    select
        report.school_code,
        report.calendar_year,
        report.like_group_attendance_rate,
        report.like_group_schools_reporting,
        (group_totals.weighted - coalesce(own.weighted, 0))
        / nullif(group_totals.headcount - coalesce(own.headcount, 0), 0)
            as expected_rate,
        coalesce(group_totals.schools, 0) - case when own.school_code is null then 0 else 1 end as expected_schools
    from {{ ref('rpt__like_school_attendance') }} as report
    left join group_totals
        on report.like_group_key = group_totals.like_group_key and report.calendar_year = group_totals.calendar_year
    left join reported as own
        on report.school_code = own.school_code and report.calendar_year = own.calendar_year
)

select *
from recomputed
where
    like_group_schools_reporting != expected_schools
    or (like_group_attendance_rate is null) != (expected_rate is null)
    or abs(like_group_attendance_rate - expected_rate) > 1e-9
