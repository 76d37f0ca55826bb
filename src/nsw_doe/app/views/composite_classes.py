"""Composite classes (`/composite_classes`): what a composite class is, how many there are statewide by year, which
schools have them (by level and remoteness), how much of a school's classes they make up, the schools with the most,
and what the data cannot say."""

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app.data import query
from nsw_doe.app.layout import MISSING, chart, count, count_metric, rate, school_link_column, school_url, table

BREAKDOWNS = {"Level of schooling": "level_of_schooling", "Remoteness": "asgs_remoteness"}

STATE_SQL = """
select
    metrics.calendar_year,
    metrics.composite_classes,
    metrics.composite_classes_yoy,
    metrics.composite_class_students,
    metrics.composite_class_students_yoy,
    max(published.measure_value) filter (where published.measure = 'pct_composite_classes') as pct_classes,
    max(published.measure_value) filter (where published.measure = 'pct_composite_class_students') as pct_students
from semantic.metrics_by_year as metrics
left join marts.fct__statewide_total as published
    on published.calendar_year = metrics.calendar_year and published.source_dataset = 'composite_classes'
where metrics.composite_classes is not null
group by all
order by metrics.calendar_year
"""

# Every school row of the year with the school's attributes of that year (its dim__school version). A school with
# no percentage was not open that year (it has no students in the enrolment file either).
SCHOOLS_SQL = """
select
    composite.school_code,
    school.school_name,
    coalesce(school.level_of_schooling, ?) as level_of_schooling,
    coalesce(school.asgs_remoteness, ?) as asgs_remoteness,
    composite.composite_class_count,
    composite.composite_class_students,
    composite.pct_composite_classes,
    composite.pct_composite_class_students,
    composite.pct_composite_classes is not null as is_open
from marts.fct__composite_class as composite
join marts.dim__school as school using (school_sk)
where composite.calendar_year = ?
"""

# None and all are bars of their own; between them 10-point bins, upper edges included.
BIN_EDGES = [-1, 0, *range(10, 100, 10), 100 - 1e-9, 100]
BINS = ["None (0%)", "Up to 10%", *[f"{low}-{low + 10}%" for low in range(10, 100, 10)], "All (100%)"]


st.title("Composite classes")
st.markdown(
    "A **composite class** (or multi-age class) teaches students of two or more grades together, say Years 3 and 4, "
    "with one teacher. Schools form them when a grade's students do not fill a class of their own, so they are "
    "common in small schools and in any school whose grade sizes do not divide evenly. The department publishes "
    "them for the schools that teach primary classes."
)

state = query(STATE_SQL)
latest = state.iloc[-1]
year = int(latest["calendar_year"])
metrics = st.columns(3)
count_metric(
    metrics[0],
    f"Composite classes, {year}",
    latest["composite_classes"],
    latest["composite_classes_yoy"],
    year - 1,
    help="Sum over the schools of their composite classes.",
)
count_metric(
    metrics[1],
    f"Students in composite classes, {year}",
    latest["composite_class_students"],
    latest["composite_class_students_yoy"],
    year - 1,
    help="Sum over the schools of the students in their composite classes.",
)
metrics[2].metric(
    f"Share of classes that are composite, {year}",
    rate(latest["pct_classes"]),
    help="The department's published state figure: composite classes as a share of all the classes in the data. "
    "It cannot be rebuilt from the school rows (see the limits at the bottom of the page).",
    border=True,
)

counts = state.melt(
    id_vars="calendar_year",
    value_vars=["composite_classes", "composite_class_students"],
    var_name="measure",
    value_name="number",
).replace({"composite_classes": "Composite classes", "composite_class_students": "Students in composite classes"})
shares = state.melt(
    id_vars="calendar_year", value_vars=["pct_classes", "pct_students"], var_name="measure", value_name="pct"
).replace({"pct_classes": "Share of classes", "pct_students": "Share of students"})
trend = st.columns(2)
with trend[0]:
    figure = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("calendar_year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("number:Q", title="Number"),
            tooltip=[
                alt.Tooltip("calendar_year:O", title="Year"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("number:Q", title="Number", format=","),
            ],
        )
        .properties(width=280, height=120)  # a facet's panels have a fixed width: 280 fits a phone
        .facet(facet=alt.Facet("measure:N", title=None), columns=1)
        .resolve_scale(y="independent")
    )
    chart(figure, counts, "Composite classes and their students by year")
with trend[1]:
    figure = (
        alt.Chart(shares)
        .mark_line(point=True)
        .encode(
            x=alt.X("calendar_year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("pct:Q", title="Per cent"),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("calendar_year:O", title="Year"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("pct:Q", title="Per cent", format=".1f"),
            ],
        )
    )
    chart(figure, shares, "Share of classes and students in composite classes by year")
st.caption(
    "There is no 2020 in the data. The counts are sums over the school rows; the shares are the state figures the "
    "department publishes with the file."
)

st.header("Which schools have them")
years = state["calendar_year"].astype(int).tolist()
chosen_year = st.select_slider("Year", years, value=year, key="composite_year")
schools = query(SCHOOLS_SQL, MISSING, MISSING, chosen_year)
open_schools = schools[schools["is_open"]]
with_any = open_schools["composite_class_count"] > 0
st.markdown(
    f"In {chosen_year}, **{count(with_any.sum())} of the {count(len(open_schools))} schools** in the data "
    f"({rate(100 * with_any.mean())}) had at least one composite class."
)
breakdown = st.selectbox("Break down by", list(BREAKDOWNS), key="composite_breakdown")
column = BREAKDOWNS[breakdown]
groups = (
    open_schools.assign(has_composite=with_any)
    .groupby(column)
    .agg(schools=("school_code", "size"), with_composite=("has_composite", "sum"))
    .reset_index()
    .rename(columns={column: breakdown})
)
groups["share_pct"] = 100 * groups["with_composite"] / groups["schools"]
figure = (
    alt.Chart(groups)
    .mark_bar()
    .encode(
        x=alt.X("share_pct:Q", title="Schools with at least one composite class (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y(f"{breakdown}:N", title=breakdown, sort="-x", axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip(f"{breakdown}:N"),
            alt.Tooltip("share_pct:Q", title="Share (%)", format=".1f"),
            alt.Tooltip("with_composite:Q", title="Schools with one", format=","),
            alt.Tooltip("schools:Q", title="Schools", format=","),
        ],
    )
)
labels = (
    figure.mark_text(align="left", dx=4)
    .encode(
        text=alt.Text("label:N"),
    )
    .transform_calculate(label="format(datum.share_pct, '.1f') + '% of ' + format(datum.schools, ',')")
)
chart(
    (figure + labels).properties(height=alt.Step(32)),
    groups,
    f"Schools with a composite class by {breakdown.lower()}, {chosen_year}",
)

st.subheader("How much of a school's classes are composite")
binned = open_schools.assign(bin=pd.cut(open_schools["pct_composite_classes"], BIN_EDGES, labels=BINS))
distribution = binned.groupby("bin", observed=False).size().rename("schools").reset_index()
figure = (
    alt.Chart(distribution)
    .mark_bar()
    .encode(
        x=alt.X("bin:N", title="Composite classes as a share of the school's classes", sort=BINS),
        y=alt.Y("schools:Q", title="Schools"),
        tooltip=[alt.Tooltip("bin:N", title="Share"), alt.Tooltip("schools:Q", title="Schools", format=",")],
    )
)
chart(figure, distribution, f"Schools by share of composite classes, {chosen_year}")
all_composite = open_schools[open_schools["pct_composite_classes"] == 100]
st.caption(
    f"{count(len(all_composite))} schools teach every class as a composite class; half of them have "
    f"{count(all_composite['composite_class_count'].median())} classes or fewer. "
    f"{count((open_schools['pct_composite_classes'] == 0).sum())} schools had none."
)

st.subheader("Schools with the most composite classes")
top = open_schools.sort_values(["composite_class_count", "school_code"], ascending=[False, True]).head(10)
table(
    pd.DataFrame(
        {
            "School": top["school_name"],
            "Remoteness": top["asgs_remoteness"],
            "Composite classes": top["composite_class_count"],
            "Students in them": top["composite_class_students"],
            "Share of classes %": top["pct_composite_classes"],
            "Share of students %": top["pct_composite_class_students"],
            "Profile": [school_url(code) for code in top["school_code"]],
        }
    ),
    f"Schools with the most composite classes, {chosen_year}",
    column_config={
        "Students in them": st.column_config.NumberColumn(format="localized"),
        "Share of classes %": st.column_config.NumberColumn(format="%.1f%%"),
        "Share of students %": st.column_config.NumberColumn(format="%.1f%%"),
        "Profile": school_link_column(),
    },
)

st.header("What this data cannot tell you")
closed = schools[~schools["is_open"]]
zero = open_schools[open_schools["pct_composite_classes"] == 0]
levels = sorted(set(schools["level_of_schooling"]) - {MISSING}, key=str.lower)
st.markdown(
    f"""
- **No denominator for a school with no composite class.** Each school row gives its composite classes and
  students and the percentage they make of the school's classes and students, not the school's own totals. The
  totals can be worked back (students / percentage) only where the percentage is above zero: for the
  {count(len(zero))} schools at 0% in {chosen_year} it is 0 / 0. So the state's share of classes and students
  cannot be rebuilt from the school rows; the shares on this page are the department's published figures.
- **Schools that were not open.** The file lists the same {count(len(schools))} schools every year. A school
  that was not open (closed, in recess or not yet opened) shows 0 classes and no percentage:
  {count(len(closed))} in {chosen_year}. They are left out of the shares and the chart above.
- **Schools with primary classes only.** The schools in the file are {", ".join(levels)}: no secondary schools
  and no schools for specific purposes.
- **No 2020**: the department published no composite-class figures for that year.
"""
)
