-- The members of each current school's like group (rpt__like_school), the school itself left out: the list the
-- profile shows, and what the like-group figures (rpt__like_school_attendance, rpt__like_school_enrolment) add up.
with cells as (
    {{ like_school_cells() }}
)

select
    like_school.school_code,
    member.school_code as member_school_code,
    like_school.like_group_key
from {{ ref('rpt__like_school') }} as like_school
inner join cells as member
    on
        like_school.like_group_step = member.like_group_step
        and like_school.level_group = member.level_group
        and like_school.remoteness_group = member.remoteness_group
        and like_school.icsea_group = member.icsea_group
        and like_school.school_code != member.school_code
