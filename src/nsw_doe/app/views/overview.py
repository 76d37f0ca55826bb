"""Overview (`/`): the latest headline numbers with their trend, the findings a newcomer should see first, what the
data covers, and where to go next. Every number is computed from the warehouse when the page loads."""

import pandas as pd
import streamlit as st

from nsw_doe.app.attendance_series import attendance_series, largest_gaps
from nsw_doe.app.data import query
from nsw_doe.app.layout import change, count, rate, table
from nsw_doe.app.pages import PAGES

# The last attendance year before COVID-19 closed schools (2020 has no collection).
PRE_PANDEMIC_YEAR = 2019

YEARLY_SQL = """
select
    calendar_year,
    schools, schools_yoy,
    headcount, headcount_yoy,
    attendance_rate, attendance_rate_yoy,
    composite_classes, composite_classes_yoy
from semantic.metrics_by_year
order by calendar_year
"""

# The department's own state figures for composite classes, and how many schools in the file had any.
COMPOSITE_SQL = """
with schools as (
    select
        calendar_year,
        count(*) filter (where composite_class_count > 0) as schools_with_composite,
        count(pct_composite_classes) as schools_open
    from marts.fct__composite_class
    where calendar_year = (select max(calendar_year) from marts.fct__composite_class)
    group by calendar_year
)
select schools.*, published.measure_value as published_pct_composite_classes
from schools
left join marts.fct__statewide_total as published
    on published.calendar_year = schools.calendar_year
    and published.source_dataset = 'composite_classes'
    and published.measure = 'pct_composite_classes'
"""

STATE_FORECAST_SQL = """
select calendar_year, yhat, yhat_lower, yhat_upper, method
from ml.enrolment_forecast
where series_kind = 'statewide'
order by calendar_year desc
limit 1
"""

# One row per dataset with yearly facts: the years it covers and how many schools appear in it.
COVERAGE_SQL = """
with facts as (
    select 'Enrolments (headcount)' as dataset, calendar_year, school_code from marts.fct__enrolment
    union all
    select 'Enrolments by grade (FTE)', calendar_year, school_code from marts.fct__enrolment_by_grade
    union all
    select 'Attendance (semester 1)', calendar_year, school_code from marts.fct__attendance
    union all
    select 'Composite classes', calendar_year, school_code from marts.fct__composite_class
)
select
    dataset,
    min(calendar_year) as first_year,
    max(calendar_year) as last_year,
    list(distinct calendar_year order by calendar_year) as years,
    count(distinct school_code) as schools
from facts
group by dataset
order by first_year, dataset
"""

SCHOOLS_SQL = """
select
    count(*) filter (where is_current) as listed_now,
    count(distinct school_code) filter (where school_code <> -1) as ever_known,
    (select max(vintage) from audit.source_files where dataset_id = 'master_dataset' and loaded) as school_list,
    (select count(distinct dataset_id) from audit.source_files where loaded) as datasets
from marts.dim__school
"""

# Where each topic page fits, for the links at the bottom (keyed by URL path).
PAGE_BLURBS = {
    "schools": "Search and map every government school.",
    "enrolments": "Students year by year, the five-year forecast, and the schools growing and shrinking most.",
    "attendance": "Semester-1 attendance, statewide, by region and by school.",
    "composite_classes": "Classes that mix two or more grades, and where they are common.",
    "non_government": "Where the non-government schools are.",
    "data_quality": "Every source file, its vintage, and the checks each build runs.",
    "about": "Where the data comes from and how the numbers are made.",
}


def missing_years(years) -> list[int]:
    """Years between the first and the last of `years` that are not in it."""
    present = set(int(y) for y in years)
    return [y for y in range(min(present), max(present) + 1) if y not in present]


def finding(title: str) -> None:
    st.markdown(f"#### {title}")


def headline(yearly: pd.DataFrame, column: str, label: str, value_format, unit: str, description: str) -> None:
    """An st.metric of the latest year that has `column`, its change on the year before and a sparkline."""
    series = yearly.dropna(subset=[column])
    latest = series.iloc[-1]
    year = int(latest["calendar_year"])
    gaps = missing_years(series["calendar_year"])
    span = f"{int(series['calendar_year'].iloc[0])}-{year}" + (f", none in {', '.join(map(str, gaps))}" if gaps else "")
    delta = change(latest[f"{column}_yoy"], unit)
    st.metric(
        f"{label}, {year}",
        value_format(latest[column]),
        delta,
        # Only attendance has a good direction; more schools, students or composite classes is neither.
        delta_color="normal" if column == "attendance_rate" else "off",
        delta_description=f"on {year - 1}" if delta else None,
        chart_data=series[column].astype(float).tolist(),
        chart_type="area",
        help=f"{description} The chart shows every year with the measure ({span}).",
        border=True,
    )


# (column of semantic.metrics_by_year, label, format, unit of the change, what it is)
HEADLINES = [
    ("schools", "Government schools", count, "", "Schools with an enrolment count in the year."),
    (
        "headcount",
        "Students",
        count,
        "",
        "Students enrolled (headcount, not full-time equivalent), summed over the schools. A count the department "
        "suppressed to protect privacy is left out, never counted as zero.",
    ),
    (
        "attendance_rate",
        "Attendance rate",
        rate,
        " pts",
        "Share of semester-1 school days students attended, each school weighted by its students (how the "
        "department forms its state figure).",
    ),
    (
        "composite_classes",
        "Composite classes",
        count,
        "",
        "Classes that combine students of two or more grades (primary-age classes).",
    ),
]

yearly = query(YEARLY_SQL)
st.title("NSW public schools explorer")
st.markdown(
    f"{len(yearly.dropna(subset=['headcount']))} years of open data on the NSW Department of Education's government "
    "schools: how many students they teach, how often those students attend, how classes are organised, and what "
    "each school looks like. Start with a school, or with the big picture below."
)
st.page_link("views/schools.py", label="**Find a school** by name, suburb or on the map", icon=":material/search:")
for column, spec in zip(st.columns(len(HEADLINES)), HEADLINES, strict=True):
    with column:
        headline(yearly, *spec)
st.caption(
    "Each number is the latest year the department has published for it, so the years differ. The small chart "
    "under each is its history; the change is on the year before."
)

st.header("Four things to know first")
attendance = attendance_series()
compared = attendance.dropna(subset=["published", "weighted"])
weighted_gap, unweighted_gap = largest_gaps(compared)
worst = compared.loc[(compared["unweighted"] - compared["published"]).abs().idxmax()]
latest_attendance = compared.iloc[-1]
before = attendance.set_index("calendar_year").loc[PRE_PANDEMIC_YEAR]

headcount = yearly.dropna(subset=["headcount"])
peak = headcount.loc[headcount["headcount"].idxmax()]
latest_headcount = headcount.iloc[-1]
composite = query(COMPOSITE_SQL).iloc[0]

findings = st.columns(2)
with findings[0].container(border=True):
    finding("Averaging school rates gets attendance wrong")
    st.markdown(
        f"The department published a state attendance rate of **{rate(latest_attendance['published'])}** for "
        f"{int(latest_attendance['calendar_year'])}. Weighting each school's rate by its students gives "
        f"**{rate(latest_attendance['weighted'])}**, and lands within **{weighted_gap:.2f} points** of the published "
        f"figure in every year from {int(compared['calendar_year'].min())} to "
        f"{int(compared['calendar_year'].max())}. The plain average of school rates, where a school of 50 counts as "
        f"much as one of 1,500, misses by up to **{unweighted_gap:.2f} points** ({int(worst['calendar_year'])}: "
        f"{rate(worst['unweighted'])} against {rate(worst['published'])}). This app uses the weighted rate."
    )
    st.page_link("views/attendance.py", label="Attendance", icon=":material/event_available:")
with findings[1].container(border=True):
    past_peak = peak["calendar_year"] < latest_headcount["calendar_year"]
    finding("Enrolments have passed their peak" if past_peak else "Enrolments are at their highest")
    text = (
        f"Government schools taught **{count(peak['headcount'])}** students in {int(peak['calendar_year'])}, the "
        f"most in the data. By {int(latest_headcount['calendar_year'])} it was "
        f"**{count(latest_headcount['headcount'])}** ({change(latest_headcount['headcount'] - peak['headcount'])})."
    )
    forecast = query(STATE_FORECAST_SQL).iloc[0]
    text += (
        f" The forecast for {int(forecast['calendar_year'])} is **{count(forecast['yhat'])}** (80% range "
        f"{count(forecast['yhat_lower'])} to {count(forecast['yhat_upper'])}), by the method that predicted past "
        f"years best ({forecast['method'].replace('_', ' ')})."
    )
    st.markdown(text)
    st.page_link("views/enrolments.py", label="Enrolments and the forecast", icon=":material/groups:")
with findings[0].container(border=True):
    fall = latest_attendance["weighted"] - before["weighted"]
    finding(f"Attendance {'fell' if fall < 0 else 'rose'} {abs(fall):.1f} points since {PRE_PANDEMIC_YEAR}")
    between = attendance[attendance["calendar_year"].between(PRE_PANDEMIC_YEAR, latest_attendance["calendar_year"])]
    not_collected = between.loc[between["weighted"].isna(), "calendar_year"].tolist()
    gap_note = (
        f" No attendance was collected in {', '.join(map(str, not_collected))} (COVID-19)." if not_collected else ""
    )
    method_note = ""
    if before["attendance_collection"] != latest_attendance["attendance_collection"]:
        since = attendance.loc[
            attendance["attendance_collection"] == latest_attendance["attendance_collection"], "calendar_year"
        ].min()
        method_note = (
            f" The department has measured attendance to a new national standard since {since}, so the two years "
            "are not measured quite alike."
        )
    st.markdown(
        f"In semester 1 of {PRE_PANDEMIC_YEAR} students attended **{rate(before['weighted'])}** of school days; in "
        f"{int(latest_attendance['calendar_year'])}, **{rate(latest_attendance['weighted'])}** (the department's "
        f"figures: {rate(before['published'])} and {rate(latest_attendance['published'])}).{gap_note}{method_note}"
    )
    st.page_link("views/attendance.py", label="Attendance by school and region", icon=":material/event_available:")
with findings[1].container(border=True):
    share = 100 * composite["schools_with_composite"] / composite["schools_open"]
    finding(f"{rate(composite['published_pct_composite_classes'])} of primary classes mix grades")
    st.markdown(
        f"In {int(composite['calendar_year'])}, {rate(composite['published_pct_composite_classes'])} of the "
        f"classes in the department's composite-class data combined two or more grades (its published figure), and "
        f"**{count(composite['schools_with_composite'])} of {count(composite['schools_open'])} schools "
        f"({rate(share)})** had at least one such class."
    )
    st.page_link("views/composite_classes.py", label="Composite classes", icon=":material/diversity_3:")

st.header("What the data covers")
schools = query(SCHOOLS_SQL).iloc[0]
coverage = query(COVERAGE_SQL)
st.markdown(
    f"**{count(schools['listed_now'])}** government schools are listed in the department's latest school list "
    f"({schools['school_list']}); **{count(schools['ever_known'])}** schools appear somewhere in the data since "
    f"{coverage['first_year'].min()}, closed ones included. The warehouse holds **{count(schools['datasets'])}** "
    "public datasets; the yearly ones are:"
)
coverage = pd.DataFrame(
    {
        "Dataset": coverage["dataset"],
        "Years": coverage["first_year"].astype(str) + "-" + coverage["last_year"].astype(str),
        "Years missing": [", ".join(map(str, missing_years(y))) or "none" for y in coverage["years"]],
        "Schools": coverage["schools"],
    }
)
table(coverage, "What the data covers", column_config={"Schools": st.column_config.NumberColumn(format="localized")})

st.header("Explore")
links = [entry for entries in PAGES.values() for entry in entries if entry.url_path in PAGE_BLURBS]
for row in range(0, len(links), 4):
    for column, entry in zip(st.columns(4), links[row : row + 4], strict=False):
        with column:
            st.page_link(entry.script, label=f"**{entry.title}**", icon=entry.icon)
            st.caption(PAGE_BLURBS[entry.url_path])
