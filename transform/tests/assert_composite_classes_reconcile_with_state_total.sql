-- The school rows of the composite-class file add up to its NSW total row (school code 9999), every year in which
-- every school row has the measure: a value that could not be typed is null (and in quarantine), and cannot add up.
with schools as (
    select
        calendar_year,
        sum(composite_class_count) as composite_class_count,
        sum(composite_class_students) as composite_class_students,
        count(*) = count(composite_class_count) as has_every_count,
        count(*) = count(composite_class_students) as has_every_students
    from {{ ref('fct__composite_class') }}
    group by calendar_year
),

state as (
    select
        calendar_year,
        measure,
        measure_value
    from {{ ref('fct__statewide_total') }}
    where source_dataset = 'composite_classes'
)

select
    schools.calendar_year,
    state.measure,
    state.measure_value as state_total,
    schools.composite_class_count,
    schools.composite_class_students
from schools
inner join state on schools.calendar_year = state.calendar_year
where
    (
        state.measure = 'composite_class_count' and schools.has_every_count
        and state.measure_value != schools.composite_class_count
    )
    or (
        state.measure = 'composite_class_students' and schools.has_every_students
        and state.measure_value != schools.composite_class_students
    )
