-- Every calendar year a fact covers, then five more as the forecast horizon.
with fact_years as (
    select calendar_year from {{ ref('stg__doe__enrolment_headcount') }}
    union
    select calendar_year from {{ ref('stg__doe__enrolment_by_grade') }}
    union
    select calendar_year from {{ ref('stg__doe__attendance') }}
    union
    select calendar_year from {{ ref('stg__doe__composite_classes') }}
    union
    select calendar_year from {{ ref('stg__doe__statewide_attendance_by_level') }}
    union
    select calendar_year from {{ ref('stg__doe__statewide_attendance_by_remoteness') }}
    union
    select calendar_year from {{ ref('stg__doe__selective_entry_scores') }}
    union
    select calendar_year from {{ ref('stg__acara__school_profile') }}
    union
    select year(vintage_date) from {{ ref('stg__doe__master_dataset_support_classes') }}
),

bounds as (
    select
        min(calendar_year) as first_year,
        max(calendar_year) as last_year
    from fact_years
),

years as (
    select
        unnest(range(first_year, last_year + {{ var('forecast_horizon_years') }} + 1)) as calendar_year,
        last_year
    from bounds
)

select
    {{ surrogate_key(['calendar_year']) }} as calendar_year_sk,
    calendar_year,
    calendar_year > last_year as is_forecast_horizon,
    calendar_year in (select fact_years.calendar_year from fact_years) as has_facts,
    -- No attendance was collected in 2020; from 2021 it follows a new national standard.
    case
        when calendar_year = 2020 then 'not_collected'
        when calendar_year >= 2021 then 'national_standard_2021'
        else 'semester_1_pre_2021'
    end as attendance_collection
from years
union all
select
    {{ missing_member_key() }} as calendar_year_sk,
    -1 as calendar_year,
    false as is_forecast_horizon,
    false as has_facts,
    'unknown' as attendance_collection
