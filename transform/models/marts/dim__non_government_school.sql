-- NSW non-government (Catholic and Independent) schools, one row per ACARA School AGE ID: the 2017 locations
-- list, and ACARA's 2023 locations when NSW_DOE_ACARA_DIR is set (their attributes win, being newer).
with list_2017 as (
    select
        age_id as school_age_id,
        school_name,
        sector,
        town_suburb as suburb,
        postcode,
        level_of_schooling,
        lga,
        asgs_remoteness as remoteness,
        latitude,
        longitude
    from {{ ref('stg__doe__nongov_locations') }}
),

acara_2023 as (
    select
        school_age_id,
        school_name,
        school_sector as sector,
        suburb,
        postcode,
        school_type as level_of_schooling,
        lga_name as lga,
        remoteness_area as remoteness,
        latitude,
        longitude
    from {{ ref('stg__acara__school_location') }}
    where state = 'NSW' and school_sector != 'Government' and school_age_id is not null
    -- A school with several campuses: its head location describes it.
    qualify row_number() over (
        partition by school_age_id
        order by (acara_sml_id = rolled_school_id) desc, acara_sml_id
    ) = 1
),

schools as (
    select
        coalesce(acara_2023.school_age_id, list_2017.school_age_id) as school_age_id,
        coalesce(acara_2023.school_name, list_2017.school_name) as school_name,
        coalesce(acara_2023.sector, list_2017.sector) as sector,
        coalesce(acara_2023.suburb, list_2017.suburb) as suburb,
        coalesce(acara_2023.postcode, list_2017.postcode) as postcode,
        coalesce(acara_2023.level_of_schooling, list_2017.level_of_schooling) as level_of_schooling,
        coalesce(acara_2023.lga, list_2017.lga) as lga,
        coalesce(acara_2023.remoteness, list_2017.remoteness) as remoteness,
        coalesce(acara_2023.latitude, list_2017.latitude) as latitude,
        coalesce(acara_2023.longitude, list_2017.longitude) as longitude,
        list_2017.school_age_id is not null as in_2017_list,
        acara_2023.school_age_id is not null as in_acara_2023
    from list_2017
    full outer join acara_2023 on list_2017.school_age_id = acara_2023.school_age_id
)

select
    {{ surrogate_key(['school_age_id']) }} as non_government_school_sk,
    *
from schools
union all by name
select
    {{ missing_member_key() }} as non_government_school_sk,
    -1 as school_age_id,
    'Unknown school' as school_name
