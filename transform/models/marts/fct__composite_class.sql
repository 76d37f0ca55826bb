-- Multi-age (composite) classes per school and calendar year, 2014-2022 (no 2020). The NSW total row is in
-- fct__statewide_total. A measure that could not be typed is null (the value is in quarantine).
select
    {{ school_key() }} as school_sk,
    composite.school_code,
    composite.calendar_year,
    composite.composite_class_count,
    composite.composite_class_students,
    composite.pct_composite_classes,
    composite.pct_composite_class_students,
    make_date(composite.calendar_year, 1, 1) as year_start_date
from {{ ref('stg__doe__composite_classes') }} as composite
{{ join_school_key('composite') }}
where not composite.is_state_total
