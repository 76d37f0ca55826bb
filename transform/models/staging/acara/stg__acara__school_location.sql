-- ACARA School Location 2023: one row per Australian school location, campuses included.
select
    cast(calendar_year as integer) as calendar_year,
    cast(acara_sml_id as integer) as acara_sml_id,
    try_cast(location_age_id as integer) as location_age_id,
    try_cast(school_age_id as integer) as school_age_id,
    try_cast(rolled_school_id as integer) as rolled_school_id,
    {{ clean_text('school_name') }} as school_name,
    {{ clean_text('suburb') }} as suburb,
    {{ clean_text('state') }} as state,
    {{ clean_text('postcode') }} as postcode,
    {{ clean_text('school_sector') }} as school_sector,
    {{ clean_text('school_type') }} as school_type,
    {{ clean_text('campus_type') }} as campus_type,
    {{ decode_number('latitude') }} as latitude,
    {{ decode_number('longitude') }} as longitude,
    {{ clean_text('abs_remoteness_area_name') }} as remoteness_area,
    {{ clean_text('statistical_area_2_name') }} as sa2_name,
    {{ clean_text('statistical_area_4_name') }} as sa4_name,
    {{ clean_text('local_government_area_name') }} as lga_name,
    {{ clean_text('state_electoral_division_name') }} as state_electorate,
    {{ clean_text('commonwealth_electoral_division_name') }} as federal_electorate,
    _source_file as source_file
from {{ source('raw', 'acara_school_location') }}
