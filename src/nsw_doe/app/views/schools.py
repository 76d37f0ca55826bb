"""Find a school: search and filter the current government schools, see them on a map and in a table, and open a
school's profile. The filters live in the URL, so a filtered view can be shared."""

import pandas as pd
import streamlit as st

from nsw_doe.app import compare_content as compare
from nsw_doe.app import layout, maps, places
from nsw_doe.app.data import query, scalar

# URL query parameter -> (dim__school column, label). Only these column names ever reach the SQL text.
FILTERS = {
    "lga": ("lga", "Local government area"),
    "remoteness": ("asgs_remoteness", "Remoteness"),
    "level": ("level_of_schooling", "Level of schooling"),
    "directorate": ("operational_directorate", "Operational directorate"),
    "selective": ("selective_school", "Selective"),
}
SEARCH = "q"
PROFILE = "views/school.py"
LISTED = 25  # matches listed before the reader asks for all of them

SCHOOLS_SQL = """
with latest_year as (
    select max(calendar_year) as calendar_year from marts.fct__enrolment
)
select
    d.school_code,
    d.school_name,
    d.town_suburb,
    d.postcode,
    d.level_of_schooling,
    d.lga,
    d.asgs_remoteness,
    d.operational_directorate,
    d.selective_school,
    d.icsea_value,
    e.headcount,
    e.headcount_status,
    d.latitude,
    d.longitude
from marts.dim__school as d
inner join reporting.rpt__school_search as s on d.school_code = s.school_code
cross join latest_year
left join marts.fct__enrolment as e
    on e.school_code = d.school_code and e.calendar_year = latest_year.calendar_year
where {conditions}
order by d.school_name, d.school_code
"""

OPTIONS_SQL = """
select
    {lists}
from marts.dim__school
where is_current
"""


def matching_schools(search: str, chosen: dict[str, list[str]]) -> pd.DataFrame:
    """The current schools whose name, suburb, LGA, postcode or code holds every word of `search` (in any order, a
    word matching the start of a word: reporting.rpt__school_search) and whose filtered columns take one of the
    chosen values, with their latest headcount."""
    conditions, params = ["d.is_current"], []
    for word in places.normalise(search).split():
        # the words hold only letters, digits and spaces (normalise), so none is read as a pattern
        conditions.append("regexp_matches(s.search_text, '(^| )' || ?)")
        params.append(word)
    for parameter, values in chosen.items():
        if values:
            conditions.append(f"list_contains(?::varchar[], d.{FILTERS[parameter][0]})")
            params.append(values)
    return query(SCHOOLS_SQL.format(conditions="\n    and ".join(conditions)), *params)


def filter_options() -> dict[str, list[str]]:
    lists = ",\n    ".join(
        f"list_sort(list(distinct {column})) as {parameter}" for parameter, (column, _) in FILTERS.items()
    )
    row = query(OPTIONS_SQL.format(lists=lists)).iloc[0]
    return {parameter: list(row[parameter]) for parameter in FILTERS}


def _state_key(parameter: str) -> str:
    return f"schools_{parameter}"


def filter_widgets(options: dict[str, list[str]]) -> tuple[str, dict[str, list[str]]]:
    """The search box and filters, first filled from the URL, and the URL kept in step with them."""
    if _state_key(SEARCH) not in st.session_state:
        st.session_state[_state_key(SEARCH)] = st.query_params.get(SEARCH, "")
    for parameter in FILTERS:
        if _state_key(parameter) not in st.session_state:
            in_url = st.query_params.get_all(parameter)
            st.session_state[_state_key(parameter)] = [v for v in in_url if v in options[parameter]]
    search = st.text_input(
        "Search by school name, suburb, council area (LGA), postcode or code",
        key=_state_key(SEARCH),
        placeholder="e.g. Abbotsford, Parramatta North, Dubbo or 2770",
    ).strip()
    # The filters are drawn only when asked for (or set in the URL): five multiselects of every LGA, directorate, ...
    # take a third of a second to draw, and a phone then shows results right under the search box.
    if _state_key("filters") not in st.session_state:
        st.session_state[_state_key("filters")] = any(st.session_state[_state_key(p)] for p in FILTERS)
    chosen = {parameter: [] for parameter in FILTERS}
    if st.toggle("Filter by council area, remoteness, level, directorate or selective", key=_state_key("filters")):
        for column, (parameter, (_, label)) in zip(st.columns(len(FILTERS)), FILTERS.items(), strict=True):
            chosen[parameter] = column.multiselect(
                label, options[parameter], key=_state_key(parameter), placeholder="All"
            )
    st.query_params.from_dict({k: v for k, v in {SEARCH: search, **chosen}.items() if v})
    return search, chosen


def map_frame(schools: pd.DataFrame) -> pd.DataFrame:
    """The matching schools as map points: coloured by level, area by headcount, with tooltip text."""
    return schools.assign(
        colour=maps.colours(schools["level_of_schooling"], maps.LEVEL_COLOURS),
        radius=maps.sqrt_radius(schools["headcount"]),
        students=schools["headcount"].map(layout.count),
        icsea=schools["icsea_value"].map(lambda value: layout.MISSING if layout.is_missing(value) else f"{value:.0f}"),
    )[
        [
            "school_code",
            "school_name",
            "town_suburb",
            "postcode",
            "level_of_schooling",
            "students",
            "icsea",
            "latitude",
            "longitude",
            "colour",
            "radius",
        ]
    ]


TOOLTIP = (
    "<b>{school_name}</b><br/>{town_suburb} {postcode}<br/>{level_of_schooling}<br/>"
    "Students (headcount): {students}<br/>ICSEA: {icsea}"
)


def show_map(schools: pd.DataFrame, year: int) -> None:
    with_coordinates = schools[schools["latitude"].notna() & schools["longitude"].notna()]
    deck = maps.points_deck(map_frame(with_coordinates), TOOLTIP)
    event = maps.show(deck, key="schools_map", on_select=True)
    maps.legend(maps.LEVEL_COLOURS, with_coordinates["level_of_schooling"], "level of schooling")
    st.caption(
        f"Each dot is a school, coloured by level of schooling; its area grows with its {year} headcount (schools "
        "without a published headcount are the smallest dots). Hover for details, click a dot to open the school's "
        "profile. Lord Howe Island Central School is on the map too, 600 km east of the coast: zoom out to see it."
    )
    if missing := len(schools) - len(with_coordinates):
        st.caption(f"{missing} matching schools have no coordinates and are not on the map.")
    picked = (event.selection.objects or {}).get("schools") if event else None
    if picked:
        st.switch_page(PROFILE, query_params={"school": str(picked[0]["school_code"])})


def results_frame(schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every match with every column people filter or sort on: the sortable table, and the CSV download."""
    return pd.DataFrame(
        {
            "School": schools["school_name"],
            "Suburb": schools["town_suburb"],
            "Level": schools["level_of_schooling"],
            f"Students {year}": schools["headcount"],
            "Profile": schools["school_code"].map(layout.school_url),
            "Code": schools["school_code"],
            "Postcode": schools["postcode"],
            "LGA": schools["lga"],
            "Remoteness": schools["asgs_remoteness"],
            "Directorate": schools["operational_directorate"],
            "Selective": schools["selective_school"],
            "ICSEA": schools["icsea_value"],
        }
    )


def show_list(schools: pd.DataFrame, year: int) -> None:
    """The first LISTED matches as a plain table (names link to profiles); every match, every column, sortable, on
    request: st.dataframe's canvas grid is the slowest thing a page draws, so the first view does without it."""
    listed = schools.head(LISTED)
    students = f"Students {year}"
    # Three columns, the suburb beside the name, so that the list fits a phone's width.
    names = layout.school_links(listed["school_name"], listed["school_code"])
    suburbs = listed["town_suburb"].fillna("suburb unknown")
    layout.static_table(
        pd.DataFrame(
            {
                "School, suburb": [f"{name}, {suburb}" for name, suburb in zip(names, suburbs, strict=True)],
                "Level": listed["level_of_schooling"],
                students: listed["headcount"],
            }
        ),
        "Matching government schools",
        formats={students: "{:,.0f}"},
        data=results_frame(schools, year),
    )
    listed_note = f"The first {LISTED} of {len(schools):,}, by name. " if len(schools) > LISTED else ""
    st.caption(
        f"{listed_note}Students: the {year} headcount from the enrolment file; {layout.MISSING} where it was "
        "suppressed (small numbers) or the school has no row that year. The download holds every match."
    )
    if st.toggle(f"Every column, sortable, for all {len(schools):,} matching schools", key="schools_grid"):
        show_grid(results_frame(schools, year), year)


def show_grid(results: pd.DataFrame, year: int) -> None:
    event = st.dataframe(
        results,
        hide_index=True,
        width="stretch",
        key="schools_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Code": st.column_config.NumberColumn(format="%d"),
            "ICSEA": st.column_config.NumberColumn(format="%d"),
            f"Students {year}": st.column_config.NumberColumn(format="localized"),
            "Profile": layout.school_link_column(),
        },
    )
    st.caption(
        "Sort by any column (click its name). Select a row (the box on its left) to open the school's profile here, "
        "or use its link to open it in a new tab. ICSEA: Index of Community Socio-Educational Advantage (1000 is the "
        "national average; higher means more advantaged)."
    )
    if event.selection.rows:
        st.switch_page(PROFILE, query_params={"school": str(results["Code"].iloc[event.selection.rows[0]])})


st.title("Find a school")
st.markdown(
    "Every NSW government school open today, as the latest NSW public schools master dataset lists it. Search by "
    "name, suburb, council area, postcode or code (the words in any order), narrow the list with the filters, "
    "then open a school's profile for its history, enrolments, attendance and neighbours. The address bar keeps "
    "your search, so you can share it. Which schools are for your address: "
    "[schools for where I live](near)."
)
search, chosen = filter_widgets(filter_options())
schools = matching_schools(search, chosen)
year = int(scalar("select max(calendar_year) from marts.fct__enrolment"))

matched, students = st.columns(2)
matched.metric("Matching schools", layout.count(len(schools)))
students.metric(f"Students at them ({year} headcount)", layout.count(schools["headcount"].sum()))
if schools.empty:
    st.info("No current school matches. Try a shorter search or fewer filters.", icon=":material/search_off:")
    st.stop()
suppressed = int(schools["headcount"].isna().sum())
if suppressed:
    st.caption(
        f"The student total leaves out {suppressed} of these schools: their {year} headcount was suppressed or not "
        "published (suppressed counts are missing, never counted as zero)."
    )
if 2 <= len(schools) <= compare.LIMIT:
    codes = compare.codes_text(schools["school_code"].tolist())
    st.page_link(
        "views/compare.py",
        label=f"Compare these {len(schools)} schools side by side",
        icon=":material/compare_arrows:",
        query_params={compare.PARAMETER: codes},
    )
show_map(schools, year)
show_list(schools, year)
