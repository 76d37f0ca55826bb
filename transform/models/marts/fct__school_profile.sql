-- ACARA School Profile 2023 for every NSW school, all sectors (empty unless NSW_DOE_ACARA_DIR is set).
-- Government schools join dim__school by AGE ID (from 2023 the master dataset's AgeID is ACARA's Location AGE
-- ID); non-government schools join dim__non_government_school by School AGE ID.
with government_codes as (
    -- An AGE ID reused by a later school points to the school that held it last.
    select
        cast(age_id as integer) as location_age_id,
        arg_max(school_code, vintage_date) as school_code
    from {{ ref('prep__school_vintage') }}
    where age_id_kind = 'location_age_id' and age_id is not null
    group by age_id
),

profile as (
    select
        profile.*,
        government_codes.school_code
    from {{ ref('stg__acara__school_profile') }} as profile
    left join government_codes
        on profile.school_sector = 'Government' and profile.location_age_id = government_codes.location_age_id
    where profile.state = 'NSW'
)

select
    case when profile.school_sector = 'Government' then {{ school_key() }} else {{ missing_member_key() }} end
        as school_sk,
    coalesce(non_government.non_government_school_sk, {{ missing_member_key() }}) as non_government_school_sk,
    profile.acara_sml_id,
    profile.school_code,
    profile.calendar_year,
    profile.school_name,
    profile.school_sector,
    profile.school_type,
    profile.icsea,
    profile.icsea_percentile,
    profile.teaching_staff,
    profile.teaching_staff_fte,
    profile.non_teaching_staff,
    profile.non_teaching_staff_fte,
    profile.total_enrolments,
    profile.girls_enrolments,
    profile.boys_enrolments,
    profile.enrolments_fte,
    profile.indigenous_pct,
    profile.lbote_pct
from profile
{{ join_school_key('profile') }}
left join {{ ref('dim__non_government_school') }} as non_government
    on profile.school_sector != 'Government' and non_government.school_age_id = profile.school_age_id
