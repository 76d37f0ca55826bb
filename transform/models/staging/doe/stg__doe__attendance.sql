-- One row per school (or state total), calendar year and edition. Editions republish earlier years.
with unpivoted as (
    unpivot {{ source('raw', 'attendance') }}
    on columns('^_[0-9]{4}$')
    into name year_column value rate_text
)

select
    {{ typed_value('school_code') }} as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    cast(substr(year_column, 2) as integer) as calendar_year,
    {{ typed_value('attendance_rate', 'rate_text') }} as attendance_rate,
    {{ typed_status('attendance_rate', 'rate_text') }} as attendance_status,
    -- The statewide row has no school code and a name like "NSW government".
    ({{ clean_text('school_code') }} is null and school_name ilike 'NSW gov%') as is_state_total,
    cast(_vintage as integer) as edition_year,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
