-- Type-2 history of every government school (see prep__school_history), plus the schools known only from fact
-- files (inferred, valid from their first fact year until the first vintage) and the missing member.
with history as (
    select
        * exclude (version_number),
        false as is_inferred
    from {{ ref('prep__school_history') }}
),

first_vintage as (
    select min(valid_from) as vintage_date from history
),

inferred as (
    select
        codes.school_code,
        codes.school_name,
        least(make_date(codes.first_year, 1, 1), first_vintage.vintage_date - 1) as valid_from,
        first_vintage.vintage_date as valid_to,
        true as is_inferred
    from {{ ref('prep__school_fact_codes') }} as codes
    cross join first_vintage
    where codes.school_code not in (select history.school_code from history)
),

schools as (
    -- By name: inferred schools have no vintage attributes, which stay null (AM07 is off: sqlfluff does not know
    -- that union all by name matches columns by name, so differing column counts are intended).
    select * from history  -- noqa: AM07
    union all by name
    select * from inferred
)

select
    {{ surrogate_key(['school_code', 'valid_from']) }} as school_sk,
    school_code,
    school_name,
    age_id,
    age_id_kind,
    level_of_schooling,
    school_subtype,
    town_suburb,
    postcode,
    lga,
    electorate,
    asgs_remoteness,
    operational_directorate,
    principal_network,
    latitude,
    longitude,
    icsea_value,
    latest_year_enrolment_fte,
    indigenous_pct,
    lbote_pct,
    selective_school,
    opportunity_class,
    school_gender,
    school_email,
    website,
    valid_from,
    valid_to,
    valid_to is null and not is_inferred as is_current,
    is_inferred
from schools
union all by name
select
    {{ missing_member_key() }} as school_sk,
    -1 as school_code,
    'Unknown school' as school_name,
    false as is_current,
    false as is_inferred
