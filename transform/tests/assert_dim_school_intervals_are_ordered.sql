-- Every version ends after it starts, and a school's versions neither overlap nor leave the current one twice.
select
    school_code,
    valid_from,
    valid_to
from {{ ref('dim__school') }}
where valid_to <= valid_from
union all
select
    school_code,
    valid_from,
    valid_to
from (
    select
        school_code,
        valid_from,
        valid_to,
        lead(valid_from) over (
            partition by school_code
            order by valid_from
        ) as next_from
    from {{ ref('dim__school') }}
    where school_code != -1
)
where next_from < valid_to or (valid_to is null and next_from is not null)
