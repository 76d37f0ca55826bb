"""Enrolments (`/enrolments`): the statewide headcount and its forecast, how accurate the forecasting methods were
in the backtest, the trend by level, directorate and remoteness, FTE by grade, and the schools that grew or shrank
the most."""

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app.data import query
from nsw_doe.app.layout import (
    change,
    chart,
    count,
    count_metric,
    rate,
    school_link_column,
    school_url,
    table,
)
from nsw_doe.ml.forecast import CHOICE_HORIZONS, METHODS

KIND_LABELS = {
    "statewide": "State total",
    "level": "Levels of schooling",
    "directorate": "Directorates",
    "remoteness": "Remoteness areas",
    "school": "Individual schools",
}
METHOD_ORDER = [method.name for method in METHODS]  # simplest first: a tie in accuracy goes to the simpler method
METHOD_NOTES = {method.name: method.description for method in METHODS}
# The yardsticks each kind's winner is compared with in the summary.
COMPARED = {"prophet": "Prophet", "naive": "the naive baseline (last value)"}

# The semantic layer's exports, one per breakdown: each year's schools grouped by their attributes *of that year*.
BREAKDOWNS = {
    "Level of schooling": ("semantic.metrics_by_year_level", "school__level_of_schooling"),
    "Operational directorate": ("semantic.metrics_by_year_directorate", "school__operational_directorate"),
    "Remoteness": ("semantic.metrics_by_year_remoteness", "school__asgs_remoteness"),
}
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

ACCURACY_SQL = """
select
    accuracy.series_kind,
    accuracy.method,
    accuracy.horizon,
    accuracy.mape,
    accuracy.n,
    accuracy.method in (
        select forecast.method from ml.enrolment_forecast as forecast where forecast.series_kind = accuracy.series_kind
    ) as used_for_forecast,
    (select min(origin_year) from ml.forecast_backtest) as first_origin,
    (select max(origin_year) from ml.forecast_backtest) as last_origin
from ml.forecast_accuracy as accuracy
"""

BREAKDOWN_SQL = """
select calendar_year, coalesce({column}, '{not_recorded}') as segment, headcount as students, schools
from {table}
where headcount is not null
order by segment, calendar_year
"""

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

YEAR_AXIS = alt.Axis(format="d", title="Year")
TOP = 10  # schools in each of the growers' and decliners' tables


def method_label(method: str) -> str:
    return "Prophet" if method == "prophet" else method.replace("_", " ")


def state_section() -> None:
    st.header("Students in NSW government schools")
    state = query(STATE_SQL)
    actual = state[state["series"] == "Actual"]
    forecast = state[state["series"] == "Forecast"]
    last = actual.iloc[-1]
    previous = actual.iloc[-2]
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
        f"{int(last['calendar_year'])} they were **{count(last['students'])}** "
        f"({change(last['students'] - peak['students'])} on the peak). The dashed line is "
        "the forecast; the shaded band is its 80% range (the actual number should land inside it four years in "
        "five)."
    )
    # The forecast line and band start at the last actual, so the two lines meet.
    joined = pd.concat(
        [actual.tail(1).assign(series="Forecast", low=last["students"], high=last["students"]), forecast]
    )
    shown = pd.concat([actual, joined])
    x = alt.X("calendar_year:Q", axis=YEAR_AXIS)
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=["Actual", "Forecast"]))
    tooltip = [
        alt.Tooltip("calendar_year:Q", title="Year", format="d"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("students:Q", title="Students", format=",.0f"),
        alt.Tooltip("low:Q", title="80% range from", format=",.0f"),
        alt.Tooltip("high:Q", title="80% range to", format=",.0f"),
    ]
    band = (
        alt.Chart(joined)
        .mark_area(opacity=0.2)
        .encode(x=x, y=alt.Y("low:Q", title="Students (headcount)"), y2="high:Q", color=colour)
    )
    lines = (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("students:Q", title="Students (headcount)", scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(range=[[1, 0], [6, 4]])),
            tooltip=tooltip,
        )
    )
    chart(band + lines, state, "Students in NSW government schools, actual and forecast")
    method = final["method"]
    st.caption(
        f"Actual: sum of every school's headcount; a count the department suppressed for privacy is "
        f"left out. Forecast {int(forecast['calendar_year'].min())}-{int(forecast['calendar_year'].max())}: "
        f"{method_label(method)} ({METHOD_NOTES.get(method, 'see below')}), the method that forecast the state "
        "best in the backtest below."
    )


def accuracy_section() -> None:
    st.header("How good are these forecasts?")
    accuracy = query(ACCURACY_SQL)
    first_origin, last_origin = int(accuracy["first_origin"].iat[0]), int(accuracy["last_origin"].iat[0])
    st.markdown(
        f"Each method was replayed on the past: standing in every year from {first_origin} to {last_origin}, it "
        "forecast the next three years from the years before, and its forecasts were compared with what happened. "
        "The error is the **MAPE**: the average miss as a percentage of the actual number of students (lower is "
        f"better). For each kind of series the method with the lowest mean error over 1-{max(CHOICE_HORIZONS)} "
        "years ahead makes the forecasts; a tie goes to the simpler method."
    )
    scores = accuracy.pivot_table(index=["series_kind", "method"], columns="horizon", values="mape").reset_index()
    scores["mean_mape"] = scores[list(CHOICE_HORIZONS)].mean(axis=1)
    predictions = accuracy[accuracy["horizon"] == 1].set_index(["series_kind", "method"])["n"]
    used = accuracy.groupby(["series_kind", "method"])["used_for_forecast"].any()
    scores["kind_order"] = scores["series_kind"].map(list(KIND_LABELS).index)
    scores["method_order"] = scores["method"].map(METHOD_ORDER.index)
    scores = scores.sort_values(["kind_order", "mean_mape", "method_order"]).reset_index(drop=True)
    winners = scores.groupby("series_kind", sort=False).head(1).set_index("series_kind")["method"]
    scores["best"] = scores["method"] == scores["series_kind"].map(winners)

    lines = []
    for _, group in scores.groupby("kind_order"):
        best = group.iloc[0]
        others = "; ".join(
            f"{COMPARED[row.method]} {row.mean_mape:.2f}%"
            for row in group.iloc[1:].itertuples()
            if row.method in COMPARED
        )
        lines.append(
            f"- **{KIND_LABELS[best['series_kind']]}**: **{method_label(best['method'])}** was the most accurate "
            f"({best['mean_mape']:.2f}% mean error)"
            + (f"; {others}." if others else ".")
            + (" Nothing beat the last known value, so the forecast repeats it." if best["method"] == "naive" else "")
        )
    prophet_kinds = scores.loc[scores["method"] == "prophet", "series_kind"]
    prophet_wins = [KIND_LABELS[k] for k in prophet_kinds if winners[k] == "prophet"]
    lines.append(
        f"- **Prophet** was tried on {len(prophet_kinds)} kinds of series (not on individual schools: too slow for "
        "2,000 of them) and was the most accurate for "
        + (
            ", ".join(prophet_wins) + "."
            if prophet_wins
            else "**none** of them: with one number a year and no "
            "seasons to find, simpler methods did as well or better."
        )
    )
    st.markdown("\n".join(lines))
    mismatched = [k for k, m in winners.items() if not used.get((k, m), False)]
    if mismatched:
        st.warning(f"The forecast table uses another method than the most accurate for: {', '.join(mismatched)}.")

    shown = pd.DataFrame(
        {
            "Series": scores["series_kind"].map(KIND_LABELS),
            "Method": scores["method"].map(method_label),
            **{f"{h} year{'s' if h > 1 else ''} ahead": scores[h] for h in CHOICE_HORIZONS},
            "Mean error": scores["mean_mape"],
            "Forecasts scored": [predictions[(k, m)] for k, m in zip(scores.series_kind, scores.method, strict=True)],
            "Most accurate": scores["best"],
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
        + "; ".join(f"**{method_label(name)}**: {note}" for name, note in METHOD_NOTES.items())
        + ". The backtest of every forecast is in `ml.forecast_backtest`."
    )


def breakdown_section() -> None:
    st.header("Where the students are")
    choice = st.selectbox("Break down by", list(BREAKDOWNS), key="breakdown")
    source, column = BREAKDOWNS[choice]
    frame = query(BREAKDOWN_SQL.format(table=source, column=column, not_recorded=NOT_RECORDED))
    # One small panel per group, each with its own scale: the groups differ in size by up to 500 times.
    figure = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "calendar_year:Q",
                axis=YEAR_AXIS,
                scale=alt.Scale(domain=[int(frame["calendar_year"].min()), int(frame["calendar_year"].max())]),
            ),
            y=alt.Y("students:Q", title="Students"),
            tooltip=[
                alt.Tooltip("segment:N", title=choice),
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("students:Q", title="Students", format=","),
                alt.Tooltip("schools:Q", title="Schools", format=","),
            ],
        )
        .properties(width=210, height=140)
        .facet(
            facet=alt.Facet(
                "segment:N", title=None, sort=alt.EncodingSortField("students", op="max", order="descending")
            ),
            columns=3,
        )
        .resolve_scale(y="independent")
    )
    chart(figure, frame.rename(columns={"segment": choice}), f"Students by {choice.lower()}")
    reorganised = (
        " The directorates were reorganised in 2023, after that year's school list, so every year shows the former "
        "ones."
        if column == "school__operational_directorate"
        else ""
    )
    st.caption(
        "Each panel has its own scale, so read the numbers on its axis. Each year counts a school in the group it "
        f"belonged to that year, from the department's school list.{reorganised} '{NOT_RECORDED}': schools that "
        "closed before the first school list (2018) and carry no attributes."
    )


def grade_order(grade: str) -> tuple:
    """K, Year 1 .. Year 12, then the ungraded rows, then 'Not stated'."""
    if grade == "K":
        return (0, 0)
    if grade.startswith("Year "):
        return (0, int(grade.split()[1]))
    return (1 if "ungraded" in grade else 2, grade)


def grade_section() -> None:
    st.header("Enrolments by grade, 2010-2017")
    grades = query(GRADE_SQL)
    withheld = grades[grades["is_breakdown_withheld"]]
    share = 100 * withheld["fte"].sum() / grades["fte"].sum()
    st.markdown(
        "Full-time equivalent (FTE) enrolments by grade, published for 2010-2017 only: a part-time student counts as "
        "a fraction. Darker is more students."
    )
    order = sorted(grades["grade"].unique(), key=grade_order)
    base = alt.Chart(grades).encode(
        x=alt.X("calendar_year:O", title="Year", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("grade:N", title="Grade", sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        tooltip=[
            alt.Tooltip("grade:N", title="Grade"),
            alt.Tooltip("calendar_year:O", title="Year"),
            alt.Tooltip("fte:Q", title="FTE enrolment", format=",.0f"),
            alt.Tooltip("schools:Q", title="Schools", format=","),
        ],
    )
    heatmap = base.mark_rect().encode(color=alt.Color("fte:Q", title="FTE enrolment", scale=alt.Scale(scheme="blues")))
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("fte:Q", format=",.0f"),
        color=alt.condition(alt.datum.fte > float(grades["fte"].max()) / 2, alt.value("white"), alt.value("black")),
    )
    chart((heatmap + labels).properties(height=alt.Step(26)), grades, "FTE enrolment by grade and year")
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
