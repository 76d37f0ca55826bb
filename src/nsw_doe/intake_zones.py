"""Intake-zone geometry (shapely): the zones' polygons from the warehouse's GeoJSON, which zones hold a point, and
whether each school lies inside its own zone. Frames in, frames out: the quality check and the report app read
the warehouse and call these."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely


def polygons(geojson: pd.Series) -> np.ndarray:
    """A shapely geometry per GeoJSON text, made valid: the TopoJSON conversion leaves some rings touching or
    crossing themselves (70 of the 2,100 current zones), which would make a point test fail on them."""
    return shapely.make_valid(shapely.from_geojson(geojson.to_numpy(dtype=object)))


class ZoneIndex:
    """The zones of a frame (one row each, with `geometry` as GeoJSON), indexed for point lookups."""

    def __init__(self, zones: pd.DataFrame):
        self.zones = zones.reset_index(drop=True)
        self.shapes = polygons(self.zones["geometry"])
        self.tree = shapely.STRtree(self.shapes)

    def containing(self, longitude: float, latitude: float) -> pd.DataFrame:
        """The zones whose area holds the point (boundary included), in the frame's order."""
        hits = self.tree.query(shapely.Point(longitude, latitude), predicate="intersects")
        return self.zones.iloc[np.sort(hits)]


def schools_in_own_zone(zones: pd.DataFrame) -> pd.DataFrame:
    """Per zone (`school_code`, `geometry`, and its school's `longitude` and `latitude`): `inside`, whether the
    school's own coordinates lie in the zone."""
    points = shapely.points(zones["longitude"].to_numpy(dtype="float64"), zones["latitude"].to_numpy(dtype="float64"))
    return zones.drop(columns="geometry").assign(inside=shapely.intersects(polygons(zones["geometry"]), points))
