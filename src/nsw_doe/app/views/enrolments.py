"""Enrolments (`/enrolments`): the statewide headcount and its forecast, how accurate the forecasting methods were
in the backtest, the trend by level, directorate and remoteness, FTE by grade, and the schools that grew or shrank
the most. Chart specs and sentences are in `nsw_doe.app.enrolments_content`."""

import pandas as pd
import streamlit as st

from nsw_doe.app import enrolments_content as content
from nsw_doe.app.data import query
from nsw_doe.app.forecast_coverage import coverage_text
from nsw_doe.app.layout import (
    MISSING,
    change,
    chart,
    count,
    count_metric,
    school_link_column,
    school_url,
    small_multiples,
    table,
)

STATE_SQL = """
select calendar_year, 'Actual' as series, headcount as students, null as low, null as high, null as method
from semantic.metrics_by_year
where headcount is not null
union all
select calendar_year, 'Forecast', yhat, yhat_lower, yhat_upper, method
from ml.enrolment_forecast
where series_kind = 'statewide'
order by calendar_year
"""

# Each kind and method: MAPE by horizon (ml.forecast_accuracy) beside its mean, rank and choice.
ACCURACY_SQL = """
select
    choice.series_kind,
    choice.method,
    choice.mean_mape,
    choice.rank,
    choice.chosen,
    accuracy.horizon,
    accuracy.mape,
    accuracy.n,
    (select min(origin_year) from ml.forecast_backtest) as first_origin,
    (select max(origin_year) from ml.forecast_backtest) as last_origin
from ml.forecast_method_choice as choice
join ml.forecast_accuracy as accuracy using (series_kind, method)
order by list_position(?, choice.series_kind), choice.rank, accuracy.horizon
"""

# The semantic layer's exports, one per breakdown: each year's schools grouped by their attributes *of that year*.
BREAKDOWN_SQL = """
select calendar_year, coalesce(segment, ?) as segment, headcount as students, schools
from (
    select 'Level of schooling' as breakdown, calendar_year, school__level_of_schooling as segment, headcount, schools
    from semantic.metrics_by_year_level
    union all
    select 'Operational directorate', calendar_year, school__operational_directorate, headcount, schools
    from semantic.metrics_by_year_directorate
    union all
    select 'Remoteness', calendar_year, school__asgs_remoteness, headcount, schools
    from semantic.metrics_by_year_remoteness
)
where breakdown = ? and headcount is not null
order by segment, calendar_year
"""
BREAKDOWNS = ["Level of schooling", "Operational directorate", "Remoteness"]

GRADE_SQL = """
select calendar_year, grade, is_breakdown_withheld, fte, schools
from reporting.rpt__enrolment_by_grade_state
"""

PEAK_SQL = (
    "select headcount_peak_year as calendar_year, headcount_peak as students from reporting.rpt__overview_finding"
)

LAST_YEAR_SQL = "select max(last_year) from reporting.rpt__enrolment_change"

# Headcount in an earlier year and the latest year for every school with a published count in both, named by its
# latest version (reporting.rpt__enrolment_change).
CHANGE_SQL = """
select
    school_code, school_name, level_of_schooling, lga, is_current,
    first_students, last_students, headcount_change, headcount_change_pct
from reporting.rpt__enrolment_change
where first_year = ? and first_students >= ?
"""

TOP = 10  # schools in each of the growers' and decliners' tables


def state_section() -> None:
    st.header("Students in NSW government schools")
    state = query(STATE_SQL)
    actual = state[state["series"] == "Actual"]
    forecast = state[state["series"] == "Forecast"]
    last, previous = actual.iloc[-1], actual.iloc[-2]
    peak = query(PEAK_SQL).iloc[0]
    final = forecast.iloc[-1]
    last_year, final_year = int(last["calendar_year"]), int(final["calendar_year"])
    columns = st.columns(3)
    count_metric(
        columns[0],
        f"Students, {last_year}",
        last["students"],
        last["students"] - previous["students"],
        int(previous["calendar_year"]),
    )
    columns[1].metric(
        f"Peak, {int(peak['calendar_year'])}",
        count(peak["students"]),
        help="The most students in any year.",
        border=True,
    )
    count_metric(
        columns[2],
        f"Forecast, {final_year}",
        final["students"],
        final["students"] - last["students"],
        last_year,
        help=f"80% range: {count(final['low'])} to {count(final['high'])}.",
    )
    st.markdown(
        f"Enrolments peaked at **{count(peak['students'])}** in {int(peak['calendar_year'])}; in "
        f"{last_year} they were **{count(last['students'])}** "
        f"({change(last['students'] - peak['students'])} on the peak). The dashed line is the forecast. "
        + coverage_text("statewide")
    )
    chart(content.state_chart(actual, forecast), state, "Students in NSW government schools, actual and forecast")
    method = final["method"]
    st.caption(
        f"Actual: sum of every school's headcount; a count the department suppressed for privacy is "
        f"left out. Forecast {int(forecast['calendar_year'].min())}-{int(forecast['calendar_year'].max())}: "
        f"{content.method_label(method)} ({content.METHOD_NOTES.get(method, 'see below')}), the method that "
        "forecast the state best in the backtest below."
    )


def accuracy_section() -> None:
    st.header("How good are these forecasts?")
    accuracy = query(ACCURACY_SQL, list(content.KIND_LABELS))
    first_origin, last_origin = int(accuracy["first_origin"].iat[0]), int(accuracy["last_origin"].iat[0])
    st.markdown(
        f"Each method was replayed on the past: standing in every year from {first_origin} to {last_origin}, it "
        "forecast the next three years from the years before, and its forecasts were compared with what happened. "
        "The error is the **MAPE**: the average miss as a percentage of the actual number of students (lower is "
        "better). For each kind of series the method with the lowest mean error over 1-3 years ahead makes the "
        "forecasts; a tie goes to the simpler method."
    )
    scores = content.accuracy_table(accuracy, list(content.KIND_LABELS))
    st.markdown("\n".join(content.accuracy_lines(scores[["series_kind", "method", "mean_mape", "rank", "chosen"]])))
    shown = scores.drop(columns=["series_kind", "method", "mean_mape", "rank", "chosen"])
    percent = st.column_config.NumberColumn(format="%.2f%%")
    table(
        shown,
        "Forecast accuracy by method (MAPE)",
        column_config={
            **{name: percent for name in shown.columns if "ahead" in name or name == "Mean error"},
            "Forecasts scored": st.column_config.NumberColumn(
                format="localized", help="Backtest forecasts one year ahead (fewer at 2 and 3 years)"
            ),
        },
    )
    st.caption(content.methods_caption())


def breakdown_section() -> None:
    st.header("Where the students are")
    choice = st.selectbox("Break down by", BREAKDOWNS, key="breakdown")
    frame = query(BREAKDOWN_SQL, MISSING, choice)
    years = (int(frame["calendar_year"].min()), int(frame["calendar_year"].max()))
    small_multiples(
        frame,
        "segment",
        content.breakdown_groups(frame),
        lambda rows, _: content.breakdown_panel(rows, choice, years),
        f"Students by {choice.lower()}",
    )
    st.caption(content.breakdown_caption(choice, MISSING))


def grade_section() -> None:
    st.header("Enrolments by grade, 2010-2017")
    grades = query(GRADE_SQL)
    st.markdown(
        "Full-time equivalent (FTE) enrolments by grade, published for 2010-2017 only: a part-time student counts as "
        "a fraction. Darker is more students."
    )
    chart(content.grade_chart(grades), grades, "FTE enrolment by grade and year")
    st.caption(content.withheld_note(grades, count))


def change_section() -> None:
    st.header("Schools that grew and shrank the most")
    last_year = int(query(LAST_YEAR_SQL).iat[0, 0])
    first_year_options = list(range(last_year - 1, last_year - 11, -1))
    controls = st.columns(3)
    first_year = controls[0].selectbox(
        "Change since", first_year_options, index=first_year_options.index(last_year - 5), key="change_since"
    )
    minimum = controls[1].number_input(
        f"Only schools with at least this many students in {first_year}",
        min_value=0,
        value=100,
        step=50,
        key="change_minimum",
        help="Small schools move by large percentages when a handful of students come or go.",
    )
    by_percent = (
        controls[2].radio("Rank by", ["Number of students", "Per cent"], horizontal=True, key="change_rank")
        == "Per cent"
    )
    changes = query(CHANGE_SQL, first_year, minimum)
    key = "headcount_change_pct" if by_percent else "headcount_change"
    changes = changes.sort_values([key, "school_code"], ascending=[False, True])
    st.markdown(
        f"Headcount in {first_year} and {last_year} for the **{count(len(changes))}** schools with a published count "
        f"in both years and at least {count(minimum)} students in {first_year}. Schools that opened since "
        f"{first_year} are not ranked."
    )

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return content.change_table(frame, first_year, last_year, school_url)

    config = {
        str(first_year): st.column_config.NumberColumn(format="localized"),
        str(last_year): st.column_config.NumberColumn(format="localized"),
        "Change": st.column_config.NumberColumn(format="%+,d"),
        "Change %": st.column_config.NumberColumn(format="%+.1f%%"),
        "Profile": school_link_column(),
    }
    st.subheader("Grew the most")
    table(shown(changes.head(TOP)), f"Schools that grew the most {first_year}-{last_year}", column_config=config)
    st.subheader("Shrank the most")
    table(
        shown(changes.tail(TOP).iloc[::-1]),
        f"Schools that shrank the most {first_year}-{last_year}",
        column_config=config,
    )
    closed = int((~changes["is_current"].fillna(False).astype(bool)).sum())
    st.caption(
        "A school is named as in the latest school list; "
        f" {count(closed)} of the schools ranked are no longer listed (closed or merged since)."
    )


st.title("Enrolments")
st.markdown(
    "How many students the NSW government schools teach, where, in which grades, and what the next five years may "
    "bring. Numbers are headcounts (each student counts once) unless a chart says otherwise."
)
state_section()
accuracy_section()
breakdown_section()
grade_section()
change_section()
