"""Intake zones: the TopoJSON and dBase readers, the zone dimension on the real files, and point lookups."""

import collections
import gzip
import json

import pandas as pd
import pytest

from nsw_doe.defs.quality.intake_zones import MINIMUM_SHARE_INSIDE, ZONES_WITH_SCHOOLS_SQL, containment_result
from nsw_doe.intake_zones import ZoneIndex, schools_in_own_zone
from nsw_doe.settings import load_settings
from nsw_doe.sources.readers import SourceFormatError, parse
from nsw_doe.sources.topojson import features

ZONE_DIR = load_settings().snapshot_dir / "intake_zones"
YEAR_FIELDS = ["KINDERGART", *(f"YEAR{n}" for n in range(1, 13))]


def two_squares() -> dict:
    """Two unit squares side by side, quantised at a scale of 0.5 from (150, -34), sharing the arc between them: the
    right square runs along it backwards (~0)."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [150, -34]},
        "arcs": [
            [[2, 0], [0, 2]],  # the shared edge, x = 151, going north: (2,0) then (2,2)
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # the left square's other three edges, back to the start
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # the right square's other three edges
        ],
        "objects": {
            "zones": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"USE_ID": "1", "YEAR7": "N"}},
                    {"type": "MultiPolygon", "arcs": [[[2, ~0]]], "properties": {"USE_ID": "2", "YEAR7": 2027}},
                ],
            }
        },
    }


def test_topojson_arcs_are_dequantised_joined_and_reversed():
    (left_properties, left), (_, right) = features(two_squares(), "zones")
    assert left_properties == {"USE_ID": "1", "YEAR7": "N"}
    assert left == {"type": "Polygon", "coordinates": [[[151, -34], [151, -33], [150, -33], [150, -34], [151, -34]]]}
    # arc 2 from (151, -34) east, north and west to (151, -33), then arc 0 reversed back down to (151, -34)
    assert right == {
        "type": "MultiPolygon",
        "coordinates": [[[[151, -34], [152, -34], [152, -33], [151, -33], [151, -34]]]],
    }


def test_a_topojson_file_becomes_rows_of_text_properties_and_geojson():
    table = parse(json.dumps(two_squares()).encode(), "topojson", "utf-8", "zones.json", "zones")
    assert table.columns == ["USE_ID", "YEAR7", "geometry"]
    assert table.rows[1][:2] == ["2", "2027"]
    assert json.loads(table.rows[0][2])["type"] == "Polygon"


def test_a_topology_fault_is_named_with_its_geometry_row():
    topology = two_squares()
    topology["objects"]["zones"]["geometries"][1]["arcs"] = [[[7]]]
    with pytest.raises(SourceFormatError, match=r"zones.json, data row 2, column 'geometry': refers to arcs"):
        parse(json.dumps(topology).encode(), "topojson", "utf-8", "zones.json", "zones")
    with pytest.raises(SourceFormatError, match=r"zones.json: has no object 'catchments' \(objects: zones\)"):
        parse(json.dumps(topology).encode(), "topojson", "utf-8", "zones.json", "catchments")
    with pytest.raises(SourceFormatError, match="is not a TopoJSON topology"):
        parse(b'{"type": "FeatureCollection"}', "topojson", "utf-8", "zones.json", "zones")


def test_a_file_that_is_not_dbase_is_named():
    with pytest.raises(SourceFormatError, match=r"zones.dbf: is not a readable dBase \(.dbf\) table"):
        parse(b"USE_ID,CATCH_TYPE\n1,PRIMARY\n", "dbf", "utf-8", "zones.dbf")


def catchment_types(table, **where) -> collections.Counter:
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    return collections.Counter(r["CATCH_TYPE"] for r in rows if all(r[k] in v for k, v in where.items()))


def test_the_statewide_topology_holds_the_zones_its_provenance_describes():
    table = parse(
        gzip.decompress((ZONE_DIR / "catchments.json.gz").read_bytes()), "topojson", "utf-8", "f", "catchments"
    )
    assert len(table.rows) == 2172
    # ../shared/data/SOURCES.md: the 2,100 current zones (Y/N year fields) by CATCH_TYPE
    assert catchment_types(table, YEAR7=("Y", "N")) == {
        "PRIMARY": 1581, "HIGH_COED": 351, "CENTRAL_PRIMARY": 62, "CENTRAL_HIGH": 62, "HIGH_GIRLS": 17,
        "INFANTS": 14, "HIGH_BOYS": 13,
    }  # fmt: skip


def test_the_department_attribute_tables_read_as_their_provenance_describes():
    primary = parse(gzip.decompress((ZONE_DIR / "catchments_primary.dbf.gz").read_bytes()), "dbf", "utf-8", "p")
    secondary = parse(gzip.decompress((ZONE_DIR / "catchments_secondary.dbf.gz").read_bytes()), "dbf", "utf-8", "s")
    assert catchment_types(primary) == {"PRIMARY": 1585, "CENTRAL_PRIMARY": 63, "INFANTS": 14}
    assert catchment_types(secondary) == {"HIGH_COED": 337, "CENTRAL_HIGH": 63, "HIGH_GIRLS": 20, "HIGH_BOYS": 16}
    # the fields come stripped of the dBase padding: year levels are exactly Y or N
    assert {value for row in primary.rows + secondary.rows for value in row[4:17]} == {"Y", "N"}


def source_zones() -> pd.DataFrame:
    """The statewide file's zones, read here with the json module alone (not the project's reader)."""
    topology = json.loads(gzip.decompress((ZONE_DIR / "catchments.json.gz").read_bytes()))
    rows = [g["properties"] for g in topology["objects"]["catchments"]["geometries"]]
    frame = pd.DataFrame(rows)
    frame["zone_status"] = frame["YEAR7"].map(lambda v: "current" if v in ("Y", "N") else "future")
    return frame


def test_the_zone_dimension_keeps_every_zone_of_the_statewide_file(con):
    expected = source_zones().groupby(["zone_status", "CATCH_TYPE"]).size().to_dict()
    built = con.execute(
        "select zone_status, catchment_type, count(*) from marts.dim__intake_zone where school_code != -1 group by all"
    ).fetchall()
    assert {(status, kind): n for status, kind, n in built} == expected


def test_current_zones_whose_school_is_not_in_the_latest_list_are_the_warnings_rows(con, built):
    zones = source_zones()
    codes = set(zones.loc[zones["zone_status"] == "current", "USE_ID"].astype(int))
    listed = {c for (c,) in con.execute("select school_code from marts.dim__school where is_current").fetchall()}
    unlisted = sorted(codes - listed)
    assert 0 < len(unlisted) < 10
    shown = con.execute(
        "select school_code from marts.dim__intake_zone where zone_status = 'current' and not is_school_listed "
        "order by 1"
    ).fetchall()
    assert [c for (c,) in shown] == unlisted
    warning = con.execute(
        "select passed, severity, failed_rows from audit.asset_checks "
        "where check_name = 'assert_current_intake_zones_name_a_listed_school'"
    ).fetchone()
    assert warning == (False, "WARN", len(unlisted))


def test_nearly_every_school_lies_in_its_own_zone_and_the_build_says_how_many(con):
    located = schools_in_own_zone(con.execute(ZONES_WITH_SCHOOLS_SQL).df())
    assert located["inside"].mean() >= MINIMUM_SHARE_INSIDE
    passed, description = con.execute(
        "select passed, description from audit.asset_checks where check_name = 'schools_lie_in_their_own_zone'"
    ).fetchone()
    assert passed
    assert description.startswith(f"{int(located['inside'].sum()):,} of {len(located):,} current zones")


def test_boundaries_moved_off_their_schools_fail_the_check(con):
    zones = con.execute(ZONES_WITH_SCHOOLS_SQL).df()
    # Every school placed 0.5 degrees east (about 46 km): a transform applied twice would do as much.
    moved = schools_in_own_zone(zones.assign(longitude=zones["longitude"] + 0.5))
    result = containment_result(moved)
    assert not result.passed
    assert result.metadata["share"].value < 0.2


@pytest.fixture(scope="module")
def zone_index(built):
    from nsw_doe.warehouse import Warehouse

    with Warehouse(built[0].warehouse_dir).connect_read_only() as con:
        zones = con.execute(
            "select school_code, catchment_type, zone_status, geometry from marts.dim__intake_zone "
            "where school_code != -1"
        ).df()
        schools = con.execute(
            "select school_code, latitude, longitude from marts.dim__school "
            "where is_current and school_code in (1001, 2840)"
        ).df()
    return ZoneIndex(zones), schools.set_index("school_code")


def test_a_schools_own_address_lies_in_its_primary_zone_and_one_secondary_zone(zone_index):
    index, schools = zone_index
    for code in (1001, 2840):  # Abbotsford and Parramatta public schools
        school = schools.loc[code]
        found = index.containing(school["longitude"], school["latitude"])
        current = found[found["zone_status"] == "current"]
        assert code in set(current["school_code"])
        assert current["catchment_type"].isin(["HIGH_COED", "HIGH_BOYS", "HIGH_GIRLS"]).any()


def test_a_point_in_the_sea_is_in_no_zone(zone_index):
    index, _ = zone_index
    assert index.containing(151.6, -33.9).empty  # the Tasman Sea, 30 km off Sydney's coast
