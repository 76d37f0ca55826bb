-- One row per school and calendar year. Blank means the school was not open; SP means suppressed.
with unpivoted as (
    unpivot {{ source('raw', 'enrolment_headcount') }}
    on columns('^hc_[0-9]{4}$')
    into name year_column value headcount_text
)

select
    {{ typed_value('school_code') }} as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    cast(substr(year_column, 4) as integer) as calendar_year,
    {{ typed_value('headcount', 'headcount_text') }} as headcount,
    {{ typed_status('headcount', 'headcount_text') }} as headcount_status,
    {{ source_lineage() }}
from unpivoted
where {{ typed_keys_accepted() }}
