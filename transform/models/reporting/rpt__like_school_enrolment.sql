-- Each current school's headcount beside its like group's over the last like_school_enrolment_years years of
-- fct__enrolment, both as a percentage change since the school's base year (its first year in that window with a
-- published headcount). The group's change is over the members with a published headcount in both the base year
-- and the year, so that a school opening or a suppressed count never reads as growth or decline.
with enrolment_window as (
    select
        max(calendar_year) as last_year,
        max(calendar_year) - {{ var('like_school_enrolment_years') }} + 1 as first_year
    from {{ ref('fct__enrolment') }}
),

published as (
    select
        enrolment.school_code,
        enrolment.calendar_year,
        enrolment.headcount
    from {{ ref('fct__enrolment') }} as enrolment
    inner join enrolment_window
        on enrolment.calendar_year between enrolment_window.first_year and enrolment_window.last_year
    where enrolment.headcount is not null
),

school_years as (
    select
        base.school_code,
        base.base_year,
        calendar_year.calendar_year
    from (
        select
            school_code,
            min(calendar_year) as base_year
        from published
        group by school_code
    ) as base
    cross join enrolment_window
    inner join {{ ref('dim__calendar_year') }} as calendar_year
        on calendar_year.calendar_year between base.base_year and enrolment_window.last_year
),

like_group as (
    select
        school_years.school_code,
        school_years.calendar_year,
        sum(this_year.headcount) as like_group_headcount,
        count(this_year.headcount) as like_group_schools_with_headcount,
        sum(this_year.headcount) filter (where base_year.headcount is not null) as like_group_matched_headcount,
        sum(base_year.headcount) filter (where this_year.headcount is not null) as like_group_matched_base_headcount,
        count(*) filter (
            where this_year.headcount is not null and base_year.headcount is not null
        ) as like_group_matched_schools
    from school_years
    inner join {{ ref('rpt__like_school_member') }} as member on school_years.school_code = member.school_code
    left join published as this_year
        on member.member_school_code = this_year.school_code and school_years.calendar_year = this_year.calendar_year
    left join published as base_year
        on member.member_school_code = base_year.school_code and school_years.base_year = base_year.calendar_year
    group by school_years.school_code, school_years.calendar_year
)

select
    like_school.school_code,
    school_years.calendar_year,
    school_years.base_year,
    like_school.like_group_key,
    this_year.headcount,
    base_year.headcount as base_headcount,
    {{ pct_change('this_year.headcount', 'base_year.headcount') }} as headcount_change_pct,
    coalesce(like_group.like_group_headcount, 0) as like_group_headcount,
    coalesce(like_group.like_group_schools_with_headcount, 0) as like_group_schools_with_headcount,
    coalesce(like_group.like_group_matched_schools, 0) as like_group_matched_schools,
    {{ pct_change('like_group.like_group_matched_headcount', 'like_group.like_group_matched_base_headcount') }}
        as like_group_headcount_change_pct
from {{ ref('rpt__like_school') }} as like_school
inner join school_years on like_school.school_code = school_years.school_code
left join published as this_year
    on school_years.school_code = this_year.school_code and school_years.calendar_year = this_year.calendar_year
left join published as base_year
    on school_years.school_code = base_year.school_code and school_years.base_year = base_year.calendar_year
left join like_group
    on school_years.school_code = like_group.school_code and school_years.calendar_year = like_group.calendar_year
