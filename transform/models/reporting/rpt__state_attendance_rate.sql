-- The state's semester-1 attendance rate by year, three ways: the department's published state row (the latest
-- edition of the attendance file that has the year) and, over the schools that reported a rate, the rate weighted by
-- headcount and the plain mean of school rates. The two computed rates join the facts exactly as the semantic
-- metrics `attendance_rate` and `attendance_rate_unweighted` do (tests/test_reporting_attendance.py proves they
-- agree). Every year of the attendance range is a row, 2020 (no collection) included, so that the gap shows.
with attendance_range as (
    select
        min(calendar_year) as first_year,
        max(calendar_year) as last_year
    from {{ ref('fct__attendance') }}
),

years as (
    select
        calendar_year.calendar_year,
        calendar_year.attendance_collection
    from {{ ref('dim__calendar_year') }} as calendar_year
    inner join attendance_range
        on calendar_year.calendar_year between attendance_range.first_year and attendance_range.last_year
),

published as (
    {{ latest_state_figure('attendance', 'attendance_rate', 'published_attendance_rate') }}
),

schools as (
    select
        calendar_year,
        {{ weighted_attendance_rate('attendance_rate', 'headcount') }} as attendance_rate,
        -- Averaged as decimals, for the reason the weighted rate is summed as decimals (its macro says why).
        cast(avg(cast(attendance_rate as decimal(38, 6))) as double) as attendance_rate_unweighted,
        count(distinct school_code) as schools_reporting_attendance
    from {{ ref('fct__attendance') }}
    where attendance_status = 'reported' and attendance_rate is not null
    group by calendar_year
)

select
    years.calendar_year,
    years.attendance_collection,
    published.published_attendance_rate,
    schools.attendance_rate,
    schools.attendance_rate_unweighted,
    schools.schools_reporting_attendance,
    schools.attendance_rate - published.published_attendance_rate as weighted_minus_published,
    schools.attendance_rate_unweighted - published.published_attendance_rate as unweighted_minus_published
from years
left join published on years.calendar_year = published.calendar_year
left join schools on years.calendar_year = schools.calendar_year
order by years.calendar_year
