-- Support classes per school and support class type (2018). The source lists a row per class, so a school with
-- two classes of a type has two identical rows: they are counted, not collapsed.
with classes as (
    select
        school_code,
        support_class_type,
        year(vintage_date) as calendar_year,
        count(*) as support_class_count
    from {{ ref('stg__doe__master_dataset_support_classes') }}
    group by all
)

select
    {{ school_key() }} as school_sk,
    classes.school_code,
    classes.calendar_year,
    classes.support_class_type,
    classes.support_class_count
from classes
{{ join_school_key('classes') }}
