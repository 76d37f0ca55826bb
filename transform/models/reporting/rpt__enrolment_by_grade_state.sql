-- The state's FTE enrolment by grade and year (2010-2017): the sum of every school's FTE in the grade, with the
-- schools counted. The schools whose grades were withheld (published with their total only) are one row, 'Not
-- stated', of their own.
select
    calendar_year,
    grade,
    bool_or(is_breakdown_withheld) as is_breakdown_withheld,
    sum(enrolment_fte) as fte,
    count(*) as schools
from {{ ref('fct__enrolment_by_grade') }}
group by calendar_year, grade
