-- The support classes of each school by type and year, from marts.fct__support_class (the 2018 list: the school
-- list's own Support_classes field is blank in every vintage), each type with a short label the profile shows.
with classes as (
    select
        school_code,
        calendar_year,
        support_class_type,
        support_class_count,
        {{ support_class_need('support_class_type') }} as need
    from {{ ref('fct__support_class') }}
)

select
    school_code,
    calendar_year,
    support_class_type,
    support_class_count,
    upper(left(need, 1)) || substr(need, 2) as support_class_label
from classes
