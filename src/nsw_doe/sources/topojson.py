"""Decode a TopoJSON topology (https://github.com/topojson/topojson-specification) into GeoJSON geometries.

A topology stores each shared boundary once, as an arc; a polygon's rings list the arcs they run along (a negative
index ~i is arc i reversed). In a quantised topology the arcs' positions are integers, each after the first a delta
from the one before, mapped back to coordinates by `transform` (scale and translate).
"""

from __future__ import annotations

import numpy as np

# Five decimals of a degree are about 1 m, finer than the few metres a quantised intake-zone topology keeps.
COORDINATE_DECIMALS = 5


class TopologyError(ValueError):
    """The topology is not what the specification describes; `index` is the geometry to blame, if one is."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.index = index


def decoded_arcs(topology: dict) -> list[np.ndarray]:
    """Every arc as an (n, 2) array of longitude/latitude, the quantisation undone."""
    try:
        arcs = [np.asarray(arc, dtype="float64").reshape(-1, 2) for arc in topology["arcs"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise TopologyError('expected "arcs": a list of arcs, each a list of [x, y] positions') from exc
    transform = topology.get("transform")
    if transform is None:
        return arcs
    scale = np.asarray(transform["scale"], dtype="float64")
    translate = np.asarray(transform["translate"], dtype="float64")
    return [np.cumsum(arc, axis=0) * scale + translate for arc in arcs]


def _ring(indexes: list[int], arcs: list[np.ndarray]) -> list[list[float]]:
    """One ring: its arcs joined end to start (each arc after the first starts where the last one ended)."""
    parts = []
    for position, index in enumerate(indexes):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if position == 0 else arc[1:])
    return np.round(np.concatenate(parts), COORDINATE_DECIMALS).tolist()


def geometry(shape: dict, arcs: list[np.ndarray]) -> dict | None:
    """The GeoJSON geometry of one TopoJSON polygon or multipolygon (None for a null geometry)."""
    kind = shape.get("type")
    if kind is None:
        return None
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(ring, arcs) for ring in shape["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [[_ring(ring, arcs) for ring in polygon] for polygon in shape["arcs"]]}
    raise TopologyError(f"has geometry type '{kind}'; expected Polygon or MultiPolygon")


def features(topology: dict, name: str) -> list[tuple[dict, dict | None]]:
    """(properties, GeoJSON geometry) for each geometry of the object `name`, in the file's order."""
    if topology.get("type") != "Topology":
        raise TopologyError('is not a TopoJSON topology: expected "type": "Topology"')
    objects = topology.get("objects") or {}
    if name not in objects:
        raise TopologyError(f"has no object '{name}' (objects: {', '.join(objects) or 'none'})")
    arcs = decoded_arcs(topology)
    decoded = []
    for index, shape in enumerate(objects[name].get("geometries", [])):
        try:
            decoded.append((shape.get("properties") or {}, geometry(shape, arcs)))
        except TopologyError as exc:
            raise TopologyError(str(exc), index) from exc
        except (IndexError, KeyError, TypeError) as exc:
            message = f"refers to arcs the topology does not have ({type(exc).__name__}: {exc})"
            raise TopologyError(message, index) from exc
    return decoded
