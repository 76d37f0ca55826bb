-- ACARA School Profile 2023: one row per Australian school (all states and sectors).
select
    {{ acara_school_identity() }},
    {{ clean_text('year_range') }} as year_range,
    {{ clean_text('geolocation') }} as geolocation,
    {{ decode_number('icsea', 'integer') }} as icsea,
    {{ decode_number('icsea_percentile', 'integer') }} as icsea_percentile,
    {{ decode_number('bottom_sea_quarterx') }} as bottom_sea_quarter_pct,
    {{ decode_number('lower_middle_sea_quarterx') }} as lower_middle_sea_quarter_pct,
    {{ decode_number('upper_middle_sea_quarterx') }} as upper_middle_sea_quarter_pct,
    {{ decode_number('top_sea_quarterx') }} as top_sea_quarter_pct,
    {{ decode_number('teaching_staff') }} as teaching_staff,
    {{ decode_number('full_time_equivalent_teaching_staff') }} as teaching_staff_fte,
    {{ decode_number('non_teaching_staff') }} as non_teaching_staff,
    {{ decode_number('full_time_equivalent_non_teaching_staff') }} as non_teaching_staff_fte,
    {{ decode_number('total_enrolments', 'integer') }} as total_enrolments,
    {{ decode_number('girls_enrolments', 'integer') }} as girls_enrolments,
    {{ decode_number('boys_enrolments', 'integer') }} as boys_enrolments,
    {{ decode_number('full_time_equivalent_enrolments') }} as enrolments_fte,
    {{ decode_number('indigenous_enrolmentsx') }} as indigenous_pct,
    {{ decode_number('language_background_other_than_english_yesx') }} as lbote_pct,
    _source_file as source_file
from {{ source('raw', 'acara_school_profile') }}
