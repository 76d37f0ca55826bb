-- One row per government school per master-dataset vintage, with the cosmetic differences between vintages
-- removed and a hash of the tracked attributes, so that a new dim__school version starts only on a real change.
with vintages as (
    select
        vintage_date,
        dense_rank() over (
            order by vintage_date
        ) as vintage_seq
    from (select distinct vintage_date from {{ ref('stg__doe__master_dataset') }})
),

cleaned as (
    select
        m.vintage_date,
        v.vintage_seq,
        m.school_code,
        m.age_id,
        m.age_id_kind,
        m.school_name,
        m.level_of_schooling,
        -- 2024 reworded "Kinder to Year 6" as "Kindergarten to Year 6".
        m.electorate,
        -- 2025 dropped the (A)/(C) council-type suffix from LGA names.
        m.asgs_remoteness,
        m.operational_directorate,
        m.principal_network,
        m.latitude,
        m.longitude,
        m.icsea_value,
        m.latest_year_enrolment_fte,
        m.indigenous_pct,
        m.lbote_pct,
        m.selective_school,
        m.opportunity_class,
        m.school_gender,
        m.street,
        m.town_suburb,
        m.postcode,
        m.phone,
        m.school_email,
        m.website,
        m.preschool_ind,
        m.distance_education,
        m.intensive_english_centre,
        m.late_opening_school,
        regexp_replace(m.school_subtype, '^Kinder to ', 'Kindergarten to ') as school_subtype,
        regexp_replace(m.lga, '\s*\((A|C)\)$', '') as lga
    from {{ ref('stg__doe__master_dataset') }} as m
    inner join vintages as v on m.vintage_date = v.vintage_date
)

select
    *,
    -- Whitespace and case never make a new version (macros/school_history.sql: the list, and the comparison).
    md5(concat_ws(
        '|',
        {%- for attribute in tracked_school_attributes() %}
            {{ compared_attribute(attribute.column) }}
            {{- "," if not loop.last }}
        {%- endfor %}
    )) as tracked_attributes_hash
from cleaned
