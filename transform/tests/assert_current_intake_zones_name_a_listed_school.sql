{{ config(severity='warn') }}
-- Every current intake zone names a school of the latest school list. The exceptions (a school renamed, merged or
-- opened on a new site since that list) are listed as this warning's failing rows, not dropped: their zones stay
-- in the dimension with the missing school key.
select
    intake_zone_sk,
    school_code,
    school_short_name,
    catchment_type,
    added_on
from {{ ref('dim__intake_zone') }}
where zone_status = 'current' and school_code != -1 and not is_school_listed
