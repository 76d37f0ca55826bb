-- Recomputes every like-group headcount another way: the headcount of the whole group (the school and its members)
-- that year minus the school's own. The model adds up the members instead; both must agree, school count included.
with group_schools as (
    {{ like_group_schools() }}
),

group_totals as (
    select
        group_schools.like_group_key,
        enrolment.calendar_year,
        sum(enrolment.headcount) as headcount,
        count(enrolment.headcount) as schools
    from group_schools
    inner join {{ ref('fct__enrolment') }} as enrolment on group_schools.school_code = enrolment.school_code
    group by group_schools.like_group_key, enrolment.calendar_year
)

select
    report.school_code,
    report.calendar_year,
    report.like_group_headcount,
    report.like_group_schools_with_headcount,
    group_totals.headcount - coalesce(report.headcount, 0) as expected_headcount,
    group_totals.schools - case when report.headcount is null then 0 else 1 end as expected_schools
from {{ ref('rpt__like_school_enrolment') }} as report
inner join group_totals
    on report.like_group_key = group_totals.like_group_key and report.calendar_year = group_totals.calendar_year
where
    report.like_group_headcount != group_totals.headcount - coalesce(report.headcount, 0)
    or report.like_group_schools_with_headcount
    != group_totals.schools - case when report.headcount is null then 0 else 1 end
