-- One row per school (or state total), calendar year and edition. Editions republish earlier years.
with unpivoted as (
    unpivot {{ source('raw', 'attendance') }}
    on columns('^_[0-9]{4}$')
    into name year_column value rate_text
)

select
    try_cast({{ clean_text('school_code') }} as integer) as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    cast(substr(year_column, 2) as integer) as calendar_year,
    {{ decode_number('rate_text') }} as attendance_rate,
    {{ value_status('rate_text') }} as attendance_status,
    -- The statewide row has no school code and a name like "NSW government".
    ({{ clean_text('school_code') }} is null and school_name ilike 'NSW gov%') as is_state_total,
    cast(_vintage as integer) as edition_year,
    _source_file as source_file
from unpivoted
