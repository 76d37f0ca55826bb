-- One row per school, date and tracked attribute that changed on that date: the attribute's value in the previous
-- version of the school and in the version that starts that day. The tracked attributes are the ones whose change
-- starts a version (macros/school_history.sql, which prep__school_vintage hashes), compared the same way.
{%- set attributes = tracked_school_attributes() %}

with versions as (
    select
        school_code,
        valid_from,
        {%- for attribute in attributes %}
            {{ attribute.column }},
            lag({{ attribute.column }}) over school_versions as previous_{{ attribute.column }},
        {%- endfor %}
        lag(valid_from) over school_versions as previous_valid_from
    from {{ ref('dim__school') }}
    where not is_inferred and school_code != -1
    window school_versions as (
        partition by school_code
        order by valid_from
    )
),

pairs as (
    select *
    from versions
    where previous_valid_from is not null
),

changes as (
    {%- for attribute in attributes %}
        select
            school_code,
            valid_from as change_date,
            {{ loop.index }} as attribute_position,
            '{{ attribute.column }}' as attribute,  -- noqa: RF04
            '{{ attribute.label }}' as attribute_label,
            {{ attribute_text('previous_' ~ attribute.column, attribute.kind) }} as value_before,
            {{ attribute_text(attribute.column, attribute.kind) }} as value_after,
            {%- if attribute.kind == 'coordinate' %}
                {{ great_circle_km('previous_latitude', 'previous_longitude', 'latitude', 'longitude') }} as moved_km
            {%- else %}
                cast(null as double) as moved_km
            {%- endif %}
        from pairs
        where {{ compared_attribute('previous_' ~ attribute.column) }} != {{ compared_attribute(attribute.column) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    school_code,
    change_date,
    attribute_position,
    attribute,
    attribute_label,
    value_before,
    value_after,
    moved_km
from changes
