"""Schools for where I live (/near): reading a place or a point, the places table, and the page on the test build,
checked against the zone dimension and this file's own distances."""

import json
import math

import pandas as pd
import pytest

from nsw_doe.app import maps, near_results, places
from nsw_doe.intake_zones import ZoneIndex
from tests.conftest import open_page


@pytest.fixture(autouse=True)
def no_basemap(monkeypatch):
    monkeypatch.setenv(maps.BASEMAP_SETTING, "off")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-33.8150, 151.0011", (-33.815, 151.0011)),
        (" -33.8 151 ", (-33.8, 151.0)),
        ("-27.5, 153.0", None),  # Brisbane: not in NSW
        ("2150", None),
        ("Parramatta", None),
    ],
)
def test_a_point_is_latitude_then_longitude_in_nsw(text, expected):
    assert places.coordinates(text) == expected


def test_words_match_the_start_of_words_in_any_order():
    texts = pd.Series(["north parramatta 2151", "parramatta 2150", "st marys 2760", "northmead 2152"])
    assert list(places.matches(texts, "Parramatta North")) == [True, False, False, False]
    assert list(places.matches(texts, "parra")) == [True, True, False, False]
    assert list(places.matches(texts, "St Mary's")) == [False, False, True, False]
    assert list(places.matches(texts, "north")) == [True, False, False, True]


def great_circle(lat1, lon1, lat2, lon2) -> float:
    """Haversine in km, written here apart from the app's numpy version."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_the_app_normalises_a_query_as_the_warehouse_normalises_its_search_text(con):
    rows = con.execute("select place_name, search_text from reporting.rpt__place").fetchall()
    rows += con.execute(
        "select concat_ws(' ', school_name, town_suburb), search_text from reporting.rpt__school_search"
    ).fetchall()
    mismatched = [(name, text) for name, text in rows if not text.startswith(places.normalise(name))]
    assert mismatched == []


def test_a_place_is_the_middle_of_the_schools_there(con):
    expected = con.execute(
        """
        with schools as (
            select postcode, latitude, longitude from marts.dim__school where is_current and latitude is not null
            union all
            select postcode, latitude, longitude from marts.dim__non_government_school
            where school_age_id != -1 and latitude is not null
        )
        select postcode, median(latitude), median(longitude), count(*), list(latitude), list(longitude)
        from schools where postcode = '2150' group by postcode
        """
    ).fetchone()
    found = con.execute(
        "select latitude, longitude, schools_located_by, spread_km from reporting.rpt__place "
        "where place_kind = 'postcode' and place_name = '2150'"
    ).fetchone()
    assert found[:3] == pytest.approx(expected[1:4])
    spread = max(great_circle(found[0], found[1], lat, lon) for lat, lon in zip(expected[4], expected[5], strict=True))
    assert found[3] == pytest.approx(spread)


def zones_holding(con, latitude: float, longitude: float) -> pd.DataFrame:
    zones = con.execute("select * from marts.dim__intake_zone where school_code != -1").df()
    return ZoneIndex(zones).containing(longitude, latitude)


def test_a_parent_typing_a_suburb_sees_its_zone_schools_and_the_nearest(con):
    place = con.execute(
        "select latitude, longitude, place_name from reporting.rpt__place where place_name = 'Parramatta 2150'"
    ).fetchone()
    app = open_page("near", place="Parramatta")
    text = " ".join(m.value for m in app.markdown)
    current = zones_holding(con, place[0], place[1]).query("zone_status == 'current'")
    assert not current.empty
    for name in current["school_name"]:
        assert name in text
    (nearest,) = [d.value for d in app.dataframe if "Km" in d.value.columns]
    schools = con.execute(
        "select school_name, latitude, longitude from marts.dim__school where is_current and latitude is not null"
    ).fetchall()
    distances = sorted((great_circle(place[0], place[1], lat, lon), name) for name, lat, lon in schools)[:10]
    assert list(nearest["School"]) == [name for _, name in distances]
    assert list(nearest["Km"]) == [round(km, 1) for km, _ in distances]
    layers = {layer["id"]: layer for layer in json.loads(app.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    assert len(layers["zones"]["data"]["features"]) == len(zones_holding(con, place[0], place[1]))


def test_a_point_in_the_sea_has_no_zone_and_says_so():
    app = open_page("near", lat="-33.9", lon="151.6")
    assert any("No intake zone holds" in i.value for i in app.info)


def test_a_place_with_no_school_is_said_not_found():
    app = open_page("near", place="Nowhereville")
    assert any("No suburb or postcode with a school matches" in i.value for i in app.info)


def test_a_place_note_says_how_the_place_was_located():
    one = pd.Series({"place_name": "Abbotsford 2046", "schools_located_by": 1, "spread_km": 0.0})
    many = pd.Series({"place_name": "2150", "schools_located_by": 12, "spread_km": 1.94})
    assert near_results.place_note(one).startswith("Abbotsford 2046 is placed at the school there:")
    assert near_results.place_note(many).startswith("2150 is placed at the middle of the 12 schools there (the")
    assert "(the furthest 1.9 km away)" in near_results.place_note(many)


def test_a_zone_reads_as_a_parent_reads_it():
    zone = {
        "school_name": "Concord High School",
        "school_code": 8250,
        "is_school_listed": True,
        "year_levels_label": "7-12",
        "distance_km": 2.44,
        "zone_status": "current",
        "takes_effect_year": None,
    }
    assert near_results.zone_sentence(pd.Series(zone)) == (
        "[Concord High School](school?school=8250) for Years 7-12, 2.4 km away"
    )
    future = zone | {"zone_status": "future", "takes_effect_year": 2027, "is_school_listed": False}
    assert near_results.zone_sentence(pd.Series(future)) == (
        "Concord High School (not in the latest school list) for Years 7-12, 2.4 km away, from 2027"
    )


def test_the_pick_grid_covers_the_map_evenly():
    latitudes, longitudes = pd.Series([-33.90, -33.80]), pd.Series([151.00, 151.20])
    grid, spacing = near_results.pick_grid(latitudes, longitudes)
    assert len(grid) == near_results.PICK_POINTS**2
    # the extent and a quarter of its larger side around it
    assert grid["latitude"].min() == pytest.approx(-33.95) and grid["latitude"].max() == pytest.approx(-33.75)
    assert grid["longitude"].min() == pytest.approx(150.95) and grid["longitude"].max() == pytest.approx(151.25)
    # 0.3 degrees of longitude at 33.85 S over 39 steps: about 710 m, wider than the latitude steps (about 570 m)
    step_km = great_circle(-33.85, 151.0, -33.85, 151.0 + 0.3 / (near_results.PICK_POINTS - 1))
    assert spacing / 1000 == pytest.approx(step_km, rel=0.01)
