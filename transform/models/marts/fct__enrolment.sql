-- Headcount enrolment per school and calendar year, 2004-2023. Suppressed counts are null, never zero; years a
-- school was not open (blank in the source) have no row. A count that could not be typed is null with status
-- 'invalid' (the value is in quarantine).
select
    {{ school_key() }} as school_sk,
    headcount.school_code,
    headcount.calendar_year,
    headcount.headcount,
    headcount.headcount_status = 'suppressed' as is_suppressed,
    headcount.headcount_status,
    make_date(headcount.calendar_year, 1, 1) as year_start_date
from {{ ref('stg__doe__enrolment_headcount') }} as headcount
{{ join_school_key('headcount') }}
where headcount.headcount_status in ('reported', 'suppressed', 'invalid')
