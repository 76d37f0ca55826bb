-- Minimum entry score per selective high school and year, 2015-2018. The source names schools without codes;
-- names that match no government school keep the missing-member key and are listed in quarantine.
select
    {{ school_key() }} as school_sk,
    scores.school_code,
    scores.school_name,
    scores.calendar_year,
    scores.minimum_entry_score
from {{ ref('prep__selective_school_match') }} as scores
{{ join_school_key('scores') }}
where scores.minimum_entry_score_status = 'reported'
