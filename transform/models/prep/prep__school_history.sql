-- Type-2 versions of every school listed in a master-dataset vintage. A version runs from the vintage in which
-- its tracked attributes first appear until the next vintage that changes them or no longer lists the school.
with vintages as (
    select distinct
        vintage_seq,
        vintage_date
    from {{ ref('prep__school_vintage') }}
),

flagged as (
    select
        *,
        -- A version starts when the school was not in the previous vintage or its attributes changed.
        case
            when
                lag(vintage_seq) over school_vintages = vintage_seq - 1
                and lag(tracked_attributes_hash) over school_vintages = tracked_attributes_hash
                then 0
            else 1
        end as starts_version
    from {{ ref('prep__school_vintage') }}
    window school_vintages as (
        partition by school_code
        order by vintage_seq
    )
),

numbered as (
    select
        *,
        sum(starts_version) over (
            partition by school_code
            order by vintage_seq
        ) as version_number
    from flagged
),

versions as (
    select
        school_code,
        version_number,
        min(vintage_date) as valid_from,
        max(vintage_seq) as last_vintage_seq
    from numbered
    group by school_code, version_number
)

select
    -- RF02 is off on the next line: sqlfluff reads the names in DuckDB's exclude () as unqualified references.
    latest.* exclude (vintage_date, vintage_seq, starts_version, tracked_attributes_hash),  -- noqa: RF02
    -- Exclusive end: the date of the first vintage after the version (null while it is current).
    versions.valid_from,
    -- Attributes outside the hash (contact details, AGE id) come from the latest vintage of the version.
    next_vintage.vintage_date as valid_to
from versions
inner join numbered as latest
    on versions.school_code = latest.school_code and versions.last_vintage_seq = latest.vintage_seq
left join vintages as next_vintage on next_vintage.vintage_seq = versions.last_vintage_seq + 1
