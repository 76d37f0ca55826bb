"""Enrolments (`/enrolments`): the statewide headcount and its forecast, how accurate the forecasting methods were
in the backtest, the trend by level, directorate and remoteness, FTE by grade, and the schools that grew or shrank
the most. Chart specs and sentences are in `nsw_doe.app.enrolments_content`."""

import pandas as pd
import streamlit as st

from nsw_doe.app import enrolments_content as content
from nsw_doe.app.data import query
from nsw_doe.app.layout import change, chart, count, count_metric, rate, school_link_column, school_url, table

NOT_RECORDED = "Not recorded"

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

# The measured coverage of a kind's intervals (the method it is forecast with).
COVERAGE_SQL = """
select coverage.horizon, coverage.covered, coverage.n
from ml.forecast_interval_coverage as coverage
join ml.forecast_method_choice as choice using (series_kind, method)
where coverage.series_kind = ? and choice.chosen
order by coverage.horizon
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
select
    calendar_year,
    grade,
    bool_or(is_breakdown_withheld) as is_breakdown_withheld,
    sum(enrolment_fte) as fte,
    count(*) as schools
from marts.fct__enrolment_by_grade
group by calendar_year, grade
"""

# Headcount in two years for every school with a published count in both, named by its current version in the
# school list (the latest version for a school no longer listed).
CHANGE_SQL = """
with names as (
    select school_code, school_name, level_of_schooling, lga, is_current
    from marts.dim__school
    where school_code <> -1
    qualify row_number() over (partition by school_code order by is_current desc, valid_from desc) = 1
)
select
    first.school_code,
    names.school_name,
    names.level_of_schooling,
    names.lga,
    names.is_current,
    first.headcount as first_students,
    last.headcount as last_students,
    last.headcount - first.headcount as change,
    100.0 * (last.headcount - first.headcount) / first.headcount as change_pct
from marts.fct__enrolment as first
join marts.fct__enrolment as last on last.school_code = first.school_code and last.calendar_year = ?
left join names on names.school_code = first.school_code
where first.calendar_year = ? and first.headcount >= ? and last.headcount is not null
"""

TOP = 10  # schools in each of the growers' and decliners' tables


def state_section() -> None:
    st.header("Students in NSW government schools")
    state = query(STATE_SQL)
    actual = state[state["series"] == "Actual"]
    forecast = state[state["series"] == "Forecast"]
    last, previous = actual.iloc[-1], actual.iloc[-2]
    peak = actual.loc[actual["students"].idxmax()]
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
        + content.coverage_sentence(query(COVERAGE_SQL, "statewide"))
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
    keys = ["series_kind", "method", "mean_mape", "rank", "chosen"]
    scores = accuracy.pivot(index=keys, columns="horizon", values="mape").reset_index()
    scores = scores.sort_values(
        ["series_kind", "rank"],
        key=lambda c: c.map(list(content.KIND_LABELS).index) if c.name == "series_kind" else c,
        kind="stable",
    )
    st.markdown("\n".join(content.accuracy_lines(scores[keys])))
    predictions = accuracy[accuracy["horizon"] == 1].set_index(["series_kind", "method"])["n"]
    horizons = [h for h in scores.columns if isinstance(h, int | float) and h in set(accuracy["horizon"])]
    shown = pd.DataFrame(
        {
            "Series": scores["series_kind"].map(content.KIND_LABELS),
            "Method": scores["method"].map(content.method_label),
            **{f"{int(h)} year{'s' if h > 1 else ''} ahead": scores[h] for h in horizons},
            "Mean error": scores["mean_mape"],
            "Forecasts scored": [predictions[(k, m)] for k, m in zip(scores.series_kind, scores.method, strict=True)],
            "Most accurate": scores["chosen"],
        }
    )
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
    st.caption(
        "The methods: "
        + "; ".join(f"**{content.method_label(name)}**: {note}" for name, note in content.METHOD_NOTES.items())
        + ". The backtest of every forecast is in `ml.forecast_backtest`, the choice in `ml.forecast_method_choice`, "
        "the measured coverage of the 80% ranges in `ml.forecast_interval_coverage`."
    )


def breakdown_section() -> None:
    st.header("Where the students are")
    choice = st.selectbox("Break down by", BREAKDOWNS, key="breakdown")
    frame = query(BREAKDOWN_SQL, NOT_RECORDED, choice)
    chart(
        content.breakdown_chart(frame, choice),
        frame.rename(columns={"segment": choice}),
        f"Students by {choice.lower()}",
    )
    reorganised = (
        " The directorates were reorganised in 2023, after that year's school list, so every year shows the former "
        "ones."
        if choice == "Operational directorate"
        else ""
    )
    st.caption(
        "Each panel has its own scale, so read the numbers on its axis. Each year counts a school in the group it "
        f"belonged to that year, from the department's school list.{reorganised} '{NOT_RECORDED}': schools that "
        "closed before the first school list (2018) and carry no attributes."
    )


def grade_section() -> None:
    st.header("Enrolments by grade, 2010-2017")
    grades = query(GRADE_SQL)
    withheld = grades[grades["is_breakdown_withheld"]]
    share = 100 * withheld["fte"].sum() / grades["fte"].sum()
    st.markdown(
        "Full-time equivalent (FTE) enrolments by grade, published for 2010-2017 only: a part-time student counts as "
        "a fraction. Darker is more students."
    )
    chart(content.grade_chart(grades), grades, "FTE enrolment by grade and year")
    st.caption(
        f"**Not stated**: {count(withheld['schools'].min())}-{count(withheld['schools'].max())} schools a year were "
        f"published with their total only, their grades withheld ({rate(share)} of all FTE over the years). Their "
        "students are in this row, not in any grade, so each grade's row is a little under its true size."
    )


def change_section() -> None:
    st.header("Schools that grew and shrank the most")
    last_year = int(query("select max(calendar_year) from marts.fct__enrolment").iat[0, 0])
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
    changes = query(CHANGE_SQL, last_year, first_year, minimum)
    key = "change_pct" if by_percent else "change"
    changes = changes.sort_values([key, "school_code"], ascending=[False, True])
    st.markdown(
        f"Headcount in {first_year} and {last_year} for the **{count(len(changes))}** schools with a published count "
        f"in both years and at least {count(minimum)} students in {first_year}. Schools that opened since "
        f"{first_year} are not ranked."
    )

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "School": frame["school_name"],
                "Level": frame["level_of_schooling"],
                "LGA": frame["lga"],
                str(first_year): frame["first_students"],
                str(last_year): frame["last_students"],
                "Change": frame["change"],
                "Change %": frame["change_pct"],
                "Profile": [school_url(code) for code in frame["school_code"]],
            }
        )

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
