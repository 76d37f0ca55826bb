-- A zone's year levels run from its first to its last without a gap (year_levels_label, "K-6", relies on it),
-- and every zone takes at least one level.
select
    intake_zone_sk,
    school_code,
    catchment_type,
    year_levels
from {{ ref('dim__intake_zone') }}
where
    school_code != -1
    and (len(year_levels) = 0 or len(year_levels) != last_year_level - first_year_level + 1)
