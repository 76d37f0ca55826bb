-- ACARA School Profile 2023: one row per Australian school (all states and sectors).
select
    {{ acara_school_identity() }},
    {{ clean_text('year_range') }} as year_range,
    {{ clean_text('geolocation') }} as geolocation,
    {{ typed_value('icsea') }} as icsea,
    {{ typed_value('icsea_percentile') }} as icsea_percentile,
    {{ typed_value('bottom_sea_quarter_pct') }} as bottom_sea_quarter_pct,
    {{ typed_value('lower_middle_sea_quarter_pct') }} as lower_middle_sea_quarter_pct,
    {{ typed_value('upper_middle_sea_quarter_pct') }} as upper_middle_sea_quarter_pct,
    {{ typed_value('top_sea_quarter_pct') }} as top_sea_quarter_pct,
    {{ typed_value('teaching_staff') }} as teaching_staff,
    {{ typed_value('teaching_staff_fte') }} as teaching_staff_fte,
    {{ typed_value('non_teaching_staff') }} as non_teaching_staff,
    {{ typed_value('non_teaching_staff_fte') }} as non_teaching_staff_fte,
    {{ typed_value('total_enrolments') }} as total_enrolments,
    {{ typed_value('girls_enrolments') }} as girls_enrolments,
    {{ typed_value('boys_enrolments') }} as boys_enrolments,
    {{ typed_value('enrolments_fte') }} as enrolments_fte,
    {{ typed_value('indigenous_pct') }} as indigenous_pct,
    {{ typed_value('lbote_pct') }} as lbote_pct,
    {{ source_lineage() }}
from {{ source('raw', 'acara_school_profile') }}
where {{ typed_keys_accepted() }}
