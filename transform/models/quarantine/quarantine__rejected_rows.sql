-- Values and rows that could not be typed or keyed, each with its source file, row number, column, raw value, the
-- reason and the whole row as JSON. Nothing is dropped silently: a value a staging model types as null because its
-- rule rejects it (typed_columns()), and a row no fact can key, are listed here.
-- `quarantine_row_json(source_row)` turns a whole row into JSON through its table alias (AL05: sqlfluff takes it
-- for unused).
-- It reads the raw tables the staging models type, and lists the values their rules reject; each staging model it
-- checks is a parent, for lineage:
{%- set raw_tables = [] %}
{%- for model_name, sources in typed_columns().items() %}
-- depends_on: {{ ref(model_name) }}
    {%- for table in sources %}
        {%- do raw_tables.append(table) %}
    {%- endfor %}
{%- endfor %}
with
{%- for table in raw_tables %}
    raw_{{ table }} as (
        select
            *,
            {{ quarantine_row_json('source_row') }} as row_json
        from {{ source('raw', table) }} as source_row  -- noqa: AL05
    ),
{%- endfor %}

-- The attendance rows without a school code that are not the statewide row.
attendance_without_code as (
    select distinct
        source_file,
        source_row_number
    from {{ ref('stg__doe__attendance') }}
    where school_code is null and not is_state_total
),

-- The selective schools named in a way that matches no single government school.
unmatched_selective_names as (
    select distinct
        source_file,
        source_row_number
    from {{ ref('prep__selective_school_match') }}
    where school_code is null
),

rejected_values as (
    {%- for model_name, sources in typed_columns().items() %}
        {%- for table, entries in sources.items() %}
            {%- for entry in entries %}
                {{ rejected_values(model_name, table, entry) }}
                union all
            {%- endfor %}
        {%- endfor %}
    {%- endfor %}
    select
        'stg__doe__attendance' as source_model,
        raw_attendance._source_file as source_file,
        raw_attendance._source_row as source_row_number,
        'school_code' as source_column,
        raw_attendance.school_code as source_value,
        'a school row without a school code' as reason,
        raw_attendance.row_json
    from raw_attendance
    inner join attendance_without_code
        on
            raw_attendance._source_file = attendance_without_code.source_file
            and raw_attendance._source_row = attendance_without_code.source_row_number
    union all
    select
        'stg__doe__selective_entry_scores' as source_model,
        raw_selective_entry_scores._source_file as source_file,
        raw_selective_entry_scores._source_row as source_row_number,
        'selective_high_school' as source_column,
        raw_selective_entry_scores.selective_high_school as source_value,
        'the school name matches no single government school in any master-dataset vintage' as reason,
        raw_selective_entry_scores.row_json
    from raw_selective_entry_scores
    inner join unmatched_selective_names
        on
            raw_selective_entry_scores._source_file = unmatched_selective_names.source_file
            and raw_selective_entry_scores._source_row = unmatched_selective_names.source_row_number
    union all
    -- An ACARA profile no school dimension knows (by AGE ID).
    select
        'fct__school_profile' as source_model,
        raw_acara_school_profile._source_file as source_file,
        raw_acara_school_profile._source_row as source_row_number,
        case when profile.school_sector = 'Government' then 'Location AGE ID' else 'School AGE ID' end
            as source_column,
        case
            when profile.school_sector = 'Government' then raw_acara_school_profile.location_age_id
            else raw_acara_school_profile.school_age_id
        end as source_value,
        case
            when profile.school_sector = 'Government'
                then 'no government school in the master dataset has this Location AGE ID'
            else 'no non-government school in the 2017 list or ACARA''s locations has this School AGE ID'
        end as reason,
        raw_acara_school_profile.row_json
    from {{ ref('fct__school_profile') }} as profile
    inner join {{ ref('stg__acara__school_profile') }} as staged
        on profile.acara_sml_id = staged.acara_sml_id
    inner join raw_acara_school_profile
        on
            staged.source_file = raw_acara_school_profile._source_file
            and staged.source_row_number = raw_acara_school_profile._source_row
    where
        (profile.school_sector = 'Government' and profile.school_sk = {{ missing_member_key() }})
        or (profile.school_sector != 'Government' and profile.non_government_school_sk = {{ missing_member_key() }})
)

select
    source_model,
    source_file,
    source_row_number,
    source_column,
    source_value,
    reason,
    row_json
from rejected_values
