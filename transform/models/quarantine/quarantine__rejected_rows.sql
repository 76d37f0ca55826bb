-- Rows that could not be typed or keyed, each with its source, the row itself (as JSON) and the reason. Nothing
-- is dropped silently: a staging row that no fact takes for one of these reasons is listed here.
-- `to_json(source_row)` turns the whole row into JSON through its table alias, which sqlfluff takes for unused.
{%- set invalid_values = [
    ('stg__doe__attendance', 'attendance_status', 'attendance rate'),
    ('stg__doe__enrolment_headcount', 'headcount_status', 'headcount'),
    ('stg__doe__enrolment_by_grade', 'enrolment_fte_status', 'FTE enrolment'),
    ('stg__doe__composite_classes', 'composite_class_status', 'composite class count'),
    ('stg__doe__selective_entry_scores', 'minimum_entry_score_status', 'entry score'),
] %}
{%- for model, status, measure in invalid_values %}
    select
        '{{ model }}' as source_model,
        source_file,
        to_json(source_row) as source_row,
        'the {{ measure }} is neither a number nor a known marker (sp, np, na, NULL, blank)' as reason
    from {{ ref(model) }} as source_row  -- noqa: AL05
    where {{ status }} = 'invalid'
    union all
{%- endfor %}
select
    'stg__doe__attendance' as source_model,
    source_file,
    to_json(source_row) as source_row,
    'a school row without a school code' as reason
from {{ ref('stg__doe__attendance') }} as source_row  -- noqa: AL05
where school_code is null and not is_state_total
union all
select
    'stg__doe__selective_entry_scores' as source_model,
    source_file,
    to_json(source_row) as source_row,
    'the school name matches no single government school in any master-dataset vintage' as reason
from {{ ref('prep__selective_school_match') }} as source_row  -- noqa: AL05
where school_code is null
union all
select
    'fct__school_profile' as source_model,
    'School Profile 2023.xlsx' as source_file,
    to_json(source_row) as source_row,
    case
        when school_sector = 'Government' then 'no government school in the master dataset has this Location AGE ID'
        else 'no non-government school in the 2017 list or ACARA''s locations has this School AGE ID'
    end as reason
from {{ ref('fct__school_profile') }} as source_row  -- noqa: AL05
where
    (school_sector = 'Government' and school_sk = {{ missing_member_key() }})
    or (school_sector != 'Government' and non_government_school_sk = {{ missing_member_key() }})
