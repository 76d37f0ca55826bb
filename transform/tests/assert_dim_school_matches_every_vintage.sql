-- On the date of each master-dataset vintage, the dim__school rows valid that day are exactly that vintage's
-- schools, one row each. Returns every school-vintage where that fails.
with vintages as (
    select distinct vintage_date from {{ ref('stg__doe__master_dataset') }}
),

valid_rows as (
    select
        vintages.vintage_date,
        school.school_code,
        count(*) as rows_valid
    from vintages
    inner join {{ ref('dim__school') }} as school
        on
            vintages.vintage_date >= school.valid_from
            and (school.valid_to is null or vintages.vintage_date < school.valid_to)
    group by all
),

listed as (
    select distinct
        vintage_date,
        school_code
    from {{ ref('stg__doe__master_dataset') }}
)

select
    valid_rows.rows_valid,
    coalesce(valid_rows.vintage_date, listed.vintage_date) as vintage_date,
    coalesce(valid_rows.school_code, listed.school_code) as school_code,
    listed.school_code is not null as is_listed
from valid_rows
full outer join listed
    on valid_rows.vintage_date = listed.vintage_date and valid_rows.school_code = listed.school_code
where listed.school_code is null or valid_rows.school_code is null or valid_rows.rows_valid != 1
