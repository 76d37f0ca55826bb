"""The state attendance rate by year three ways, shared by the Attendance, Overview and About pages: weighted by
headcount and unweighted (the semantic layer's metrics) against the state figure the department publishes in the
attendance file, as reporting.rpt__state_attendance_rate holds them (the warehouse forms them, the app reads)."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app.data import query

# Every year from the first to the last attendance year, 2020 included (no collection) so that the gap shows.
SERIES_SQL = """
select
    calendar_year,
    attendance_collection,
    published_attendance_rate as published,
    attendance_rate as weighted,
    attendance_rate_unweighted as unweighted,
    schools_reporting_attendance,
    weighted_minus_published,
    unweighted_minus_published
from reporting.rpt__state_attendance_rate
order by calendar_year
"""


def attendance_series() -> pd.DataFrame:
    """One row per year: `published`, `weighted` and `unweighted` state rates (null in a year with no collection),
    how the year was collected, how many schools reported a rate, and the two rates' differences from the published
    one (points)."""
    return query(SERIES_SQL)


def largest_gaps(series: pd.DataFrame) -> tuple[float, float]:
    """The largest distance (points) of the weighted and of the unweighted rate from the published state figure."""
    return (
        float(series["weighted_minus_published"].abs().max()),
        float(series["unweighted_minus_published"].abs().max()),
    )
