-- ACARA School Location 2023: one row per Australian school location, campuses included.
select
    {{ acara_school_identity() }},
    {{ typed_value('rolled_school_id') }} as rolled_school_id,
    {{ typed_value('latitude') }} as latitude,
    {{ typed_value('longitude') }} as longitude,
    {{ clean_text('abs_remoteness_area_name') }} as remoteness_area,
    {{ clean_text('statistical_area_2_name') }} as sa2_name,
    {{ clean_text('statistical_area_4_name') }} as sa4_name,
    {{ clean_text('local_government_area_name') }} as lga_name,
    {{ clean_text('state_electoral_division_name') }} as state_electorate,
    {{ clean_text('commonwealth_electoral_division_name') }} as federal_electorate,
    {{ source_lineage() }}
from {{ source('raw', 'acara_school_location') }}
where {{ typed_keys_accepted() }}
