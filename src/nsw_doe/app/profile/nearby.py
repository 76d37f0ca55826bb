"""The nearest government schools open today, by great-circle distance between the school lists' coordinates."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query

EARTH_RADIUS_KM = 6371.0088  # mean radius
NEARBY = 8
OPEN_SCHOOLS_SQL = """
select school_code, school_name, town_suburb, level_of_schooling, latitude, longitude
from reporting.rpt__school_current
where is_current and latitude is not null and longitude is not null
order by school_code
"""


def great_circle_km(latitude, longitude, latitudes, longitudes) -> np.ndarray:
    """Haversine distances in km from one point to each of many (decimal degrees)."""
    lat0, lon0, lat, lon = (
        np.radians(np.asarray(v, dtype=float)) for v in (latitude, longitude, latitudes, longitudes)
    )
    h = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def nearest(here: pd.Series, schools: pd.DataFrame, n: int = NEARBY) -> pd.DataFrame:
    """The `n` schools of `schools` nearest to `here` (not `here` itself), nearest first, ties by school code, with
    their distance_km."""
    others = schools[schools["school_code"] != here["school_code"]]
    km = great_circle_km(here["latitude"], here["longitude"], others["latitude"], others["longitude"])
    found = others.assign(distance_km=km).sort_values(["distance_km", "school_code"], kind="stable").head(n)
    return found.reset_index(drop=True)


def nearby_map(points: pd.DataFrame) -> alt.LayerChart:
    """The school and its neighbours, named, on a Mercator map. A Vega chart rather than a pydeck map: a few points
    need no pan or zoom, and WebGL (which a pydeck map starts) costs a second on machines drawing without a GPU."""
    roles = alt.Scale(domain=["This school", "Nearby"], range=["#D55E00", "#0072B2"])
    base = alt.Chart(points).encode(longitude="longitude:Q", latitude="latitude:Q")
    dots = base.mark_circle(opacity=0.9, stroke="white").encode(
        color=alt.Color("role:N", scale=roles, legend=None),
        size=alt.Size("role:N", scale=alt.Scale(domain=roles.domain, range=[300, 230]), legend=None),
        tooltip=[
            alt.Tooltip("school_name:N", title="School"),
            alt.Tooltip("town_suburb:N", title="Suburb"),
            alt.Tooltip("level_of_schooling:N", title="Level"),
            alt.Tooltip("distance:N", title="Distance"),
        ],
    )
    # Numbers, not names: names of schools a few hundred metres apart overlap; the table lists them by number.
    labels = base.mark_text(fontSize=11, fontWeight="bold", color="white").encode(text="number:N")
    return (dots + labels).project(type="mercator").properties(height=420)


def show(now: pd.Series) -> None:
    st.header("Nearest schools")
    if layout.is_missing(now["latitude"]) or layout.is_missing(now["longitude"]):
        st.caption("This school has no coordinates in the school list, so no distances.")
        return
    nearby = nearest(now, query(OPEN_SCHOOLS_SQL))
    table = pd.DataFrame(
        {
            "No.": range(1, len(nearby) + 1),
            "School": layout.school_links(nearby["school_name"], nearby["school_code"]),
            "Suburb": nearby["town_suburb"],
            "Level": nearby["level_of_schooling"],
            "Distance (km)": nearby["distance_km"].round(1),
        }
    )
    here = pd.DataFrame([now])[
        ["school_code", "school_name", "town_suburb", "level_of_schooling", "latitude", "longitude"]
    ]
    points = pd.concat([here.assign(role="This school"), nearby.assign(role="Nearby")], ignore_index=True)
    points = points.assign(
        distance=points["distance_km"].map(lambda km: "" if layout.is_missing(km) else f"{km:,.1f} km away"),
        number=["", *(str(n) for n in range(1, len(nearby) + 1))],
    ).drop(columns=["distance_km"])
    map_column, table_column = st.columns([2, 3])
    with map_column:
        layout.chart(nearby_map(points), points, f"School {int(now['school_code'])} and its nearest schools")
    with table_column:
        layout.static_table(
            table, f"Nearest schools to school {int(now['school_code'])}", formats={"Distance (km)": "{:.1f}"}
        )
    st.caption(
        f"On the map, orange is this school and blue its {NEARBY} nearest government schools open today, numbered as "
        "in the table, by "
        "straight-line (great-circle) distance between the coordinates in the school list: not travel distance, and "
        "not the school's enrolment area."
    )
