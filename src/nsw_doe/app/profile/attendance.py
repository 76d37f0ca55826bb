"""The school's attendance by year, with its status, against the state's headcount-weighted rate."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query

ATTENDANCE_SQL = """
select
    a.calendar_year,
    a.attendance_status,
    a.attendance_rate,
    state.attendance_rate as state_attendance_rate
from marts.fct__attendance as a
left join semantic.metrics_by_year as state on state.calendar_year = a.calendar_year
where a.school_code = ?
order by a.calendar_year
"""
SERIES = ("This school", "NSW government schools")
# The colours of the profile's attendance lines, which the like-schools chart and the compare page share.
THIS_SCHOOL = "#D55E00"
STATE = "#8C8C8C"


def attendance(code: int) -> pd.DataFrame:
    return query(ATTENDANCE_SQL, code)


def status_label(status: str) -> str:
    """The status with what it means (the one definition is nsw_doe.app.layout's)."""
    return layout.status_label(status, explained=True)


def plotted(attendance: pd.DataFrame) -> pd.DataFrame:
    """The school's reported rates and the state's, one row per series and year from the first to the last year, a
    null rate in every year without a reported rate (2020 included), so that lines break."""
    years = range(int(attendance["calendar_year"].min()), int(attendance["calendar_year"].max()) + 1)
    by_year = attendance.set_index("calendar_year").reindex(years)
    school_rate = by_year["attendance_rate"].where(by_year["attendance_status"] == "reported")
    return pd.concat(
        [
            pd.DataFrame({"calendar_year": years, "series": SERIES[0], "rate": school_rate.to_numpy()}),
            pd.DataFrame({"calendar_year": years, "series": SERIES[1], "rate": by_year["state_attendance_rate"]}),
        ]
    )


def rate_chart(plotted: pd.DataFrame, colours: dict[str, str] | None = None) -> alt.Chart:
    """Attendance rate by year, a line per series (`colours`: series -> colour, in legend order; by default this
    school and the state); a null rate breaks its line."""
    colours = colours or dict(zip(SERIES, (THIS_SCHOOL, STATE), strict=True))
    return (
        alt.Chart(plotted)
        .mark_line(point=True, invalid="break-paths-filter-domains")
        .encode(
            alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d")),
            alt.Y("rate:Q", title="Attendance rate, semester 1 (%)", scale=alt.Scale(zero=False)),
            alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=0),  # long names: one a line
            ),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("rate:Q", title="Rate (%)", format=".1f"),
            ],
        )
        # The plot keeps its height and fits the width; the legend below it adds a line per series.
        .properties(height=260, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )


def by_year_table(attendance: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Year": attendance["calendar_year"],
            "Attendance rate (%)": attendance["attendance_rate"].round(1),
            "Status": attendance["attendance_status"].map(status_label),
            "NSW government schools (%)": attendance["state_attendance_rate"].round(1),
        }
    )


def show(attendance: pd.DataFrame) -> None:
    st.header("Attendance")
    if attendance.empty:
        st.info("The attendance file has no row for this school (it covers 2011-2022, semester 1).")
        return
    series = plotted(attendance)
    layout.chart(rate_chart(series), series.dropna(subset=["rate"]), "Attendance rate against the state")
    layout.static_table(
        by_year_table(attendance),
        "Attendance by year, with status",
        formats={"Attendance rate (%)": "{:.1f}", "NSW government schools (%)": "{:.1f}"},
    )
    st.caption(
        "Attendance rate: the share of possible school days attended in semester 1, as the department publishes it. "
        "Status: reported; suppressed (a rate from too few students to publish); not applicable (the school had no "
        "students in the collection, e.g. it had closed or not yet opened); not reported (the department's file has "
        "no rate for the school that year). There is no 2020: attendance was not collected consistently during "
        "COVID-19 learning from home, and the source has no 2020 column. The state line is the rate over all "
        "government schools, each weighted by its headcount (not the average of school rates); from 2021 the "
        "collection follows the national standard, so compare earlier years with care."
    )
