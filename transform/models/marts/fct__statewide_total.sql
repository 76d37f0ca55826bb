-- The statewide rows that arrive inside school files (never in a school-grain fact), one row per source, year
-- and measure, kept to reconcile the school facts against.
with attendance as (
    select
        'attendance' as source_dataset,
        calendar_year,
        edition_year,
        'attendance_rate' as measure,
        attendance_rate as measure_value
    from {{ ref('stg__doe__attendance') }}
    where is_state_total and attendance_status = 'reported'
),

composite as (
    unpivot (
        select
            calendar_year,
            composite_class_count,
            composite_class_students,
            pct_composite_classes,
            pct_composite_class_students
        from {{ ref('stg__doe__composite_classes') }}
        where is_state_total
    )
    on composite_class_count, composite_class_students, pct_composite_classes, pct_composite_class_students
    into name measure value measure_value
)

select
    source_dataset,
    calendar_year,
    edition_year,
    measure,
    measure_value
from attendance
union all
select
    'composite_classes' as source_dataset,
    calendar_year,
    null as edition_year,
    measure,
    cast(measure_value as double) as measure_value
from composite
