{#- The columns that identify a school in both ACARA workbooks (profile and location). -#}
{% macro acara_school_identity() -%}
    {{ typed_value('calendar_year') }} as calendar_year,
    {{ typed_value('acara_sml_id') }} as acara_sml_id,
    {{ typed_value('location_age_id') }} as location_age_id,
    {{ typed_value('school_age_id') }} as school_age_id,
    {{ clean_text('school_name') }} as school_name,
    {{ clean_text('suburb') }} as suburb,
    {{ clean_text('state') }} as state,
    {{ clean_text('postcode') }} as postcode,
    {{ clean_text('school_sector') }} as school_sector,
    {{ clean_text('school_type') }} as school_type,
    {{ clean_text('campus_type') }} as campus_type
{%- endmacro %}
