"""Attendance: the state's semester-1 attendance rate weighted by headcount against the figure the department
publishes, how school rates spread by remoteness and ICSEA in a chosen year, the gaps and breaks in the series, and
the schools without a rate (suppressed, not applicable, not reported)."""

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.attendance_series import attendance_series, largest_gaps
from nsw_doe.app.data import query

RATE = st.column_config.NumberColumn(format="%.1f")
RATE_2 = st.column_config.NumberColumn(format="%.2f")
POINTS = st.column_config.NumberColumn(format="%+.2f")
COUNT = st.column_config.NumberColumn(format="localized")

SERIES_LABELS = {
    "published": "Published by the department",
    "weighted": "Weighted by headcount",
    "unweighted": "Unweighted mean of schools",
}
STATUS_LABELS = {
    "reported": "Reported",
    "suppressed": "Suppressed",
    "not_applicable": "Not applicable",
    "not_reported": "Not reported",
    "invalid": "Invalid",
}
ALL_LEVELS = "All levels of schooling"
DISTRIBUTION_COLUMNS = {
    "schools": "Schools",
    "p10": "10th pct",
    "q1": "Lower quartile",
    "median": "Median",
    "q3": "Upper quartile",
    "p90": "90th pct",
    "weighted": "Weighted (%)",
}

# Each reported school-year twice: once in its remoteness class, once in its ICSEA band, both from the dim__school
# version of that year. The sort keys order the groups from city to very remote and from low to high ICSEA.
DISTRIBUTION_SQL = """
with schools as (
    select
        attendance.attendance_rate,
        attendance.headcount,
        coalesce(school.asgs_remoteness, 'Not known') as remoteness,
        case school.asgs_remoteness
            when 'Major Cities of Australia' then 1
            when 'Inner Regional Australia' then 2
            when 'Outer Regional Australia' then 3
            when 'Remote Australia' then 4
            when 'Very Remote Australia' then 5
            else 6
        end as remoteness_order,
        case
            when school.icsea_value < 900 then 1
            when school.icsea_value < 1000 then 2
            when school.icsea_value < 1100 then 3
            when school.icsea_value >= 1100 then 4
            else 5
        end as icsea_order
    from marts.fct__attendance as attendance
    left join marts.dim__school as school using (school_sk)
    where attendance.calendar_year = ? and attendance.attendance_status = 'reported'
),

grouped as (
    select 'remoteness' as dimension, remoteness as grp, remoteness_order as grp_order, attendance_rate, headcount
    from schools
    union all
    select
        'icsea',
        ['Below 900', '900-999', '1000-1099', '1100 and above', 'No ICSEA'][icsea_order],
        icsea_order,
        attendance_rate,
        headcount
    from schools
)

select
    dimension,
    grp,
    count(*) as schools,
    quantile_cont(attendance_rate, 0.1) as p10,
    quantile_cont(attendance_rate, 0.25) as q1,
    median(attendance_rate) as median,
    quantile_cont(attendance_rate, 0.75) as q3,
    quantile_cont(attendance_rate, 0.9) as p90,
    sum(attendance_rate * headcount) / sum(headcount) as weighted
from grouped
group by dimension, grp, grp_order
order by dimension, grp_order
"""

STATUS_SQL = """
select
    attendance.calendar_year,
    coalesce(school.level_of_schooling, 'Not known') as level_of_schooling,
    attendance.attendance_status,
    count(*) as schools
from marts.fct__attendance as attendance
left join marts.dim__school as school using (school_sk)
group by all
"""

# The attendance file comes in editions, each republishing every year since 2011; the facts take each school-year
# from the latest edition. Compared here where an older edition has the same school-year.
EDITIONS_SQL = """
with editions as (
    select school_code, calendar_year, edition_year, attendance_status, attendance_rate
    from staging.stg__doe__attendance
    where not is_state_total
),

latest as (
    select * from editions where edition_year = (select max(edition_year) from editions)
)

select
    older.edition_year as older_edition,
    latest.edition_year as latest_edition,
    older.attendance_status as older_status,
    latest.attendance_status as latest_status,
    older.attendance_rate is not distinct from latest.attendance_rate as same_rate,
    count(*) as school_years,
    count(distinct school_code) as schools,
    min(older.calendar_year) as first_year,
    max(older.calendar_year) as last_year
from editions as older
inner join latest using (school_code, calendar_year)
where older.edition_year < latest.edition_year
group by all
order by school_years desc
"""

PUBLISHED_SQL = """
select 'Education level' as breakdown, education_level as category, cohort, calendar_year, attendance_rate
from marts.fct__statewide_attendance_by_level
union all
select 'Remoteness', remoteness, cohort, calendar_year, attendance_rate
from marts.fct__statewide_attendance_by_remoteness
order by breakdown, category, cohort, calendar_year
"""
PUBLISHED_LABELS = {
    "all_levels": "All levels",
    "primary": "Primary",
    "junior_secondary": "Junior secondary",
    "senior_secondary": "Senior secondary",
    "secondary": "Secondary",
    "all": "All of NSW",
    "major_cities": "Major cities",
    "regional": "Regional",
    "remote_very_remote": "Remote and very remote",
    "all_students": "All students",
    "aboriginal_students": "Aboriginal students",
}


def year_axis() -> alt.X:
    return alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1))


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
    st.subheader("The state rate, three ways")
    weighted_gap, unweighted_gap = largest_gaps(series)
    long = series.melt(
        id_vars=["calendar_year"], value_vars=list(SERIES_LABELS), var_name="series", value_name="rate"
    ).assign(series=lambda frame: frame["series"].map(SERIES_LABELS))
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=year_axis(),
            y=alt.Y("rate:Q", title="Attendance rate (%)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=list(SERIES_LABELS.values()), range=["#333333", "#1f77b4", "#ff7f0e"]),
                legend=alt.Legend(orient="bottom", labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("rate:Q", title="Rate (%)", format=".2f"),
            ],
        )
    )
    layout.chart(lines + breaks_layer(series), long, "State attendance rate by year")
    st.markdown(
        f"""
**Why weight by headcount?** The state's attendance rate is the share of all student-days attended, so a school
of 1,500 students should count thirty times as much as a school of 50. Weighting each school's rate by its
headcount does that, and lands within **{weighted_gap:.2f} points** of the department's published figure in every
year (that figure is rounded to 0.1, and a school whose headcount is suppressed cannot be weighted). The plain
average of school rates gives every school one vote, so the many small schools pull it away: it misses the
published figure by up to **{unweighted_gap:.2f} points**.
"""
    )
    table = pd.DataFrame(
        {
            "Year": series["calendar_year"],
            "Published": series["published"],
            "Weighted": series["weighted"],
            "Unweighted": series["unweighted"],
            "Weighted - published": series["weighted"] - series["published"],
            "Unweighted - published": series["unweighted"] - series["published"],
            "Schools": series["schools_reporting_attendance"],
            "Collection": series["attendance_collection"].map(collection_label),
        }
    )
    layout.table(
        table,
        "State attendance rate three ways",
        height="content",
        column_config={
            "Year": st.column_config.NumberColumn(format="%d"),
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


def collection_label(collection: str) -> str:
    return {
        "semester_1_pre_2021": "Semester 1",
        "not_collected": "Not collected (COVID-19)",
        "national_standard_2021": "New national standard",
    }.get(collection, collection)


def breaks_layer(series: pd.DataFrame) -> alt.LayerChart:
    """A shaded band over each year with no collection, and a dashed rule where the national standard starts."""
    missing = series.loc[series["attendance_collection"] == "not_collected", ["calendar_year"]].assign(
        start=lambda frame: frame["calendar_year"] - 0.5, end=lambda frame: frame["calendar_year"] + 0.5
    )
    standard = series.loc[series["attendance_collection"] == "national_standard_2021", "calendar_year"].min() - 0.5
    labels = pd.DataFrame(
        {
            "x": [*missing["calendar_year"], standard + 0.2],
            "label": ["No collection (COVID-19)"] * len(missing) + ["New national standard"],
        }
    )
    band = alt.Chart(missing).mark_rect(opacity=0.15, color="grey").encode(x="start:Q", x2="end:Q")
    rule = alt.Chart(pd.DataFrame({"x": [standard]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q")
    text = alt.Chart(labels).mark_text(angle=270, align="right", y=6, color="grey").encode(x="x:Q", text="label:N")
    return band + rule + text


def distribution(years: list[int], state: pd.DataFrame) -> None:
    st.subheader("How school rates spread in a year")
    requested = st.query_params.get("year", "")
    default = int(requested) if requested in {str(year) for year in years} else years[-1]
    year = st.selectbox("Year", years, index=years.index(default), key="year")
    st.query_params["year"] = str(year)
    state_rate = state.loc[state["calendar_year"] == year, "weighted"].iloc[0]
    frame = query(DISTRIBUTION_SQL, year)
    st.caption(
        f"Each box spans the middle half of the schools that reported a rate in {year} (lower to upper quartile); "
        "the white tick is the median school and the whiskers reach from the 10th to the 90th percentile. The "
        f"dashed line is the state rate ({layout.rate(state_rate)}, weighted). Schools are grouped by what the "
        "school list valid on 1 July that year records (for years before the first list, April 2018, its "
        "values). ICSEA, the Index of Community Socio-Educational Advantage, averages 1,000 nationally; lower "
        "means less advantage."
    )
    shown = []
    for column, (dimension, title, name) in zip(
        st.columns(2), (("remoteness", "Remoteness", "remoteness"), ("icsea", "ICSEA band", "ICSEA band")), strict=True
    ):
        groups = frame[frame["dimension"] == dimension].drop(columns="dimension")
        numbers = groups.rename(columns={"grp": title, **DISTRIBUTION_COLUMNS})
        shown.append((f"Numbers by {name}", numbers))
        with column:
            layout.chart(box_chart(groups, title, state_rate), numbers, f"School attendance by {name}, {year}")
    for tab, (_, numbers) in zip(st.tabs([label for label, _ in shown]), shown, strict=True):
        tab.dataframe(
            numbers,
            hide_index=True,
            width="stretch",
            height="content",
            column_config={"Schools": COUNT} | dict.fromkeys(list(DISTRIBUTION_COLUMNS.values())[1:], RATE),
        )
    st.caption(
        "Weighted (%): the group's rate weighted by headcount, as the state rate is. Small groups (a handful of very "
        "remote schools) move a lot from year to year. Not known: schools no school list describes (they closed "
        "before the first one); No ICSEA: schools the list gives no ICSEA value, many of them schools for specific "
        "purposes."
    )


def box_chart(groups: pd.DataFrame, title: str, state_rate: float) -> alt.LayerChart:
    order = list(groups["grp"])
    base = alt.Chart(groups).encode(y=alt.Y("grp:N", sort=order, title=title, axis=alt.Axis(labelLimit=220)))
    tooltip = [
        alt.Tooltip("grp:N", title=title),
        alt.Tooltip("schools:Q", title="Schools", format=","),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
        alt.Tooltip("median:Q", title="Median", format=".1f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"),
        alt.Tooltip("weighted:Q", title="Weighted rate", format=".1f"),
    ]
    whisker = base.mark_rule().encode(
        x=alt.X("p10:Q", title="School attendance rate (%)", scale=alt.Scale(zero=False)), x2="p90:Q"
    )
    box = base.mark_bar(size=16).encode(x="q1:Q", x2="q3:Q", tooltip=tooltip)
    median = base.mark_tick(color="white", size=16, thickness=2).encode(x="median:Q", tooltip=tooltip)
    state = (
        alt.Chart(pd.DataFrame({"rate": [state_rate]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="rate:Q")
    )
    return whisker + box + median + state


def gaps(series: pd.DataFrame) -> None:
    st.subheader("Gaps and breaks in the series")
    missing = ", ".join(str(y) for y in series.loc[series["attendance_collection"] == "not_collected", "calendar_year"])
    standard = series.loc[series["attendance_collection"] == "national_standard_2021", "calendar_year"]
    before = series.loc[(series["calendar_year"] < standard.min()) & series["weighted"].notna(), "calendar_year"]
    st.markdown(
        f"""
- **No collection in {missing}**: students learned from home for part of semester 1 (COVID-19), and the
  department collected no attendance that year. Nothing is filled in: the charts leave the year empty.
- **A new national standard from {standard.min()}**: from {standard.min()} attendance is counted to a new national
  standard, which the department says is not directly comparable with earlier years. The fall from
  {before.max()} to {standard.max()} mixes real change with the new way of counting, and these data cannot tell
  the two apart.
"""
    )
    editions = query(EDITIONS_SQL)
    if editions.empty:
        return
    older, latest = int(editions["older_edition"].min()), int(editions["latest_edition"].iloc[0])
    overlap = int(editions["school_years"].sum())
    changed = editions[(editions["older_status"] != editions["latest_status"]) | ~editions["same_rate"]]
    st.markdown(
        f"""
- **Two editions of the file**: each edition republishes every year since 2011. The {older} and {latest}
  editions both cover {layout.count(overlap)} school-years; where both have a school-year, the
  {latest} edition is used. They differ on **{layout.count(changed["school_years"].sum())}** of them:
"""
    )
    if changed.empty:
        st.markdown("  (none: every shared school-year has the same rate and status in both editions)")
        return
    layout.table(
        changed.assign(
            older_status=changed["older_status"].map(STATUS_LABELS),
            latest_status=changed["latest_status"].map(STATUS_LABELS),
        )[["older_status", "latest_status", "school_years", "schools", "first_year", "last_year"]].rename(
            columns={
                "older_status": f"In the {older} edition",
                "latest_status": f"In the {latest} edition",
                "school_years": "School-years",
                "schools": "Schools",
                "first_year": "From",
                "last_year": "To",
            }
        ),
        "School-years that differ between editions",
        column_config={
            "From": st.column_config.NumberColumn(format="%d"),
            "To": st.column_config.NumberColumn(format="%d"),
        },
    )
    st.caption(
        "Every school-year is shown as the latest edition gives it: a rate one edition reported and a later one "
        "suppressed counts as suppressed. Compared in the staging model of both files (staging.stg__doe__attendance)."
    )


def statuses() -> None:
    st.subheader("Schools without a rate")
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
    level = st.selectbox("Level of schooling", [ALL_LEVELS, *levels], key="status_level")
    shown = counts if level == ALL_LEVELS else counts[counts["level_of_schooling"] == level]
    table = (
        shown.pivot_table(
            index="calendar_year", columns="attendance_status", values="schools", aggfunc="sum", fill_value=0
        )
        .reindex(columns=list(STATUS_LABELS), fill_value=0)
        .rename(columns=STATUS_LABELS)
        .assign(Total=lambda frame: frame.sum(axis=1))
        .rename_axis(index="Year", columns=None)
        .reset_index()
    )
    without_labels = [label for key, label in STATUS_LABELS.items() if key != "reported"]
    without = table.melt(id_vars="Year", value_vars=without_labels, var_name="Status", value_name="Schools")
    without["order"] = without["Status"].map(without_labels.index)
    bars = (
        alt.Chart(without)
        .mark_bar()
        .encode(
            x=alt.X("Year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Schools:Q", title="Schools without a rate"),
            color=alt.Color(
                "Status:N",
                title="Status",
                scale=alt.Scale(domain=without_labels, range=["#f28e2b", "#76b7b2", "#bab0ac", "#e15759"]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
            tooltip=["Year:O", "Status:N", alt.Tooltip("Schools:Q", format=",")],
        )
    )
    layout.chart(bars, without, f"Schools without an attendance rate: {level.lower()}")
    layout.table(
        table,
        f"Attendance status by year: {level.lower()}",
        height="content",
        column_config={"Year": st.column_config.NumberColumn(format="%d")}
        | {label: COUNT for label in [*STATUS_LABELS.values(), "Total"]},
    )
    ssp = counts[counts["level_of_schooling"] == "Schools for Specific Purposes"]
    reported = ssp[ssp["attendance_status"] == "reported"].groupby("calendar_year")["schools"].sum()
    if not reported.empty:
        first = int(reported.index.min())
        st.caption(
            f"Schools for specific purposes (for students with disability and additional needs) have rates only from "
            f"{first} ({layout.count(reported.loc[first])} schools that year). Their rates are far below the state's, "
            "which pulls the unweighted mean below the weighted rate from then on."
        )


def as_published(series: pd.DataFrame) -> None:
    st.subheader("As the department published it, 2006-2017")
    frame = query(PUBLISHED_SQL)
    if frame.empty:
        return
    frame = frame.assign(
        category=frame["category"].map(PUBLISHED_LABELS).fillna(frame["category"]),
        cohort=frame["cohort"].map(PUBLISHED_LABELS).fillna(frame["cohort"]),
    )
    breakdown = st.radio("Break down by", sorted(frame["breakdown"].unique()), horizontal=True, key="published_by")
    shown = frame[frame["breakdown"] == breakdown].drop(columns="breakdown")
    lines = (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=year_axis(),
            y=alt.Y("attendance_rate:Q", title="Attendance rate (%)", scale=alt.Scale(zero=False)),
            color=alt.Color("cohort:N", title="Students", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("category:N", title=breakdown),
                alt.Tooltip("cohort:N", title="Students"),
                alt.Tooltip("attendance_rate:Q", title="Rate (%)", format=".1f"),
            ],
        )
        .properties(width=260, height=180)
        .facet(facet=alt.Facet("category:N", title=None, sort=list(PUBLISHED_LABELS.values())), columns=3)
    )
    layout.chart(lines, shown, f"Statewide attendance by {breakdown.lower()}, as published")
    whole_state = shown[shown["category"].isin(["All levels", "All of NSW"])]
    latest = whole_state[whole_state["calendar_year"] == whole_state["calendar_year"].max()].set_index("cohort")
    if {"All students", "Aboriginal students"} <= set(latest.index):
        st.markdown(
            f"In {int(latest['calendar_year'].iloc[0])}, Aboriginal students in NSW public schools attended "
            f"**{layout.rate(latest.at['Aboriginal students', 'attendance_rate'])}** of school days, against "
            f"**{layout.rate(latest.at['All students', 'attendance_rate'])}** for all students."
        )
    both = whole_state[whole_state["cohort"] == "All students"].merge(series, on="calendar_year")
    differs = ""
    if not both.empty:
        gap = (both["published"] - both["attendance_rate"]).abs()
        differs = (
            f" Their all-students figure differs from the attendance file's state row by {gap.min():.1f} to "
            f"{gap.max():.1f} points in the years both cover ({int(both['calendar_year'].min())}-"
            f"{int(both['calendar_year'].max())}): a separate publication, so compare within this chart rather "
            "than with the series above."
        )
    st.caption(
        "The department's own statewide tables (marts.fct__statewide_attendance_by_level and _by_remoteness): all "
        "students 2006-2017, Aboriginal students 2006-2017 by level and 2015-2017 by remoteness." + differs
    )


st.title("Attendance")
st.markdown(
    "How often students in NSW public schools attend: the **semester-1 attendance rate**, the share of school days "
    "in the first half of the year that students attended, published by the NSW Department of Education for every "
    "school since 2011."
)
series = attendance_series()
headline(series)
three_ways(series)
distribution([int(y) for y in series.dropna(subset=["weighted"])["calendar_year"]], series)
gaps(series)
statuses()
as_published(series)
