-- The Overview page's four findings, one row: the weighted against the plain attendance rate (next to the published
-- state figure), the headcount's peak, attendance since the last year before COVID-19 (2019), and the composite
-- classes of the latest year; with the school counts of its coverage paragraph. The state rates come from
-- rpt__state_attendance_rate; the headcount sums fct__enrolment as the semantic metric `headcount` does
-- (tests/test_reporting_overview_enrolments.py proves they agree).
with attendance as (
    select *
    from {{ ref('rpt__state_attendance_rate') }}
),

-- The years with both a published and a computed rate.
compared as (
    select
        min(calendar_year) as compared_first_year,
        max(calendar_year) as attendance_year,
        max(abs(weighted_minus_published)) as weighted_max_gap,
        max(abs(unweighted_minus_published)) as unweighted_max_gap,
        arg_max(calendar_year, abs(unweighted_minus_published)) as unweighted_worst_year
    from attendance
    where published_attendance_rate is not null and attendance_rate is not null
),

latest_attendance as (
    select
        compared.*,
        attendance.published_attendance_rate as latest_published_attendance_rate,
        attendance.attendance_rate as latest_attendance_rate,
        attendance.attendance_collection as latest_attendance_collection,
        worst.attendance_rate_unweighted as unweighted_worst_rate,
        worst.published_attendance_rate as unweighted_worst_published_rate
    from compared
    inner join attendance on compared.attendance_year = attendance.calendar_year
    inner join attendance as worst on compared.unweighted_worst_year = worst.calendar_year
),

-- The last attendance year before COVID-19 closed schools (2020 has no collection).
pre_pandemic as (
    select
        calendar_year as pre_pandemic_year,
        attendance_rate as pre_pandemic_attendance_rate,
        published_attendance_rate as pre_pandemic_published_rate,
        attendance_collection as pre_pandemic_collection
    from attendance
    where calendar_year = 2019
),

since_pre_pandemic as (
    select
        list(
            attendance.calendar_year
            order by attendance.calendar_year
        )
        filter (where attendance.attendance_rate is null) as years_not_collected
    from attendance
    cross join pre_pandemic
    cross join latest_attendance
    where attendance.calendar_year between pre_pandemic.pre_pandemic_year and latest_attendance.attendance_year
),

-- The first year measured as the latest year is.
latest_collection as (
    select min(attendance.calendar_year) as latest_collection_since
    from attendance
    inner join latest_attendance
        on attendance.attendance_collection = latest_attendance.latest_attendance_collection
),

headcount_by_year as (
    select
        calendar_year,
        sum(headcount) as headcount
    from {{ ref('fct__enrolment') }}
    group by calendar_year
    having sum(headcount) is not null
),

headcount as (
    select
        count(*) as headcount_years,
        arg_max(calendar_year, headcount) as headcount_peak_year,
        max(headcount) as headcount_peak,
        max(calendar_year) as headcount_latest_year,
        arg_max(headcount, calendar_year) as headcount_latest
    from headcount_by_year
),

composite_year as (
    select max(calendar_year) as composite_year
    from {{ ref('fct__composite_class') }}
),

composite as (
    select
        composite_year.composite_year,
        count(*) filter (where composite_class.composite_class_count > 0) as schools_with_composite,
        count(composite_class.pct_composite_classes) as schools_open
    from {{ ref('fct__composite_class') }} as composite_class
    inner join composite_year on composite_class.calendar_year = composite_year.composite_year
    group by composite_year.composite_year
),

published_composite as (
    {{ latest_state_figure('composite_classes', 'pct_composite_classes', 'published_pct_composite_classes') }}
),

schools as (
    select
        count(*) filter (where is_current) as schools_listed_now,
        count(distinct school_code) filter (where school_code != -1) as schools_ever_known
    from {{ ref('dim__school') }}
)

select
    latest_attendance.attendance_year,
    latest_attendance.latest_published_attendance_rate,
    latest_attendance.latest_attendance_rate,
    latest_attendance.compared_first_year,
    latest_attendance.weighted_max_gap,
    latest_attendance.unweighted_max_gap,
    latest_attendance.unweighted_worst_year,
    latest_attendance.unweighted_worst_rate,
    latest_attendance.unweighted_worst_published_rate,
    pre_pandemic.pre_pandemic_year,
    pre_pandemic.pre_pandemic_attendance_rate,
    pre_pandemic.pre_pandemic_published_rate,
    headcount.headcount_years,
    headcount.headcount_peak_year,
    headcount.headcount_peak,
    headcount.headcount_latest_year,
    headcount.headcount_latest,
    composite.composite_year,
    published_composite.published_pct_composite_classes,
    composite.schools_with_composite,
    composite.schools_open as schools_open_composite_year,
    schools.schools_listed_now,
    schools.schools_ever_known,
    latest_attendance.latest_attendance_rate - pre_pandemic.pre_pandemic_attendance_rate
        as attendance_change_since_pre_pandemic,
    coalesce(since_pre_pandemic.years_not_collected, []) as years_not_collected,
    case
        when pre_pandemic.pre_pandemic_collection != latest_attendance.latest_attendance_collection
            then latest_collection.latest_collection_since
    end as new_collection_since,
    headcount.headcount_latest - headcount.headcount_peak as headcount_change_on_peak,
    100.0 * composite.schools_with_composite / composite.schools_open as pct_schools_with_composite
from latest_attendance
cross join pre_pandemic
cross join since_pre_pandemic
cross join latest_collection
cross join headcount
cross join composite
cross join schools
left join published_composite on composite.composite_year = published_composite.calendar_year
