-- Each fact holds exactly the source rows it should: the joins to dimensions neither lose nor duplicate rows. A row
-- whose measure could not be typed stays in its fact (the measure null) where the fact has other measures or a
-- status; a row whose key could not be typed never reaches staging (both are in quarantine).
{%- set pairs = [
    ('fct__enrolment', "select count(*) from " ~ ref('stg__doe__enrolment_headcount')
        ~ " where headcount_status in ('reported', 'suppressed', 'invalid')"),
    ('fct__enrolment_by_grade', "select count(*) from " ~ ref('stg__doe__enrolment_by_grade')
        ~ " where enrolment_fte_status = 'reported'"
        ~ " or (grade = 'K' and school_total_fte > 0 and (school_code, calendar_year) not in (select (school_code,"
        ~ " calendar_year) from " ~ ref('stg__doe__enrolment_by_grade') ~ " where enrolment_fte_status = 'reported'))"),
    ('fct__attendance', "select count(distinct (school_code, calendar_year)) from " ~ ref('stg__doe__attendance')
        ~ " where not is_state_total and school_code is not null"),
    ('fct__composite_class', "select count(*) from " ~ ref('stg__doe__composite_classes')
        ~ " where not is_state_total"),
    ('fct__selective_entry_score', "select count(*) from " ~ ref('stg__doe__selective_entry_scores')
        ~ " where minimum_entry_score_status = 'reported'"),
    ('fct__support_class', "select count(*) from (select distinct school_code, support_class_type from "
        ~ ref('stg__doe__master_dataset_support_classes') ~ ")"),
    ('fct__school_profile', "select count(*) from " ~ ref('stg__acara__school_profile') ~ " where state = 'NSW'"),
] %}
{%- for fact, expected in pairs %}
    select
        '{{ fact }}' as fact,
        (select count(*) from {{ ref(fact) }}) as fact_rows,
        ({{ expected }}) as source_rows
    where (select count(*) from {{ ref(fact) }}) != ({{ expected }})
    {{ "union all" if not loop.last }}
{%- endfor %}
