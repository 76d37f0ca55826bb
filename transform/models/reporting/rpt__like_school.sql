-- Each current school's like group: the schools it is compared with on its profile ("schools like this one"). The
-- group is the first cell of the ladder in macros/like_school.sql (same level of schooling, then remoteness and ICSEA
-- band, each widened in turn) that holds enough other schools; docs/like_schools.md measures and explains it.
with cells as (
    {{ like_school_cells() }}
),

sized as (
    select
        *,
        count(*) over (
            partition by like_group_step, level_group, remoteness_group, icsea_group
        ) - 1 as like_group_size,
        like_group_step = max(like_group_step) over () as is_last_step
    from cells
),

exact as (
    select
        school_code,
        like_group_size as exact_group_size
    from sized
    where like_group_method = 'exact'
)

select
    sized.school_code,
    {{ surrogate_key(['sized.level_group', 'sized.remoteness_group', 'sized.icsea_group']) }} as like_group_key,
    concat_ws(
        ', ',
        sized.level_group,
        sized.remoteness_group,
        case sized.icsea_group
            when 'No ICSEA' then 'no ICSEA'
            when 'any ICSEA' then 'any ICSEA'
            else 'ICSEA ' || lower(sized.icsea_group)
        end
    ) as like_group_label,
    sized.like_group_size,
    sized.like_group_method,
    sized.like_group_step,
    sized.like_group_method != 'exact' as is_fallback,
    sized.like_group_size < {{ like_school_min_others() }} as is_small_group,
    exact.exact_group_size,
    sized.level_group,
    sized.remoteness_group,
    sized.icsea_group
from sized
inner join exact on sized.school_code = exact.school_code
-- The first step whose group is big enough, or the last step when none is.
qualify row_number() over (
    partition by sized.school_code
    order by (sized.like_group_size >= {{ like_school_min_others() }} or sized.is_last_step) desc, sized.like_group_step
) = 1
