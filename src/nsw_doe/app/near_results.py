"""The schools for a point: the intake zones that hold it and the nearest schools, as the /near page lays them out.
Pure functions of frames (the page queries the warehouse and looks the point up)."""

from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk
import shapely

from nsw_doe.app import layout, maps
from nsw_doe.app.profile.nearby import great_circle_km
from nsw_doe.intake_zones import polygons

ZONE_COLOURS = {"primary": "#0072B2", "secondary": "#D55E00"}  # the map's colours for primary and high schools
POINT_COLOUR = [0, 0, 0, 255]


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


def near_deck(latitude: float, longitude: float, zones: pd.DataFrame, nearest: pd.DataFrame) -> pdk.Deck:
    """The point, the zones that hold it and the nearest schools (numbered as in the table), fitted to them all."""
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
    view = maps.fit_view(
        pd.concat([points["latitude"], pd.Series([latitude, *boxes[:, 1], *boxes[:, 3]])]),
        pd.concat([points["longitude"], pd.Series([longitude, *boxes[:, 0], *boxes[:, 2]])]),
    )
    layers = [
        zones_layer(zones),
        maps.points_layer(points, "nearest"),
        labels,
        maps.points_layer(point_frame(latitude, longitude), "point"),
    ]
    return maps.deck(layers, view, "<b>{school_name}</b><br/>{detail}")
