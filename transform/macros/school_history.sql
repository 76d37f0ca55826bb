{#- The attributes whose change starts a new version of a school (prep__school_vintage hashes them, in this order)
    and whose changes rpt__school_attribute_change lists: one list, read by both. `label` is how people name the
    attribute; `kind` says how its value reads (text as is, an index without separators, a number with them, a
    coordinate, which the school's move between versions shows instead). -#}
{% macro tracked_school_attributes() %}
    {{ return([
        {'column': 'school_name', 'label': 'Name', 'kind': 'text'},
        {'column': 'level_of_schooling', 'label': 'Level', 'kind': 'text'},
        {'column': 'school_subtype', 'label': 'Subtype', 'kind': 'text'},
        {'column': 'lga', 'label': 'LGA', 'kind': 'text'},
        {'column': 'electorate', 'label': 'Electorate', 'kind': 'text'},
        {'column': 'asgs_remoteness', 'label': 'Remoteness', 'kind': 'text'},
        {'column': 'operational_directorate', 'label': 'Directorate', 'kind': 'text'},
        {'column': 'principal_network', 'label': 'Principal network', 'kind': 'text'},
        {'column': 'latitude', 'label': 'Latitude', 'kind': 'coordinate'},
        {'column': 'longitude', 'label': 'Longitude', 'kind': 'coordinate'},
        {'column': 'icsea_value', 'label': 'ICSEA', 'kind': 'index'},
        {'column': 'latest_year_enrolment_fte', 'label': 'Enrolment (FTE)', 'kind': 'number'},
        {'column': 'indigenous_pct', 'label': 'Aboriginal students %', 'kind': 'number'},
        {'column': 'lbote_pct', 'label': 'LBOTE %', 'kind': 'number'},
        {'column': 'selective_school', 'label': 'Selective', 'kind': 'text'},
        {'column': 'opportunity_class', 'label': 'Opportunity classes', 'kind': 'text'},
        {'column': 'school_gender', 'label': 'Gender', 'kind': 'text'},
    ]) }}
{% endmacro %}

{#- A tracked attribute's value as the history compares it: whitespace and case never make a change; '~' for null. -#}
{% macro compared_attribute(column) -%}
    coalesce(lower(regexp_replace(trim(cast({{ column }} as varchar)), '\s+', ' ', 'g')), '~')
{%- endmacro %}

{#- A tracked attribute's value as people read it (null stays null): an index without a thousands separator, a
    number with one and no decimals when whole, else one decimal. -#}
{% macro attribute_text(column, kind) -%}
    {%- if kind == 'index' -%}
        format('{:.0f}', cast({{ column }} as double))
    {%- elif kind == 'number' -%}
        case
            when {{ column }} = round({{ column }}) then format('{:,.0f}', cast({{ column }} as double))
            else format('{:,.1f}', cast({{ column }} as double))
        end
    {%- else -%}
        cast({{ column }} as varchar)
    {%- endif -%}
{%- endmacro %}
