-- The intake zones of NSW government schools: one row per zone of the latest file that has their boundaries (the
-- current zones, and the future ones that take effect from a later year), linked to the school it is for.
with zone_files as (
    select *
    from {{ ref('stg__doe__intake_zones') }}
),

geometry_vintage as (
    select max(vintage) as vintage
    from zone_files
    where geometry is not null
),

zones as (
    select zone_files.*
    from zone_files
    inner join geometry_vintage on zone_files.vintage = geometry_vintage.vintage
    where zone_files.geometry is not null
),

-- The zones of the department's May 2023 attribute tables, to tell a zone that is new since then.
zones_2023 as (
    select distinct
        school_code,
        catchment_type
    from zone_files
    where geometry is null
),

current_schools as (
    select
        school_code,
        school_sk,
        school_name
    from {{ ref('dim__school') }}
    where is_current
),

described as (
    select
        zones.school_code,
        current_schools.school_sk,
        coalesce(current_schools.school_name, zones.school_short_name) as school_name,
        zones.school_short_name,
        zones.catchment_type,
        case
            when zones.catchment_type in ('PRIMARY', 'INFANTS', 'CENTRAL_PRIMARY') then 'primary'
            else 'secondary'
        end as zone_level,
        zones.zone_status,
        zones.year_levels,
        list_min(zones.year_levels) as first_year_level,
        list_max(zones.year_levels) as last_year_level,
        zones.takes_effect_year,
        zones.is_priority,
        zones.added_on,
        current_schools.school_code is not null as is_school_listed,
        zones_2023.school_code is not null as had_zone_in_2023,
        zones.geometry,
        zones.vintage,
        zones.source_file,
        zones.source_row_number
    from zones
    left join current_schools on zones.school_code = current_schools.school_code
    left join zones_2023
        on zones.school_code = zones_2023.school_code and zones.catchment_type = zones_2023.catchment_type
)

select
    {{ surrogate_key(['school_code', 'catchment_type', 'zone_status', 'year_levels', 'takes_effect_year']) }}
        as intake_zone_sk,
    * replace (coalesce(school_sk, {{ missing_member_key() }}) as school_sk),
    -- "K-6", "7-12": the levels as a parent reads them (every zone's levels run without a gap: tested).
    concat(
        if(first_year_level = 0, 'K', cast(first_year_level as varchar)),
        if(last_year_level > first_year_level, '-' || last_year_level, '')
    ) as year_levels_label
from described
union all by name
select
    {{ missing_member_key() }} as intake_zone_sk,
    -1 as school_code,
    {{ missing_member_key() }} as school_sk,
    'Unknown zone' as school_name
