"""Overview (`/`): the latest headline numbers with their trend, the findings a newcomer should see first, what the
data covers, and where to go next. Every number is computed from the warehouse when the page loads."""

import pandas as pd
import streamlit as st

from nsw_doe.app import overview_content as content
from nsw_doe.app.data import query
from nsw_doe.app.forecast_coverage import coverage_text
from nsw_doe.app.layout import change, count, rate, sparkline, table
from nsw_doe.app.pages import PAGES

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

FINDINGS_SQL = "select * from reporting.rpt__overview_finding"

STATE_FORECAST_SQL = """
select calendar_year, yhat, yhat_lower, yhat_upper, method
from ml.enrolment_forecast
where series_kind = 'statewide'
order by calendar_year desc
limit 1
"""

COVERAGE_SQL = """
select dataset, first_year, last_year, missing_years, schools
from reporting.rpt__coverage
order by first_year, dataset
"""

# The school list's latest vintage and the datasets loaded (audit.source_files, which dbt does not model).
SOURCES_SQL = """
select
    (select max(vintage) from audit.source_files where dataset_id = 'master_dataset' and loaded) as school_list,
    (select count(distinct dataset_id) from audit.source_files where loaded) as datasets
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


def finding(title: str) -> None:
    st.subheader(title, anchor=False)


def headline(yearly: pd.DataFrame, column: str, label: str, value_format, unit: str, description: str) -> None:
    """An st.metric of the latest year that has `column`, its change on the year before and a sparkline (the
    project's own, not st.metric's chart_data: Streamlit's has no text alternative)."""
    series = yearly.dropna(subset=[column])
    latest = series.iloc[-1]
    year = int(latest["calendar_year"])
    gaps = content.missing_years(series["calendar_year"])
    span = f"{int(series['calendar_year'].iloc[0])}-{year}" + (f", none in {', '.join(map(str, gaps))}" if gaps else "")
    delta = change(latest[f"{column}_yoy"], unit)
    with st.container(border=True):
        st.metric(
            f"{label}, {year}",
            value_format(latest[column]),
            delta,
            # Only attendance has a good direction; more schools, students or composite classes is neither.
            delta_color="normal" if column == "attendance_rate" else "off",
            delta_description=f"on {year - 1}" if delta else None,
            help=f"{description} The chart shows every year with the measure ({span}).",
        )
        sparkline(series["calendar_year"], series[column].astype(float), label, value_format)


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
found = query(FINDINGS_SQL).iloc[0]
findings = st.columns(2)
with findings[0].container(border=True):
    finding("Averaging school rates gets attendance wrong")
    st.markdown(content.weighting_finding(found))
    st.page_link("views/attendance.py", label="Attendance", icon=":material/event_available:")
with findings[1].container(border=True):
    finding(content.peak_title(found))
    forecast = query(STATE_FORECAST_SQL).iloc[0]
    st.markdown(content.peak_finding(found, forecast) + " " + coverage_text("statewide", lead=""))
    st.page_link("views/enrolments.py", label="Enrolments and the forecast", icon=":material/groups:")
with findings[0].container(border=True):
    finding(content.pandemic_title(found))
    st.markdown(content.pandemic_finding(found))
    st.page_link("views/attendance.py", label="Attendance by school and region", icon=":material/event_available:")
with findings[1].container(border=True):
    finding(content.composite_title(found))
    st.markdown(content.composite_finding(found))
    st.page_link("views/composite_classes.py", label="Composite classes", icon=":material/diversity_3:")

st.header("What the data covers")
sources = query(SOURCES_SQL).iloc[0]
coverage = query(COVERAGE_SQL)
st.markdown(content.coverage_paragraph(found, sources, int(coverage["first_year"].min())))
table(
    content.coverage_table(coverage),
    "What the data covers",
    column_config={"Schools": st.column_config.NumberColumn(format="localized")},
)

st.header("Explore")
links = [entry for entries in PAGES.values() for entry in entries if entry.url_path in PAGE_BLURBS]
for row in range(0, len(links), 4):
    for column, entry in zip(st.columns(4), links[row : row + 4], strict=False):
        with column:
            st.page_link(entry.script, label=f"**{entry.title}**", icon=entry.icon)
            st.caption(PAGE_BLURBS[entry.url_path])
