"""The state attendance rate by year three ways, shared by the Attendance and About pages: weighted by headcount and
unweighted (the semantic layer's metrics) against the state figure the department publishes in the attendance file."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app.data import query

# Every year from the first to the last attendance year, 2020 included (no collection) so that the gap shows. Both
# editions of the attendance file carry a state row; the latest edition's is the one the facts use.
SERIES_SQL = """
with published as (
    select calendar_year, measure_value as published
    from marts.fct__statewide_total
    where source_dataset = 'attendance' and measure = 'attendance_rate'
    qualify row_number() over (partition by calendar_year order by edition_year desc) = 1
)
select
    years.calendar_year,
    years.attendance_collection,
    published.published,
    metrics.attendance_rate as weighted,
    metrics.attendance_rate_unweighted as unweighted,
    metrics.schools_reporting_attendance
from marts.dim__calendar_year as years
left join semantic.metrics_by_year as metrics using (calendar_year)
left join published using (calendar_year)
where years.calendar_year between (select min(calendar_year) from marts.fct__attendance)
    and (select max(calendar_year) from marts.fct__attendance)
order by years.calendar_year
"""


def attendance_series() -> pd.DataFrame:
    """One row per year: `published`, `weighted` and `unweighted` state rates (null in a year with no collection),
    how the year was collected and how many schools reported a rate."""
    return query(SERIES_SQL)


def largest_gaps(series: pd.DataFrame) -> tuple[float, float]:
    """The largest distance (points) of the weighted and of the unweighted rate from the published state figure."""
    return (
        float((series["weighted"] - series["published"]).abs().max()),
        float((series["unweighted"] - series["published"]).abs().max()),
    )
