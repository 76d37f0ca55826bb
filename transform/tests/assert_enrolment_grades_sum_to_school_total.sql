-- The grade rows of each school-year add up to the school total the source publishes beside them. A school-year
-- holding a value that could not be typed cannot reconcile: it is left out (quarantine lists the value).
with grades as (
    select
        school_code,
        calendar_year,
        sum(enrolment_fte) as grades_fte
    from {{ ref('fct__enrolment_by_grade') }}
    group by all
),

totals as (
    select
        school_code,
        calendar_year,
        school_total_fte
    from {{ ref('stg__doe__enrolment_by_grade') }}
    group by school_code, calendar_year, school_total_fte
    having bool_and(enrolment_fte_status != 'invalid') and school_total_fte is not null
)

select
    totals.*,
    grades.grades_fte
from totals
left join grades on totals.school_code = grades.school_code and totals.calendar_year = grades.calendar_year
where abs(coalesce(grades.grades_fte, 0) - coalesce(totals.school_total_fte, 0)) > 0.01
