-- The attendance file comes in editions, each republishing every year since 2011, and the facts take each
-- school-year from the latest edition. Where an older edition has the same school-year, the two are compared here:
-- one row per older edition and combination of the two statuses and whether the rates are the same (two missing
-- rates count as the same).
with editions as (
    select
        school_code,
        calendar_year,
        edition_year,
        attendance_status,
        attendance_rate
    from {{ ref('stg__doe__attendance') }}
    where not is_state_total
),

latest_edition as (
    select max(edition_year) as edition_year
    from editions
),

latest as (
    select
        editions.school_code,
        editions.calendar_year,
        editions.edition_year,
        editions.attendance_status,
        editions.attendance_rate
    from editions
    inner join latest_edition on editions.edition_year = latest_edition.edition_year
),

compared as (
    select
        older.edition_year as older_edition,
        latest.edition_year as latest_edition,
        older.attendance_status as older_status,
        latest.attendance_status as latest_status,
        coalesce(
            older.attendance_rate = latest.attendance_rate,
            older.attendance_rate is null and latest.attendance_rate is null
        ) as is_same_rate,
        count(*) as school_years,
        count(distinct older.school_code) as schools,
        min(older.calendar_year) as first_year,
        max(older.calendar_year) as last_year
    from editions as older
    inner join latest
        on older.school_code = latest.school_code and older.calendar_year = latest.calendar_year
    where older.edition_year < latest.edition_year
    group by all
),

flagged as (
    select
        older_edition,
        latest_edition,
        older_status,
        latest_status,
        is_same_rate,
        school_years,
        schools,
        first_year,
        last_year,
        not is_same_rate
        or not coalesce(older_status = latest_status, older_status is null and latest_status is null) as is_different
    from compared
)

select
    older_edition,
    latest_edition,
    older_status,
    latest_status,
    is_same_rate,
    is_different,
    school_years,
    schools,
    first_year,
    last_year,
    cast(sum(school_years) over (partition by older_edition) as bigint) as edition_school_years,
    cast(sum(case when is_different then school_years else 0 end) over (partition by older_edition) as bigint)
        as edition_different_school_years
from flagged
order by older_edition asc, school_years desc, older_status asc, latest_status asc
