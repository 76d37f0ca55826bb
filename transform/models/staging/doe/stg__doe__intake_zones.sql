-- A view, not a table: the boundaries are megabytes of text and the zone dimension is the one reader.
{{ config(materialized='view') }}

-- One row per intake zone in each intake-zone file: the statewide geometry (current and future zones, c. April 2026)
-- and the department's May 2023 attribute tables (primary and secondary, no geometry). A zone's year levels come
-- as one column each (KINDERGART, YEAR1..YEAR12): Y/N in a current zone, in a future zone the calendar year from
-- which it takes that level (0 = never).
with zones as (
    select *
    from {{ source('raw', 'intake_zones') }}
    where {{ typed_keys_accepted() }}
),

levels as (
    select
        _source_file,
        _source_row,
        if(level_column = 'kindergart', 0, cast(substr(level_column, 5) as integer)) as year_level,
        upper(trim(intake_text)) in ('Y', 'N') as is_flag,
        upper(trim(intake_text)) = 'Y' as is_flagged_served,
        {{ typed_value('intake_year', 'intake_text') }} as intake_year
    from (
        unpivot (
            select
                _source_file,
                _source_row,
                columns('^(kindergart|year[0-9]+)$')
            from zones
        )
        on columns('^(kindergart|year[0-9]+)$')
        into name level_column value intake_text
    )
),

served as (
    select
        _source_file,
        _source_row,
        if(bool_and(is_flag), 'current', 'future') as zone_status,
        list_sort(list(year_level) filter (
            where is_flagged_served or intake_year > 0
        )) as year_levels,
        min(intake_year) filter (where intake_year > 0) as takes_effect_year
    from levels
    group by _source_file, _source_row
)

select
    {{ typed_value('school_code') }} as school_code,
    {{ clean_text('zones.catch_type') }} as catchment_type,
    {{ clean_text('zones.use_desc') }} as school_short_name,
    {{ typed_value('added_on') }} as added_on,
    served.zone_status,
    coalesce(served.year_levels, []) as year_levels,
    served.takes_effect_year,
    case upper(trim(zones.priority)) when 'Y' then true when 'N' then false end as is_priority,
    zones.geometry,
    zones._vintage as vintage,
    zones._source_file as source_file,
    zones._source_row as source_row_number
from zones
left join served
    on zones._source_file = served._source_file and zones._source_row = served._source_row
