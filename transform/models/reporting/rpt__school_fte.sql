-- Each school's enrolment FTE as the school list publishes it, by the year it counts: a master-dataset vintage
-- extracted in year Y reports the census of year Y - 1 (`latest_year_enrolment_fte`; docs/forecasts.md measures the
-- rule against the headcount file). Several vintages a year repeat the same census, so the school's latest vintage
-- of the year that gives an FTE speaks for it. The headcount of the same year sits beside it where the headcount
-- file has one (to 2023), so the two can be compared and the years after it read as newer evidence.
with vintage_fte as (
    select
        school_code,
        level_of_schooling,
        vintage_date,
        latest_year_enrolment_fte as fte,
        year(vintage_date) - 1 as fte_year,
        row_number() over (
            partition by school_code, year(vintage_date)
            order by vintage_date desc
        ) as recency
    from {{ ref('prep__school_vintage') }}
    where latest_year_enrolment_fte is not null
)

select
    vintage_fte.school_code,
    vintage_fte.fte_year,
    vintage_fte.vintage_date,
    vintage_fte.level_of_schooling,
    vintage_fte.fte,
    enrolment.headcount,
    vintage_fte.fte = enrolment.headcount as fte_equals_headcount
from vintage_fte
left join {{ ref('fct__enrolment') }} as enrolment
    on
        vintage_fte.school_code = enrolment.school_code
        and vintage_fte.fte_year = enrolment.calendar_year
where vintage_fte.recency = 1
