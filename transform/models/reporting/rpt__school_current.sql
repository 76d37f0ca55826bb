-- One row per school: its latest version in dim__school (the current one for a school listed today, the last one
-- for a school no longer listed, the inferred row for a school known only from fact files), with what the pages
-- group and sort it by and its latest headcount.
with versions as (
    select
        *,
        count(*) over (partition by school_code) as version_count,
        min(case when not is_inferred then valid_from end) over (partition by school_code) as first_listed_on
    from {{ ref('dim__school') }}
    where school_code != -1
    qualify row_number() over (
        partition by school_code
        order by valid_from desc
    ) = 1
),

first_school_list as (
    select min(valid_from) as listed_on
    from {{ ref('dim__school') }}
    where not is_inferred and school_code != -1
),

latest_headcount as (
    select
        school_code,
        calendar_year as latest_headcount_year,
        headcount as latest_headcount
    from {{ ref('fct__enrolment') }}
    where headcount is not null
    qualify row_number() over (
        partition by school_code
        order by calendar_year desc
    ) = 1
)

select
    versions.school_sk,
    versions.school_code,
    versions.school_name,
    versions.age_id,
    versions.age_id_kind,
    versions.level_of_schooling,
    versions.school_subtype,
    versions.town_suburb,
    versions.postcode,
    versions.lga,
    versions.electorate,
    versions.asgs_remoteness,
    versions.operational_directorate,
    versions.principal_network,
    versions.latitude,
    versions.longitude,
    versions.icsea_value,
    versions.latest_year_enrolment_fte,
    versions.indigenous_pct,
    versions.lbote_pct,
    versions.selective_school,
    versions.opportunity_class,
    versions.school_gender,
    versions.school_email,
    versions.website,
    versions.valid_from,
    versions.valid_to,
    versions.is_current,
    versions.is_inferred,
    versions.version_count,
    versions.first_listed_on,
    versions.first_listed_on = first_school_list.listed_on as is_in_first_school_list,
    {{ icsea_band('versions.icsea_value') }} as icsea_band,
    {{ icsea_band_order('versions.icsea_value') }} as icsea_band_order,
    {{ remoteness_order('versions.asgs_remoteness') }} as remoteness_order,
    latest_headcount.latest_headcount_year,
    latest_headcount.latest_headcount
from versions
cross join first_school_list
left join latest_headcount on versions.school_code = latest_headcount.school_code
