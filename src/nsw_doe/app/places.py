"""Where a person says they live, as a point: coordinates typed as "latitude, longitude", or a suburb or postcode
looked up in reporting.rpt__place. Pure functions of text and frames (the page reads the tables)."""

from __future__ import annotations

import re

import pandas as pd

# "-33.81, 151.00" or "-33.81 151.00": a latitude then a longitude, in decimal degrees.
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
# Where a point may be: NSW's mainland box with a margin (the islands' schools are not anyone's address query).
LATITUDES = (-38.0, -28.0)
LONGITUDES = (140.5, 154.0)


def normalise(text: str) -> str:
    """Text as search compares it, the twin of the dbt macro search_text: lower case, apostrophes dropped, every
    other run of characters that are not letters or digits one space, trimmed (a test holds the two together)."""
    text = re.sub("['\u2019`]", "", text.lower())  # straight, typographic and grave apostrophes
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def matches(search_text: pd.Series, query: str) -> pd.Series:
    """Whether each search text holds every word of the query, in any order (a word matches the start of a word:
    "parra" finds Parramatta, "2150" the postcode)."""
    words = normalise(query).split()
    found = pd.Series(True, index=search_text.index)
    for word in words:
        found &= search_text.str.contains(rf"(?:^| ){re.escape(word)}", regex=True)
    return found


def coordinates(text: str) -> tuple[float, float] | None:
    """(latitude, longitude) when the text is a point in or near NSW, else None."""
    found = _COORDINATES.match(text)
    if not found:
        return None
    latitude, longitude = float(found[1]), float(found[2])
    inside = LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]
    return (latitude, longitude) if inside else None


def matching_places(places: pd.DataFrame, query: str) -> pd.DataFrame:
    """The places (rpt__place rows) whose name holds every word of the query: an exact name first, then suburbs
    before postcodes, then the places located by more schools."""
    found = places[matches(places["search_text"], query)]
    exact = found["search_text"] == normalise(query)
    order = found.assign(_exact=~exact, _kind=found["place_kind"] != "suburb")
    return (
        order.sort_values(["_exact", "_kind", "schools_located_by", "place_name"], ascending=[True, True, False, True])
        .drop(columns=["_exact", "_kind"])
        .reset_index(drop=True)
    )
