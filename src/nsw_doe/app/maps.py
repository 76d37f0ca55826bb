"""Maps of schools: one pydeck builder for every page (points over an outline of NSW), its colours and legend, and
the basemap setting.

By default (or `NSW_DOE_BASEMAP=off`) the map draws no basemap and the page makes no request outside the app's own
server; `NSW_DOE_BASEMAP=on` opts in to a basemap fetched from the internet. Streamlit's map
component fetches its default Carto style from a CDN whenever a deck has no `mapStyle`, even when `map_style=None`
is passed (its frontend fills in positron or dark-matter by theme): only pydeck's own default-style sentinel
`__MAP_STYLE__`, sent with no map provider, makes it draw no basemap at all. With the basemap on, the map uses Carto's
light positron style, which needs the internet; offline the style request fails and the points
and the outline still draw. The outline of the state ships with the app (nsw_outline.json: Natural Earth, public
domain), so the points read as NSW without any basemap.
"""

from __future__ import annotations

import json
import math
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st

BASEMAP_SETTING = "NSW_DOE_BASEMAP"
LIGHT_BASEMAP = pdk.map_styles.CARTO_LIGHT
NO_BASEMAP = "__MAP_STYLE__"  # pydeck's default-style sentinel: Streamlit's frontend then draws no basemap

# Mainland NSW (the view is fitted to these bounds, so that Lord Howe and Norfolk Island do not shrink the state).
MAINLAND_LATITUDE = (-37.51, -28.15)
MAINLAND_LONGITUDE = (140.99, 153.64)
HEIGHT = 520  # pixels
ASSUMED_WIDTH = 360  # pixels: a phone's map (390 px screen); the first view fits the bounds within it, so a phone
# shows the whole of them and a desktop shows them with room around
MAX_ZOOM = 13.0

# Okabe-Ito colours (safe for colour-blind readers), one per level of schooling and per non-government sector.
LEVEL_COLOURS = {
    "Primary School": "#0072B2",
    "Secondary School": "#D55E00",
    "Central/Community School": "#009E73",
    "Schools for Specific Purposes": "#CC79A7",
    "Environmental Education Centre": "#E69F00",
    "Infants School": "#56B4E9",
    "Other School": "#666666",
}
SECTOR_COLOURS = {"Catholic": "#5E3C99", "Independent": "#E66101"}
OTHER_COLOUR = "#999999"
OUTLINE_FILL = [236, 240, 244]
OUTLINE_LINE = [120, 130, 140]


def basemap_on() -> bool:
    """Whether to draw the light basemap: only when NSW_DOE_BASEMAP asks for it (on/true/1/yes). Off by default, so
    that a reader's browser asks nothing of another host unless whoever runs the app chose so."""
    return os.environ.get(BASEMAP_SETTING, "off").strip().lower() in {"on", "true", "1", "yes"}


@cache
def nsw_outline() -> list[list[list[float]]]:
    """The rings of mainland NSW's polygon (outer boundary, then the ACT as a hole), as [longitude, latitude]."""
    return json.loads(Path(__file__).with_name("nsw_outline.json").read_text())["rings"]


def hex_rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


def colours(values: pd.Series, palette: dict[str, str]) -> pd.Series:
    """The [r, g, b, a] colour of each value (grey for a value the palette lacks)."""
    return values.map(lambda value: [*hex_rgb(palette.get(value, OTHER_COLOUR)), 220])


def sqrt_radius(size: pd.Series, smallest: float = 2.0, scale: float = 0.2) -> pd.Series:
    """Point radii in pixels whose area grows with size (a missing size draws the smallest point)."""
    return smallest + scale * pd.to_numeric(size, errors="coerce").fillna(0).clip(lower=0) ** 0.5


def legend_text(palette: dict[str, str], values: pd.Series, coloured_by: str) -> str:
    """The map's legend, which is also its text alternative (a canvas has none): how many schools it draws and how
    many of each colour, in the palette's order (values the palette lacks, drawn grey, count only in the total). The
    coloured dots are hidden from screen readers: the words say it all."""
    counts = values.value_counts()
    dot = '<span style="color:{};font-size:1.3em" aria-hidden="true">&#9679;</span>'
    items = [
        f"{dot.format(colour)}&nbsp;{value} ({counts[value]:,})" for value, colour in palette.items() if value in counts
    ]
    total = f"{len(values):,} school{'' if len(values) == 1 else 's'}"
    return f"The map draws {total}, coloured by {coloured_by}:&emsp;" + "&emsp;".join(items)


def legend(palette: dict[str, str], values: pd.Series, coloured_by: str) -> None:
    """The map's legend and text summary (see legend_text), shown under it."""
    st.markdown(legend_text(palette, values, coloured_by), unsafe_allow_html=True)


def _mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def fit_view(latitudes: pd.Series, longitudes: pd.Series, width: int = ASSUMED_WIDTH) -> pdk.ViewState:
    """The view that fits the points when they lie close together (a search, a school's neighbours), and all of
    mainland NSW when there are none or they spread over more than half of it either way (so the whole state's
    view is never shrunk by the schools on Lord Howe and Norfolk Island)."""
    (south, north), (west, east) = MAINLAND_LATITUDE, MAINLAND_LONGITUDE
    lat, lon = latitudes.dropna(), longitudes.dropna()
    if len(lat) and lat.max() - lat.min() <= (north - south) / 2 and lon.max() - lon.min() <= (east - west) / 2:
        south, north, west, east = lat.min(), lat.max(), lon.min(), lon.max()
    top, bottom = _mercator_y(north), _mercator_y(south)
    # deck.gl's Web Mercator: at zoom z the world is 512 * 2^z pixels wide (360 degrees, 2 pi in projected units).
    zoom_x = math.log2(width * 360 / (512 * max(east - west, 1e-6)))
    zoom_y = math.log2(HEIGHT * 2 * math.pi / (512 * max(top - bottom, 1e-6)))
    latitude = math.degrees(2 * math.atan(math.exp((top + bottom) / 2)) - math.pi / 2)
    return pdk.ViewState(
        latitude=latitude, longitude=(west + east) / 2, zoom=round(min(zoom_x, zoom_y, MAX_ZOOM) - 0.3, 2)
    )


def outline_layer() -> pdk.Layer:
    """Mainland NSW: filled when there is no basemap (so the points read as NSW), its boundary drawn either way."""
    basemap = basemap_on()
    return pdk.Layer(
        "PolygonLayer",
        id="nsw_outline",
        data=[{"polygon": nsw_outline()}],
        get_polygon="polygon",
        filled=not basemap,
        get_fill_color=OUTLINE_FILL,
        stroked=True,
        get_line_color=OUTLINE_LINE,
        line_width_min_pixels=1,
        pickable=False,
    )


def points_layer(frame: pd.DataFrame, layer_id: str = "schools") -> pdk.Layer:
    """`frame`'s points (latitude, longitude, colour [r, g, b, a], radius in pixels), pickable."""
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=frame,
        get_position="[longitude, latitude]",
        get_fill_color="colour",
        get_radius="radius",
        radius_units='"pixels"',  # quoted: pydeck reads a bare string as an accessor expression
        stroked=True,
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.5,
        pickable=True,
        auto_highlight=True,
    )


def deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip_html: str) -> pdk.Deck:
    """The layers over the outline of NSW (and the basemap, when the setting asks for one)."""
    basemap = basemap_on()
    return pdk.Deck(
        layers=[outline_layer(), *layers],
        initial_view_state=view,
        map_provider="carto" if basemap else None,
        map_style=LIGHT_BASEMAP if basemap else NO_BASEMAP,
        tooltip={"html": tooltip_html, "style": {"fontSize": "0.85em"}},
    )


def points_deck(
    frame: pd.DataFrame, tooltip_html: str, layer_id: str = "schools", width: int = ASSUMED_WIDTH
) -> pdk.Deck:
    """A map of `frame`'s points (columns latitude, longitude, colour [r, g, b, a], radius in pixels, and the fields
    `tooltip_html` names in braces) over the outline of NSW, its first view fitted (see fit_view) for a map about
    `width` pixels wide."""
    view = fit_view(frame["latitude"], frame["longitude"], width)
    return deck([points_layer(frame, layer_id)], view, tooltip_html)


def show(deck: pdk.Deck, key: str, on_select: bool = False):
    """Draw the deck (HEIGHT pixels high, full width); with on_select, clicking a point reruns the page and the
    return value's selection holds it."""
    return st.pydeck_chart(
        deck,
        height=HEIGHT,
        width="stretch",
        key=key,
        on_select="rerun" if on_select else "ignore",
        selection_mode="single-object",
    )
