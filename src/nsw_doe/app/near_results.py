"""The schools for a point: the intake zones that hold it and the nearest schools, as the /near page lays them out.
Pure functions of frames (the page queries the warehouse and looks the point up)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from nsw_doe.app import layout, maps
from nsw_doe.app.profile.nearby import great_circle_km
from nsw_doe.intake_zones import polygons

ZONE_COLOURS = {"primary": "#0072B2", "secondary": "#D55E00"}  # the map's colours for primary and high schools
POINT_COLOUR = [0, 0, 0, 255]
PICK_POINTS = 40  # a side of the grid of points a click on the map chooses from (more slow the map down)
METRES_PER_DEGREE = 111_320  # of latitude, and of longitude at the equator


def with_distance(schools: pd.DataFrame, latitude: float, longitude: float) -> pd.DataFrame:
    """The schools with `distance_km`, the straight-line (great-circle) distance from the point, nearest first."""
    km = great_circle_km(latitude, longitude, schools["latitude"], schools["longitude"])
    return schools.assign(distance_km=km).sort_values(["distance_km", "school_code"], kind="stable")


def place_note(place: pd.Series) -> str:
    """How a typed place was put on the map (an rpt__place row), and how to be exact."""
    schools = int(place["schools_located_by"])
    where = (
        "at the school there"
        if schools == 1
        else f"at the middle of the {schools:,} schools there (the furthest {place['spread_km']:.1f} km away)"
    )
    return (
        f"{place['place_name']} is placed {where}: there is no open gazetteer of suburbs to use offline. For your own "
        "address, type its latitude and longitude (a map app shows them), or click the school nearest you on the map."
    )


def zone_sentence(zone: pd.Series) -> str:
    """One zone as a parent reads it, e.g. "Parramatta Public School (K-6), 0.9 km away"; a future zone says when
    it starts."""
    name = (
        f"[{zone['school_name']}]({layout.school_url(zone['school_code'])})"
        if zone["is_school_listed"]
        else (f"{zone['school_name']} (not in the latest school list)")
    )
    years = f" for Years {zone['year_levels_label']}" if zone["year_levels_label"] else ""
    distance = "" if layout.is_missing(zone["distance_km"]) else f", {zone['distance_km']:.1f} km away"
    starts = f", from {zone['takes_effect_year']}" if zone["zone_status"] == "future" else ""
    return f"{name}{years}{distance}{starts}"


def zones_layer(zones: pd.DataFrame) -> pdk.Layer:
    """The zones' boundaries, filled lightly in their level's colour (future zones lighter still)."""
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(zone.geometry),
            "properties": {
                "fill": [*maps.hex_rgb(ZONE_COLOURS[zone.zone_level]), 25 if zone.zone_status == "future" else 50],
                "line": [*maps.hex_rgb(ZONE_COLOURS[zone.zone_level]), 255],
                "school_name": f"{zone.school_name} ({zone.zone_status} {zone.zone_level} zone)",
            },
        }
        for zone in zones.itertuples(index=False)
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        id="zones",
        data={"type": "FeatureCollection", "features": features},
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_min_pixels=2,
        pickable=False,
    )


def point_frame(latitude: float, longitude: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "latitude": [latitude],
            "longitude": [longitude],
            "colour": [POINT_COLOUR],
            "radius": [7],
            "school_name": ["Your point"],
            "detail": [""],
        }
    )


def nearest_frame(nearest: pd.DataFrame) -> pd.DataFrame:
    """The nearest schools as numbered map points (the number is the table's row), coloured by level."""
    return nearest.assign(
        colour=maps.colours(nearest["level_of_schooling"], maps.LEVEL_COLOURS),
        radius=9,
        number=[str(n) for n in range(1, len(nearest) + 1)],
        detail=nearest["distance_km"].map(lambda km: f"{km:.1f} km away"),
    )


def pick_grid(latitudes: pd.Series, longitudes: pd.Series) -> tuple[pd.DataFrame, float]:
    """A PICK_POINTS x PICK_POINTS grid of points over the extent of these coordinates (and a margin), and their
    spacing in metres. pydeck reports a click as the object under it, never as the coordinates clicked, so the map
    carries this grid, all but transparent, and a click between schools picks the grid point it falls on."""
    south, north = latitudes.min(), latitudes.max()
    west, east = longitudes.min(), longitudes.max()
    margin = 0.25 * max(north - south, east - west, 0.01)
    grid_latitudes = np.linspace(south - margin, north + margin, PICK_POINTS)
    grid_longitudes = np.linspace(west - margin, east + margin, PICK_POINTS)
    spacing = METRES_PER_DEGREE * max(
        grid_latitudes[1] - grid_latitudes[0],
        (grid_longitudes[1] - grid_longitudes[0]) * math.cos(math.radians((south + north) / 2)),
    )
    lat, lon = np.meshgrid(grid_latitudes, grid_longitudes)
    # rounded to 1 m or so: the map's JSON carries every point, and 17 digits each would triple it
    frame = pd.DataFrame({"latitude": lat.ravel().round(5), "longitude": lon.ravel().round(5)})
    return frame.assign(school_name="Click to put your point here", detail=""), spacing


# A pick disc's radius, as a share of the grid's spacing: most of it, so that the discs cover the map between them.
PICK_RADIUS_SHARE = 0.75


def pick_layer(grid: pd.DataFrame, spacing: float) -> pdk.Layer:
    """The grid as discs that cover the map between them (PICK_RADIUS_SHARE of a spacing), nearly transparent."""
    return pdk.Layer(
        "ScatterplotLayer",
        id="pick",
        data=grid,
        get_position="[longitude, latitude]",
        get_fill_color=[0, 0, 0, 1],  # alpha 1 of 255: invisible, but drawn, so pickable
        get_radius=PICK_RADIUS_SHARE * spacing,
        radius_units='"meters"',
        pickable=True,
        auto_highlight=True,
        highlight_color=[0, 0, 0, 40],
    )


def near_deck(latitude: float, longitude: float, zones: pd.DataFrame, nearest: pd.DataFrame) -> tuple[pdk.Deck, float]:
    """The point, the zones that hold it and the nearest schools (numbered as in the table), fitted to them all, over
    a grid a click picks a new point from; and that grid's spacing in metres."""
    points = nearest_frame(nearest)
    labels = pdk.Layer(
        "TextLayer",
        id="numbers",
        data=points,
        get_position="[longitude, latitude]",
        get_text="number",
        get_size=12,
        get_color=[255, 255, 255],
        font_weight=700,
    )
    # fitted to the schools, the point and the current zones' bounding boxes (west, south, east, north)
    boxes = shapely.bounds(polygons(zones.loc[zones["zone_status"] == "current", "geometry"])).reshape(-1, 4)
    latitudes = pd.concat([points["latitude"], pd.Series([latitude, *boxes[:, 1], *boxes[:, 3]])])
    longitudes = pd.concat([points["longitude"], pd.Series([longitude, *boxes[:, 0], *boxes[:, 2]])])
    grid, spacing = pick_grid(latitudes, longitudes)
    layers = [
        pick_layer(grid, spacing),
        zones_layer(zones),
        maps.points_layer(points, "nearest"),
        labels,
        maps.points_layer(point_frame(latitude, longitude), "point"),
    ]
    return maps.deck(layers, maps.fit_view(latitudes, longitudes), "<b>{school_name}</b><br/>{detail}"), spacing
