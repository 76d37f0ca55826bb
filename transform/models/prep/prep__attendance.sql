-- School attendance at school x calendar-year grain: each year from the latest edition that reports the school.
select *
from {{ ref('stg__doe__attendance') }}
where not is_state_total
qualify row_number() over (
    partition by school_code, calendar_year
    order by edition_year desc
) = 1
