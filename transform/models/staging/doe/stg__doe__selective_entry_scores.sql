-- One row per selective high school and calendar year; schools are named, not coded, in this source.
with unpivoted as (
    unpivot {{ source('raw', 'selective_entry_scores') }}
    on columns('^entry_score_[0-9]{4}$')
    into name year_column value score_text
)

select
    {{ strip_footnotes(clean_text('selective_high_school')) }} as school_name,
    cast(right(year_column, 4) as integer) as calendar_year,
    {{ typed_value('minimum_entry_score', 'score_text') }} as minimum_entry_score,
    {{ typed_status('minimum_entry_score', 'score_text') }} as minimum_entry_score_status,
    {{ source_lineage() }}
from unpivoted
