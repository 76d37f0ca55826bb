"""Students enrolled: the school's headcount (marts.fct__enrolment) with its forecast (ml.enrolment_forecast), and
the school list's FTE (reporting.rpt__school_fte) held against the forecast (ml.forecast_newer_evidence)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.forecast_coverage import coverage_text

FTE = "School list FTE"
HEADCOUNT_SQL = f"""
select
    calendar_year,
    'Actual' as kind,
    headcount,
    null::double as lower,
    null::double as upper,
    headcount_status as status,
    null::double as census_headcount,
    null::boolean as fte_equals_headcount
from marts.fct__enrolment
where school_code = ?
union all
select calendar_year, 'Forecast', yhat, yhat_lower, yhat_upper, method, null, null
from ml.enrolment_forecast
where series_kind = 'school' and school_code = ?
union all
select
    fte.fte_year,
    '{FTE}',
    fte.fte,
    evidence.yhat_lower,
    evidence.yhat_upper,
    case when evidence.points_another_way then evidence.direction when evidence.fte_inside_interval then 'inside' end,
    fte.headcount,
    fte.fte_equals_headcount
from reporting.rpt__school_fte as fte
left join ml.forecast_newer_evidence as evidence
    on fte.school_code = evidence.school_code and fte.fte_year = evidence.calendar_year
where fte.school_code = ?
order by calendar_year
"""


def headcount(code: int) -> pd.DataFrame:
    """One row per year and kind: the actual headcount (kind 'Actual', with its status), the forecast ('Forecast',
    with its interval and method) and the school list's FTE (FTE, in `headcount`; in a forecast year with the
    forecast's interval and, as its status, 'above', 'below' or 'inside' it; with the same year's census headcount
    and whether the two are equal)."""
    return query(HEADCOUNT_SQL, code, code, code)


def headcount_chart(headcount: pd.DataFrame) -> alt.LayerChart:
    """Actual headcount as a line; the forecast, when there is one, dashed from the last actual year with its band;
    the school list's FTE, when there is one, as diamonds."""
    actual = headcount[headcount["kind"] == "Actual"]
    forecast = headcount[headcount["kind"] == "Forecast"]
    fte = headcount[headcount["kind"] == FTE]
    x = alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d"))
    y = alt.Y("headcount:Q", title="Students (headcount)")
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Actual", "Forecast", FTE]))
    layers = [alt.Chart(actual).mark_line(point=True, invalid="break-paths-filter-domains").encode(x, y, colour)]
    if not forecast.empty:
        # The forecast line starts from the last actual year, so the two read as one series.
        joined = pd.concat([actual.dropna(subset=["headcount"]).tail(1).assign(kind="Forecast"), forecast])
        band = alt.Chart(forecast).mark_area(opacity=0.2).encode(x, alt.Y("lower:Q"), alt.Y2("upper:Q"))
        layers = [band, *layers, alt.Chart(joined).mark_line(strokeDash=[5, 4], point=True).encode(x, y, colour)]
    if not fte.empty:
        layers.append(alt.Chart(fte).mark_point(shape="diamond", size=90, filled=True).encode(x, y, colour))
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


def students(value: float) -> str:
    """A headcount or an FTE: whole numbers as such, a fractional FTE to one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def evidence_sentences(headcount: pd.DataFrame) -> list[str]:
    """For each forecast year the school list already reports, whether its FTE lies inside the forecast's 80% range
    or points another way (ml.forecast_newer_evidence)."""
    sentences = []
    for row in headcount[(headcount["kind"] == FTE) & headcount["status"].notna()].itertuples(index=False):
        lead = (
            f"The school list's FTE for {row.calendar_year} ({students(row.headcount)}) is {row.status} this "
            f"forecast's 80% range ({row.lower:,.0f}\N{EN DASH}{row.upper:,.0f})"
        )
        if row.status == "inside":
            sentences.append(lead + ": it does not point another way.")
        else:
            trend = "falling" if row.status == "below" else "rising"
            sentences.append(f"{lead}: enrolment is {trend} faster than the forecast assumes.")
    return sentences


def fte_note(headcount: pd.DataFrame) -> str:
    """How the school list's FTE differs from the census headcount, with this school's years that have both."""
    fte = headcount[headcount["kind"] == FTE]
    if fte.empty:
        return ""
    both = fte[fte["census_headcount"].notna()]
    lead = (
        " Diamonds: the school list's enrolment FTE, which counts a part-time student as a fraction; the list "
        "published in one year reports the previous year's census, so each diamond sits at the census year it counts."
    )
    if both.empty:
        return lead
    years = ", ".join(str(year) for year in both["calendar_year"])
    differ = both[~both["fte_equals_headcount"].astype(bool)]
    if differ.empty:
        return lead + f" For this school's years with both ({years}), FTE equals the census headcount."
    pairs = "; ".join(
        f"{row.calendar_year}: {students(row.headcount)} against {students(row.census_headcount)}"
        for row in differ.itertuples(index=False)
    )
    return lead + f" For this school's years with both ({years}), FTE differs from the census headcount in {pairs}."


def show(headcount: pd.DataFrame) -> None:
    st.header("Students enrolled")
    if headcount.empty:
        st.info("The enrolment file has no headcount for this school (2004-2023).")
        return
    has_forecast = (headcount["kind"] == "Forecast").any()
    title = "Headcount by year" + (", with the forecast" if has_forecast else "")
    layout.chart(headcount_chart(headcount), headcount, title)
    note = suppressed_note(headcount) + fte_note(headcount)
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
    for sentence in evidence_sentences(headcount):
        st.markdown(sentence)
    st.page_link(
        "views/enrolments.py", label="How accurate are the forecasts? (Enrolments page)", icon=":material/query_stats:"
    )
