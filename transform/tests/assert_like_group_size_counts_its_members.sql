-- Every current school's like_group_size is the number of its rows in rpt__like_school_member, and every member
-- shares the school's group key: the group a page names is the list it shows.
select
    like_school.school_code,
    like_school.like_group_size,
    count(member.member_school_code) as members,
    count(*) filter (where member.like_group_key != like_school.like_group_key) as members_with_another_key
from {{ ref('rpt__like_school') }} as like_school
left join {{ ref('rpt__like_school_member') }} as member on like_school.school_code = member.school_code
group by like_school.school_code, like_school.like_group_size
having count(member.member_school_code) != like_school.like_group_size or members_with_another_key > 0
