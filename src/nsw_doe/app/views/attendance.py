"""Attendance: the state's semester-1 attendance rate weighted by headcount against the figure the department
publishes, how school rates spread by remoteness and ICSEA in a chosen year, the gaps and breaks in the series, and
the schools without a rate (suppressed, not applicable, not reported).

The page lays out what the warehouse holds: every figure is a column of a reporting model (reporting.rpt__state_
attendance_rate, rpt__attendance_distribution, rpt__attendance_edition_difference, rpt__attendance_status_count) or
a plain select from the marts; charts are in attendance_charts, sentences in attendance_text, tables in
attendance_tables."""

import math

import pandas as pd
import streamlit as st

from nsw_doe.app import attendance_charts as charts
from nsw_doe.app import attendance_tables as tables
from nsw_doe.app import attendance_text as text
from nsw_doe.app import layout
from nsw_doe.app.attendance_series import attendance_series, largest_gaps
from nsw_doe.app.data import query

RATE = st.column_config.NumberColumn(format="%.1f")
RATE_2 = st.column_config.NumberColumn(format="%.2f")
POINTS = st.column_config.NumberColumn(format="%+.2f")
COUNT = st.column_config.NumberColumn(format="localized")
YEAR = st.column_config.NumberColumn(format="%d")

DISTRIBUTION_SQL = """
select group_label as grp, schools, p10_rate as p10, q1_rate as q1, median_rate as median, q3_rate as q3,
    p90_rate as p90, weighted_rate as weighted
from reporting.rpt__attendance_distribution
where calendar_year = ? and dimension = ?
order by group_order
"""
STATUS_SQL = """
select calendar_year, level_of_schooling, attendance_status, schools from reporting.rpt__attendance_status_count
"""
EDITIONS_SQL = """
select * from reporting.rpt__attendance_edition_difference
order by older_edition, school_years desc, older_status, latest_status
"""
PUBLISHED_SQL = """
select 'Education level' as breakdown, education_level as category, cohort, calendar_year, attendance_rate
from marts.fct__statewide_attendance_by_level
union all
select 'Remoteness', remoteness, cohort, calendar_year, attendance_rate
from marts.fct__statewide_attendance_by_remoteness
order by breakdown, category, cohort, calendar_year
"""


def headline(series: pd.DataFrame) -> None:
    collected = series.dropna(subset=["weighted"])
    latest, previous = collected.iloc[-1], collected.iloc[-2]
    year = int(latest.calendar_year)
    left, middle, right, last = st.columns(4)
    left.metric(
        f"State attendance rate, {year}",
        layout.rate(latest.weighted),
        layout.change(latest.weighted - previous.weighted, " pts"),
        help=f"Weighted by headcount; the change is against {int(previous.calendar_year)}.",
    )
    middle.metric(f"Published by the department, {year}", layout.rate(latest.published))
    right.metric(
        f"Average of school rates, {year}",
        layout.rate(latest.unweighted),
        help="Every school counts once, whatever its size: not a state rate (see below).",
    )
    last.metric(f"Schools with a rate, {year}", layout.count(latest.schools_reporting_attendance))


def three_ways(series: pd.DataFrame) -> None:
    st.header("The state rate, three ways")
    layout.chart(charts.state_rate_chart(series), charts.state_rate_long(series), "State attendance rate by year")
    st.markdown(text.why_weight(*largest_gaps(series)))
    layout.table(
        tables.three_ways_table(series),
        "State attendance rate three ways",
        height="content",
        column_config={
            "Year": YEAR,
            "Published": RATE,
            "Weighted": RATE_2,
            "Unweighted": RATE_2,
            "Weighted - published": POINTS,
            "Unweighted - published": POINTS,
            "Schools": st.column_config.NumberColumn(format="localized", help="Schools that reported a rate"),
        },
    )
    st.caption(
        "Rates in %, differences in points. Published: the state row of the attendance file (latest edition). "
        "Weighted and unweighted: the semantic layer's `attendance_rate` and `attendance_rate_unweighted` "
        "(semantic.metrics_by_year), over the schools that reported a rate."
    )


def distribution(series: pd.DataFrame) -> None:
    st.header("How school rates spread in a year")
    years = [int(y) for y in series.dropna(subset=["weighted"])["calendar_year"]]
    requested = st.query_params.get("year", "")
    default = int(requested) if requested in {str(year) for year in years} else years[-1]
    year = st.selectbox("Year", years, index=years.index(default), key="year")
    st.query_params["year"] = str(year)
    state_rate = series.loc[series["calendar_year"] == year, "weighted"].iloc[0]
    st.caption(text.distribution_caption(year, state_rate))
    shown = []
    for column, (dimension, title, name) in zip(
        st.columns(2), (("remoteness", "Remoteness", "remoteness"), ("icsea", "ICSEA band", "ICSEA band")), strict=True
    ):
        groups = query(DISTRIBUTION_SQL, year, dimension)
        numbers = tables.distribution_numbers(groups, title)
        shown.append((f"Numbers by {name}", numbers))
        with column:
            layout.chart(charts.box_chart(groups, title, state_rate), numbers, f"School attendance by {name}, {year}")
    for tab, (_, numbers) in zip(st.tabs([label for label, _ in shown]), shown, strict=True):
        tab.dataframe(
            numbers,
            hide_index=True,
            width="stretch",
            height="content",
            column_config={"Schools": COUNT} | dict.fromkeys(list(text.DISTRIBUTION_COLUMNS.values())[1:], RATE),
        )
    st.caption(
        "Weighted (%): the group's rate weighted by headcount, as the state rate is. Small groups (a handful of very "
        "remote schools) move a lot from year to year. Not published: schools no school list describes (they closed "
        "before the first one); No ICSEA: schools the list gives no ICSEA value, many of them schools for specific "
        "purposes."
    )


def gaps(series: pd.DataFrame) -> None:
    st.header("Gaps and breaks in the series")
    standard = series.loc[series["attendance_collection"] == "national_standard_2021", "calendar_year"]
    before = series.loc[(series["calendar_year"] < standard.min()) & series["weighted"].notna(), "calendar_year"]
    missing = series.loc[series["attendance_collection"] == "not_collected", "calendar_year"]
    st.markdown(text.breaks_markdown([int(y) for y in missing], [int(y) for y in standard], int(before.max())))
    editions = query(EDITIONS_SQL)
    if editions.empty:
        return
    first = editions.iloc[0]
    older, latest = int(first["older_edition"]), int(first["latest_edition"])
    st.markdown(
        text.editions_markdown(
            older, latest, int(first["edition_school_years"]), int(first["edition_different_school_years"])
        )
    )
    different = editions[editions["is_different"] & (editions["older_edition"] == older)]
    if different.empty:
        st.markdown("  (none: every shared school-year has the same rate and status in both editions)")
        return
    layout.table(
        tables.edition_table(different, older, latest),
        "School-years that differ between editions",
        column_config={"From": YEAR, "To": YEAR},
    )
    st.caption(
        "Every school-year is shown as the latest edition gives it: a rate one edition reported and a later one "
        "suppressed counts as suppressed. Compared in the staging model of both files "
        "(reporting.rpt__attendance_edition_difference)."
    )


def statuses() -> None:
    st.header("Schools without a rate")
    st.markdown(
        """
Not every school has a rate every year, and the app does not hide them:

- **Suppressed**: the department withheld the rate (`sp`), so that a small school's students cannot be identified.
- **Not applicable**: the rate does not apply (`na`): senior campuses of Years 11-12 only.
- **Not reported**: the file has no value for the school that year: schools for specific purposes before 2021,
  and schools not open that year.
- **Invalid**: a value that could not be read; it is kept in quarantine (see Data quality).
"""
    )
    counts = query(STATUS_SQL)
    levels = sorted(counts["level_of_schooling"].unique())
    level = st.selectbox("Level of schooling", [tables.ALL_LEVELS, *levels], key="status_level")
    table = tables.status_table(counts, level)
    without, order = tables.without_rate(table)
    layout.chart(charts.status_chart(without, order), without, f"Schools without an attendance rate: {level.lower()}")
    layout.table(
        table,
        f"Attendance status by year: {level.lower()}",
        height="content",
        column_config={"Year": YEAR} | {label: COUNT for label in [*text.STATUS_LABELS.values(), "Total"]},
    )
    if (first := tables.first_reported(counts, "Schools for Specific Purposes")) is not None:
        st.caption(text.specific_purposes_caption(*first))


def as_published(series: pd.DataFrame) -> None:
    st.header("As the department published it, 2006-2017")
    frame = query(PUBLISHED_SQL)
    if frame.empty:
        return
    frame = tables.label_published(frame)
    breakdown = st.radio("Break down by", sorted(frame["breakdown"].unique()), horizontal=True, key="published_by")
    shown = frame[frame["breakdown"] == breakdown].drop(columns="breakdown")
    # one scale for every panel, in whole steps of 5 points, so that the panels compare at a glance
    rates = (5 * math.floor(shown["attendance_rate"].min() / 5), 5 * math.ceil(shown["attendance_rate"].max() / 5))
    layout.small_multiples(
        shown,
        "category",
        [label for label in text.PUBLISHED_LABELS.values() if label in set(shown["category"])],
        lambda rows, first: charts.published_panel(rows, breakdown, rates, legend=first),
        f"Statewide attendance by {breakdown.lower()}, as published",
    )
    whole_state = shown[shown["category"].isin(["All levels", "All of NSW"])]
    latest = whole_state[whole_state["calendar_year"] == whole_state["calendar_year"].max()].set_index("cohort")
    if {"All students", "Aboriginal students"} <= set(latest.index):
        st.markdown(
            text.aboriginal_sentence(
                int(latest["calendar_year"].iloc[0]),
                latest.at["Aboriginal students", "attendance_rate"],
                latest.at["All students", "attendance_rate"],
            )
        )
    st.caption(text.publications_caption(*tables.publication_gap(whole_state, series)))


st.title("Attendance")
st.markdown(
    "How often students in NSW public schools attend: the **semester-1 attendance rate**, the share of school days "
    "in the first half of the year that students attended, published by the NSW Department of Education for every "
    "school since 2011."
)
series = attendance_series()
headline(series)
three_ways(series)
distribution(series)
gaps(series)
statuses()
as_published(series)
