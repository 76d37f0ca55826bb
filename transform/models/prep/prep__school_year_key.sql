-- The dim__school version each school-year fact points to: the version valid on 1 July of the year, else the
-- nearest version in time (the first one for years before it, the last one for years after). One row per school
-- code and calendar year, so that facts join to it without losing or duplicating rows.
with candidates as (
    select
        school.school_code,
        years.calendar_year,
        school.school_sk,
        school.valid_from,
        school.valid_to,
        make_date(years.calendar_year, 7, 1) as mid_year
    from {{ ref('dim__school') }} as school
    cross join {{ ref('dim__calendar_year') }} as years
    where school.school_code != -1 and years.calendar_year != -1
)

select
    school_code,
    calendar_year,
    school_sk
from candidates
qualify row_number() over (
    partition by school_code, calendar_year
    order by
        case
            when mid_year < valid_from then valid_from - mid_year
            when mid_year >= valid_to then mid_year - valid_to + 1
            else 0
        end,
        valid_from desc
) = 1
