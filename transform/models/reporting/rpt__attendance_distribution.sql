-- How school attendance rates spread in each year, by remoteness and by ICSEA band: each reported school-year
-- counted twice, once in its remoteness class and once in its ICSEA band, both from the dim__school version of that
-- year. group_order sorts the groups from city to very remote and from low to high ICSEA.
with schools as (
    select
        attendance.calendar_year,
        attendance.attendance_rate,
        attendance.headcount,
        school.asgs_remoteness,
        school.icsea_value
    from {{ ref('fct__attendance') }} as attendance
    left join {{ ref('dim__school') }} as school on attendance.school_sk = school.school_sk
    where attendance.attendance_status = 'reported'
),

grouped as (
    select
        calendar_year,
        'remoteness' as dimension,
        coalesce(asgs_remoteness, '{{ var("missing_value") }}') as group_label,
        {{ remoteness_order('asgs_remoteness') }} as group_order,
        attendance_rate,
        headcount
    from schools
    union all
    select
        calendar_year,
        'icsea' as dimension,
        {{ icsea_band('icsea_value') }} as group_label,
        {{ icsea_band_order('icsea_value') }} as group_order,
        attendance_rate,
        headcount
    from schools
)

select
    calendar_year,
    dimension,
    group_label,
    group_order,
    count(*) as schools,
    quantile_cont(attendance_rate, 0.1) as p10_rate,
    quantile_cont(attendance_rate, 0.25) as q1_rate,
    median(attendance_rate) as median_rate,
    quantile_cont(attendance_rate, 0.75) as q3_rate,
    quantile_cont(attendance_rate, 0.9) as p90_rate,
    sum(attendance_rate * headcount) / sum(headcount) as weighted_rate
from grouped
group by calendar_year, dimension, group_label, group_order
order by calendar_year, dimension, group_order
