"""Non-government schools: the department's 2017 list of Catholic and independent school locations on the map, their
counts by sector, level and remoteness, and ACARA's 2023 school profiles (ICSEA, enrolments, staff) when the
licensed ACARA workbooks were supplied to the build."""

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout, maps
from nsw_doe.app.data import query

# The 2017 list spells remoteness as ABS does ("Major Cities of Australia"), ACARA's locations without the
# suffix ("Major Cities"); the dimension holds both, so the page groups them under one name.
REMOTENESS = "regexp_replace(remoteness, '( of)? Australia$', '')"
REMOTENESS_ORDER = ["Major Cities", "Inner Regional", "Outer Regional", "Remote", "Very Remote"]
SECTOR_COLOURS = {"Government": "#0072B2", **maps.SECTOR_COLOURS}  # ACARA profiles: all three sectors

SCHOOLS_SQL = f"""
select
    school_age_id,
    school_name,
    sector,
    suburb,
    postcode,
    level_of_schooling,
    lga,
    {REMOTENESS} as remoteness,
    latitude,
    longitude
from marts.dim__non_government_school
where in_2017_list
order by school_name, school_age_id
"""
PROFILE_SQL = """
select
    school_sector as sector,
    school_type,
    count(*) as schools,
    sum(total_enrolments) as students,
    sum(teaching_staff_fte) as teaching_staff_fte,
    sum(non_teaching_staff_fte) as non_teaching_staff_fte,
    sum(enrolments_fte) filter (teaching_staff_fte > 0) / sum(teaching_staff_fte) filter (enrolments_fte > 0)
        as students_per_teacher,
    median(icsea) as median_icsea,
    count(icsea) as schools_with_icsea
from marts.fct__school_profile
group by grouping sets ((school_sector, school_type), (school_sector))
order by school_sector != 'Government', school_sector, school_type nulls first
"""
ICSEA_SQL = """
select school_sector as sector, school_type, school_name, icsea
from marts.fct__school_profile
where icsea is not null
"""
TOOLTIP = "<b>{school_name}</b><br/>{suburb} {postcode}<br/>{sector}, {level_of_schooling}<br/>{remoteness}"


def show_map(schools: pd.DataFrame) -> None:
    located = schools[schools["latitude"].notna() & schools["longitude"].notna()]
    points = located.assign(
        colour=maps.colours(located["sector"], maps.SECTOR_COLOURS),
        radius=4.0,
    )
    maps.show(maps.points_deck(points, TOOLTIP, layer_id="non_government_schools"), key="non_government_map")
    maps.legend(maps.SECTOR_COLOURS, located["sector"], "sector")
    missing = len(schools) - len(located)
    st.caption(
        "Each dot is a school in the 2017 list, coloured by sector. Hover for its name, suburb and level."
        + (f" {missing} schools have no coordinates and are not on the map." if missing else "")
    )


def count_chart(schools: pd.DataFrame, column: str, title: str, label: str, order: list[str] | None = None) -> None:
    """Schools by `column` and sector: a stacked bar chart and, for download, the counts."""
    counts = schools.groupby([column, "sector"], as_index=False).size().rename(columns={"size": "schools"})
    figure = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            alt.Y(f"{column}:N", title=label, sort=order or "-x"),
            alt.X("schools:Q", title="Schools", stack=True),
            alt.Color(
                "sector:N",
                title="Sector",
                scale=alt.Scale(domain=list(maps.SECTOR_COLOURS), range=list(maps.SECTOR_COLOURS.values())),
            ),
            tooltip=[column, "sector", alt.Tooltip("schools:Q", title="Schools")],
        )
    )
    layout.chart(figure, counts, title)


def show_counts(schools: pd.DataFrame) -> None:
    total, *by_sector = st.columns(1 + len(maps.SECTOR_COLOURS))
    total.metric("Non-government schools (2017 list)", layout.count(len(schools)))
    for column, sector in zip(by_sector, maps.SECTOR_COLOURS, strict=True):
        column.metric(sector, layout.count((schools["sector"] == sector).sum()))
    level, remoteness = st.columns(2)
    with level:
        count_chart(schools, "level_of_schooling", "Schools by level and sector", "Level of schooling")
    with remoteness:
        count_chart(schools, "remoteness", "Schools by remoteness and sector", "Remoteness", REMOTENESS_ORDER)
    st.caption(
        "Level: as the 2017 list gives it (combined schools teach both primary and secondary years; special schools "
        "serve students with disability). Remoteness: the ABS remoteness area of the school's location; the list "
        "spells some areas with and some without the words 'of Australia', grouped here under one name."
    )


def show_profiles() -> None:
    st.header("ACARA school profiles, 2023")
    profiles = query(PROFILE_SQL)
    if profiles.empty:
        st.info(
            "ACARA's 2023 school profiles were not supplied to this build, so there are no ICSEA, enrolment or staff "
            "figures for non-government schools. ACARA's workbooks are licensed under its Data Access Program terms "
            "(not CC BY), so the project never copies them: if you have `School Profile 2023.xlsx` and `School "
            "Location 2023.xlsx`, put them in a directory, set `NSW_DOE_ACARA_DIR` to it and build again "
            "(`NSW_DOE_ACARA_DIR=/path/to/acara make run`; see the README).",
            icon=":material/info:",
        )
        return
    st.markdown(
        "ACARA (the Australian Curriculum, Assessment and Reporting Authority) publishes a profile of every school "
        "in every sector. Government schools are shown beside the non-government sectors for comparison."
    )
    totals = profiles[profiles["school_type"].isna()]
    columns = st.columns(len(totals))
    for column, row in zip(columns, totals.itertuples(index=False), strict=True):
        column.metric(f"{row.sector}: students", layout.count(row.students))
        column.caption(
            f"{layout.count(row.schools)} schools · {layout.rate(row.students_per_teacher, '')} students per "
            f"teacher (FTE) · median ICSEA {row.median_icsea:.0f}"
        )
    icsea = query(ICSEA_SQL)
    figure = (
        alt.Chart(icsea)
        .mark_boxplot(extent="min-max", size=28)
        .encode(
            alt.X(
                "icsea:Q",
                title="ICSEA (1000 = national average)",
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format="d"),
            ),
            alt.Y("sector:N", title="Sector", sort=list(SECTOR_COLOURS)),
            alt.Color(
                "sector:N",
                legend=None,
                scale=alt.Scale(domain=list(SECTOR_COLOURS), range=list(SECTOR_COLOURS.values())),
            ),
        )
        .properties(height=260)
    )
    layout.chart(figure, icsea, "ICSEA of NSW schools by sector, 2023")
    table = profiles.assign(school_type=profiles["school_type"].fillna("All types")).rename(
        columns={
            "sector": "Sector",
            "school_type": "Type",
            "schools": "Schools",
            "students": "Students",
            "teaching_staff_fte": "Teaching staff (FTE)",
            "non_teaching_staff_fte": "Non-teaching staff (FTE)",
            "students_per_teacher": "Students per teacher (FTE)",
            "median_icsea": "Median ICSEA",
            "schools_with_icsea": "Schools with an ICSEA",
        }
    )
    layout.table(
        table,
        "ACARA school profiles 2023 by sector and type",
        height="content",
        column_config={
            "Schools": st.column_config.NumberColumn(format="localized"),
            "Students": st.column_config.NumberColumn(format="localized"),
            "Teaching staff (FTE)": st.column_config.NumberColumn(format="%.1f"),
            "Non-teaching staff (FTE)": st.column_config.NumberColumn(format="%.1f"),
            "Students per teacher (FTE)": st.column_config.NumberColumn(format="%.1f"),
            "Median ICSEA": st.column_config.NumberColumn(format="%d"),
        },
    )
    st.caption(
        "Students: total enrolments (headcount) in ACARA's profile. Students per teacher: FTE enrolments divided by "
        "FTE teaching staff, over the schools that report both. ICSEA: Index of Community Socio-Educational "
        "Advantage, from the families of the school's students; ACARA publishes none for some small or special "
        "schools. The box spans the middle half of schools, the line is the median, the whiskers reach the lowest "
        "and highest. Source: ACARA, School Profile 2023, via the ACARA Data Access Program, used under its terms "
        "(not CC BY, not redistributed by this project)."
    )


st.title("Non-government schools")
st.markdown(
    "Besides its government schools, NSW has about a thousand non-government schools: Catholic (mostly systemic, run "
    "by a diocese) and independent. The department's list of their locations dates from 2017; schools opened or "
    "closed since are not in it."
)
schools = query(SCHOOLS_SQL)
show_counts(schools)
show_map(schools)
show_profiles()
st.caption(
    "Locations: NSW Department of Education, NSW non-government school locations and descriptions (2017), via "
    "Data.NSW, CC BY 4.0."
)
