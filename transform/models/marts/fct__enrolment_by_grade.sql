-- FTE enrolment per school, calendar year and grade, 2010-2017. Blank grade cells mean no students, except
-- where a school-year has every grade blank and only its total published (small schools, 3,850 school-years in
-- the 2017 file): that total is kept as grade 'Not stated' so the school's enrolment is not lost.
with grades as (
    select
        school_code,
        calendar_year,
        grade,
        enrolment_fte,
        false as is_breakdown_withheld
    from {{ ref('stg__doe__enrolment_by_grade') }}
    where enrolment_fte_status = 'reported'
),

withheld as (
    select
        school_code,
        calendar_year,
        'Not stated' as grade,
        max(school_total_fte) as enrolment_fte,
        true as is_breakdown_withheld
    from {{ ref('stg__doe__enrolment_by_grade') }}
    group by school_code, calendar_year
    having count(enrolment_fte) = 0 and max(school_total_fte) > 0
),

rows as (
    select * from grades
    union all
    select * from withheld
)

select
    {{ school_key() }} as school_sk,
    rows.school_code,
    rows.calendar_year,
    rows.grade,
    rows.enrolment_fte,
    rows.is_breakdown_withheld,
    make_date(rows.calendar_year, 1, 1) as year_start_date
from rows
{{ join_school_key('rows') }}
