-- What the yearly facts cover, one row per dataset: the first and last year, the years in between with no data, and
-- how many schools appear (the Overview page's coverage table).
with facts as (
    select
        'Enrolments (headcount)' as dataset,
        calendar_year,
        school_code
    from {{ ref('fct__enrolment') }}
    union all
    select
        'Enrolments by grade (FTE)' as dataset,
        calendar_year,
        school_code
    from {{ ref('fct__enrolment_by_grade') }}
    union all
    select
        'Attendance (semester 1)' as dataset,
        calendar_year,
        school_code
    from {{ ref('fct__attendance') }}
    union all
    select
        'Composite classes' as dataset,
        calendar_year,
        school_code
    from {{ ref('fct__composite_class') }}
),

datasets as (
    select
        dataset,
        min(calendar_year) as first_year,
        max(calendar_year) as last_year,
        count(distinct school_code) as schools
    from facts
    group by dataset
),

missing as (
    select
        datasets.dataset,
        list(
            calendar_year.calendar_year
            order by calendar_year.calendar_year
        ) as missing_years
    from datasets
    inner join {{ ref('dim__calendar_year') }} as calendar_year
        on calendar_year.calendar_year between datasets.first_year and datasets.last_year
    where
        not exists (
            select 1
            from facts
            where facts.dataset = datasets.dataset and facts.calendar_year = calendar_year.calendar_year
        )
    group by datasets.dataset
)

select
    datasets.dataset,
    datasets.first_year,
    datasets.last_year,
    datasets.schools,
    coalesce(missing.missing_years, []) as missing_years
from datasets
left join missing on datasets.dataset = missing.dataset
