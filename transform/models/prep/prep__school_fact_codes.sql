-- Every school code found in a school-level fact source, with the years it appears and its latest name there:
-- the source of dim__school's inferred members (schools closed before the first master-dataset vintage).
with fact_rows as (
    select
        school_code,
        school_name,
        calendar_year
    from {{ ref('stg__doe__enrolment_headcount') }}
    where headcount_status != 'not_reported'
    union all
    select
        school_code,
        school_name,
        calendar_year
    from {{ ref('stg__doe__enrolment_by_grade') }}
    union all
    select
        school_code,
        school_name,
        calendar_year
    from {{ ref('stg__doe__attendance') }}
    where not is_state_total and school_code is not null
    union all
    select
        school_code,
        school_name,
        calendar_year
    from {{ ref('stg__doe__composite_classes') }}
    where not is_state_total
    union all
    select
        school_code,
        school_name,
        year(vintage_date) as calendar_year
    from {{ ref('stg__doe__master_dataset_support_classes') }}
)

select
    school_code,
    arg_max(school_name, calendar_year) as school_name,
    min(calendar_year) as first_year,
    max(calendar_year) as last_year
from fact_rows
group by school_code
