"""Students enrolled: the school's headcount (marts.fct__enrolment) with its forecast (ml.enrolment_forecast)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.forecast_coverage import coverage_text

HEADCOUNT_SQL = """
select calendar_year, 'Actual' as kind, headcount, null::double as lower, null::double as upper, headcount_status
    as status
from marts.fct__enrolment
where school_code = ?
union all
select calendar_year, 'Forecast', yhat, yhat_lower, yhat_upper, method
from ml.enrolment_forecast
where series_kind = 'school' and school_code = ?
order by calendar_year
"""


def headcount(code: int) -> pd.DataFrame:
    """One row per year: the actual headcount (kind 'Actual', with its status) and the forecast ('Forecast', with its
    interval and method)."""
    return query(HEADCOUNT_SQL, code, code)


def headcount_chart(headcount: pd.DataFrame) -> alt.LayerChart:
    """Actual headcount as a line; the forecast, when there is one, dashed from the last actual year with its band."""
    actual = headcount[headcount["kind"] == "Actual"]
    forecast = headcount[headcount["kind"] == "Forecast"]
    x = alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d"))
    y = alt.Y("headcount:Q", title="Students (headcount)")
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Actual", "Forecast"]))
    layers = [alt.Chart(actual).mark_line(point=True, invalid="break-paths-filter-domains").encode(x, y, colour)]
    if not forecast.empty:
        # The forecast line starts from the last actual year, so the two read as one series.
        joined = pd.concat([actual.dropna(subset=["headcount"]).tail(1).assign(kind="Forecast"), forecast])
        band = alt.Chart(forecast).mark_area(opacity=0.2).encode(x, alt.Y("lower:Q"), alt.Y2("upper:Q"))
        layers = [band, *layers, alt.Chart(joined).mark_line(strokeDash=[5, 4], point=True).encode(x, y, colour)]
    return alt.layer(*layers).encode(
        tooltip=[
            alt.Tooltip("calendar_year:Q", title="Year", format="d"),
            alt.Tooltip("headcount:Q", title="Students", format=",.0f"),
            alt.Tooltip("kind:N", title="Kind"),
        ]
    )


def suppressed_note(headcount: pd.DataFrame) -> str:
    """The years whose headcount was suppressed, as a sentence ('' when none)."""
    actual = headcount[headcount["kind"] == "Actual"]
    suppressed = actual.loc[actual["status"] == "suppressed", "calendar_year"].astype(int).tolist()
    return f" Suppressed (not published, small numbers): {', '.join(map(str, suppressed))}." if suppressed else ""


def show(headcount: pd.DataFrame) -> None:
    st.header("Students enrolled")
    if headcount.empty:
        st.info("The enrolment file has no headcount for this school (2004-2023).")
        return
    has_forecast = (headcount["kind"] == "Forecast").any()
    title = "Headcount by year" + (", with the forecast" if has_forecast else "")
    layout.chart(headcount_chart(headcount), headcount, title)
    note = suppressed_note(headcount)
    if not has_forecast:
        st.caption(
            "Headcount in each year's census (2004-2023)." + note + " No forecast: schools get one when they have at "
            "least 8 years of headcount, were open in 2023 and are still listed."
        )
        return
    st.caption(
        "Headcount in each year's census (2004-2023)." + note + " The forecast for a school is the naive method: its "
        "last headcount carried forward, because in the backtest no trend method beat it for single schools (trends "
        "in one school do not persist well enough). The shaded band is a range built for 80% from how far schools "
        "moved in the backtest at each horizon. " + coverage_text("school", whose="a school's", lead="")
    )
    st.page_link(
        "views/enrolments.py", label="How accurate are the forecasts? (Enrolments page)", icon=":material/query_stats:"
    )
