-- Staging's clean_text trims every text value of the master dataset: the first of the two layers that keep
-- padding from starting a dim__school version (the second, prep__school_vintage's hash, has its own unit test).
-- The raw files pad about 1,400 Town_suburb values in every CSV vintage before 2026 and one school name in 2019.
with text_values as (
    unpivot (
        select
            vintage_date,
            school_code,
            age_id,
            school_name,
            town_suburb,
            postcode,
            school_email,
            website,
            level_of_schooling,
            school_subtype,
            lga,
            electorate,
            asgs_remoteness,
            operational_directorate,
            principal_network,
            selective_school,
            opportunity_class,
            school_gender
        from {{ ref('stg__doe__master_dataset') }}
    )
    on columns(* exclude (vintage_date, school_code))
    into name column_name value column_value
)

select
    vintage_date,
    school_code,
    column_name,
    column_value
from text_values
where column_value != trim(column_value)
