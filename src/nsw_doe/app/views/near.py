"""Schools for where I live (`/near?place=<suburb or postcode>` or `/near?lat=<latitude>&lon=<longitude>`): the
government schools whose intake zone holds the point, then the nearest schools by straight-line distance, with the
zones drawn on the map. The address bar keeps the place, so the answer can be shared."""

import pandas as pd
import streamlit as st

from nsw_doe.app import layout, maps, near_results, places
from nsw_doe.app.data import query, zone_index

PROFILE = "views/school.py"
NEAREST = 10
APPLIED_PICK = "near_applied_pick"  # the map's selection last turned into the point
ZONES_SQL = """
select
    zone.intake_zone_sk, zone.school_code, zone.school_name, zone.zone_level, zone.zone_status,
    zone.year_levels_label, zone.takes_effect_year, zone.is_school_listed, zone.geometry,
    school.latitude, school.longitude
from marts.dim__intake_zone as zone
left join reporting.rpt__school_current as school on zone.school_code = school.school_code
where zone.school_code != -1
order by zone.zone_level, zone.zone_status, zone.school_name
"""
PLACES_SQL = """
select place_name, place_kind, search_text, latitude, longitude, schools_located_by, spread_km
from reporting.rpt__place
"""
SCHOOLS_SQL = """
select school_code, school_name, town_suburb, level_of_schooling, latest_headcount, latest_headcount_year,
    latitude, longitude
from reporting.rpt__school_current
where is_current and latitude is not null and longitude is not null
"""


def the_point() -> tuple[float, float, str] | None:
    """The point the URL or the search box names, and how to describe it; None when there is none yet."""
    if "lat" in st.query_params and "lon" in st.query_params:
        typed = f"{st.query_params['lat']}, {st.query_params['lon']}"
        point = places.coordinates(typed)
        if point:
            return *point, f"the point {point[0]:.5f}, {point[1]:.5f}"
        st.error(f'"{typed}" is not a point in NSW (latitude, then longitude).', icon=":material/error:")
    text = st.text_input(
        "Your suburb or postcode, or a point as latitude, longitude",
        value=st.query_params.get("place", ""),
        placeholder="e.g. Parramatta, 2150 or -33.8150, 151.0011",
    ).strip()
    if not text:
        return None
    if point := places.coordinates(text):
        st.query_params.from_dict({"lat": f"{point[0]:.5f}", "lon": f"{point[1]:.5f}"})
        return *point, f"the point {point[0]:.5f}, {point[1]:.5f}"
    found = places.matching_places(query(PLACES_SQL), text)
    if found.empty:
        st.info(f'No suburb or postcode with a school matches "{text}". Try a postcode, a nearby town or a point '
                "(latitude, longitude).", icon=":material/search_off:")  # fmt: skip
        return None
    st.query_params.from_dict({"place": text})
    chosen = found.iloc[0]
    if len(found) > 1:
        index = st.selectbox("Which place?", range(len(found)), format_func=lambda i: found.at[i, "place_name"])
        chosen = found.iloc[index]
    st.caption(near_results.place_note(chosen))
    return chosen["latitude"], chosen["longitude"], str(chosen["place_name"])


def show_zones(zones: pd.DataFrame, where: str) -> None:
    st.header("Your intake-zone schools")
    current = zones[zones["zone_status"] == "current"]
    if current.empty:
        st.info(f"No intake zone holds {where}: it may be outside every local zone (some rural and special "
                "schools have none) or between boundaries.", icon=":material/info:")  # fmt: skip
    for level in ("primary", "secondary"):
        chosen = current[current["zone_level"] == level]
        if not chosen.empty:
            st.markdown(
                f"**{level.title()}:** " + "; ".join(near_results.zone_sentence(z) for _, z in chosen.iterrows())
            )
    future = zones[zones["zone_status"] == "future"]
    if not future.empty:
        st.markdown("**Announced zones:** " + "; ".join(near_results.zone_sentence(z) for _, z in future.iterrows()))
    st.caption(
        "Intake zones as the department publishes them (c. April 2026), drawn from a converted copy of its files "
        "(accurate to a few metres). Where you live near a boundary, or for enrolment decisions, ask the school or "
        "use the department's School Finder. Selective and specialist schools take students from outside zones."
    )


def show_nearest(nearest: pd.DataFrame) -> None:
    st.header("Nearest government schools")
    year = nearest["latest_headcount_year"].max()
    table = pd.DataFrame(
        {
            "#": range(1, len(nearest) + 1),
            "School": nearest["school_name"],
            "Km": nearest["distance_km"].round(1),
            "Level": nearest["level_of_schooling"],
            f"Students {year}": nearest["latest_headcount"].map(layout.count),
            "Profile": nearest["school_code"].map(layout.school_url),
        }
    )
    layout.table(
        table,
        "Nearest government schools",
        height="content",
        column_config={
            "Km": st.column_config.NumberColumn(format="%.1f", width="small"),
            "Profile": layout.school_link_column(),
        },
    )
    st.caption(f"Straight-line (great-circle) distance, not travel distance. Students: the {year} headcount.")


st.title("Schools for where I live")
st.markdown(
    "Type your suburb or postcode to see the government schools whose intake zone holds it (a student living in a "
    "school's zone is entitled to a place there), and the nearest schools."
)
point = the_point()
if point is None:
    st.stop()
latitude, longitude, where = point
zones = zone_index(ZONES_SQL).containing(longitude, latitude)
zones = near_results.with_distance(zones, latitude, longitude).sort_values(["zone_status", "zone_level"])
nearest = near_results.with_distance(query(SCHOOLS_SQL), latitude, longitude).head(NEAREST).reset_index(drop=True)
show_zones(zones, where)
deck, spacing = near_results.near_deck(latitude, longitude, zones, nearest)
event = maps.show(deck, key="near_map", on_select=True)
pick_radius = near_results.PICK_RADIUS_SHARE * spacing
st.caption(
    "The black dot is the point; the shaded areas its intake zones (blue primary, orange secondary, lighter for "
    "announced ones); the numbered dots the nearest schools, as in the table. Click a school to move the point there, "
    f"or anywhere else on the map to move it to a point of a grid there (within about {pick_radius:,.0f} m of the "
    "click: the map reports clicks on what it draws, not on places)."
)
objects = (event.selection.objects or {}) if event else {}
if picked := objects.get("nearest") or objects.get("pick"):
    # The map keeps its last selection on every later run (a typed place too): a pick moves the point once.
    pick = f"{picked[0]['latitude']:.5f}", f"{picked[0]['longitude']:.5f}"
    if st.session_state.get(APPLIED_PICK) != pick:
        st.session_state[APPLIED_PICK] = pick
        st.query_params.from_dict({"lat": pick[0], "lon": pick[1]})
        st.rerun()
show_nearest(nearest)
