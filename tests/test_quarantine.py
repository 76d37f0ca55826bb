"""A bad value is quarantined, not fatal: one build of a snapshot in which one cell per kind of bad value was changed
(sha256 updated in the manifest, as a user refreshing a file would), compared with the shared build of the real data.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from collections import Counter
from dataclasses import dataclass

import duckdb
import pytest

from nsw_doe.build import run_build
from nsw_doe.settings import PROJECT_ROOT, Settings, load_settings
from nsw_doe.sources.catalog import load_manifest, save_manifest
from nsw_doe.sources.snapshot import parse_file, read_bytes, sha256_hex, store_file
from nsw_doe.warehouse import Warehouse
from tests.conftest import HAS_ACARA

HEADCOUNT = "enrolments/government-school-headcount-enrolments-by-school-2004-2023.csv.gz"
ATTENDANCE = "attendance/2022-attendance-data-final.csv.gz"
MASTER = "master_dataset/master_dataset_2026-05-05.csv.gz"
COMPOSITE = "class_size/2022-multi-age_composite-classes-final.csv.gz"
BY_GRADE = "enrolments/nsw-enrolments-by-school-and-calendar-year-2010-2017.csv.gz"

WHOLE_NUMBER = "expected a whole number >= 0 (or sp/np/na/blank)"
PERCENTAGE = "expected a percentage from 0 to 100 (or sp/np/na/blank)"


@dataclass(frozen=True)
class BadCell:
    """One cell changed in a real file: where (file, data row, header), to what, and what quarantine must say."""

    file: str
    row: int  # among the file's data rows, 1 = the first row after the header
    column: str  # as the header names it
    raw_column: str  # as raw (dlt) names it
    value: str
    model: str
    reason: str


BAD_CELLS = [
    # Headcounts: not a number, and negative.
    BadCell(HEADCOUNT, 1, "HC_2019", "hc_2019", "7x4", "stg__doe__enrolment_headcount", WHOLE_NUMBER),
    BadCell(HEADCOUNT, 2, "HC_2020", "hc_2020", "-5", "stg__doe__enrolment_headcount", WHOLE_NUMBER),
    # A key: a school code with a letter O for a zero.
    BadCell(
        HEADCOUNT,
        3,
        "School Code",
        "school_code",
        "2O84",
        "stg__doe__enrolment_headcount",
        "expected a school code (a whole number from 1 to 9999)",
    ),
    # Attendance rates: over 100, and not a number.
    BadCell(ATTENDANCE, 1, "2021", "_2021", "150", "stg__doe__attendance", PERCENTAGE),
    BadCell(ATTENDANCE, 2, "2022", "_2022", "abc", "stg__doe__attendance", PERCENTAGE),
    # The master dataset: a percentage over 100, a date that is not ISO, a latitude that lost its sign.
    BadCell(MASTER, 1, "LBOTE_pct", "lbote_pct", "137.0", "stg__doe__master_dataset", PERCENTAGE),
    BadCell(
        MASTER,
        2,
        "Date_1st_teacher",
        "date_1st_teacher",
        "01/02/1864",
        "stg__doe__master_dataset",
        "expected a date as YYYY-MM-DD (or blank)",
    ),
    BadCell(
        MASTER,
        3,
        "Latitude",
        "latitude",
        "32.80892",
        "stg__doe__master_dataset",
        "expected a latitude inside NSW: mainland NSW (-37.51 to -28.15), Lord Howe Island (-31.6 to -31.49), "
        "Norfolk Island (-29.14 to -28.99)",
    ),
    # Unknown markers.
    BadCell(
        COMPOSITE,
        2,
        "COMPOSITE_CLASS_COUNT_19",
        "composite_class_count_19",
        "x",
        "stg__doe__composite_classes",
        WHOLE_NUMBER,
    ),
    BadCell(
        BY_GRADE,
        1,
        "Kindergarten",
        "kindergarten",
        "x",
        "stg__doe__enrolment_by_grade",
        "expected a number >= 0 (or sp/np/na/blank)",
    ),
]


def alter_cell(settings: Settings, cell: BadCell) -> list[str]:
    """Change one cell of a pinned file as an editor would (only that line changes), store the file and update its
    sha256 in the manifest; return the row as it now is."""
    manifest = load_manifest(settings.manifest_path)
    source = next(f for d in manifest.datasets for f in d.files if f.path == cell.file)
    data = read_bytes(settings.snapshot_dir / cell.file)
    table = parse_file(data, source, cell.file)
    lines = data.split(b"\n")
    line = lines[cell.row].decode("utf-8")  # line 0 is the header; no data row of these files spans lines
    ending = "\r" if line.endswith("\r") else ""
    (values,) = csv.reader([line.removesuffix("\r")])
    assert values == table.rows[cell.row - 1], "the line is the data row"
    values[table.columns.index(cell.column)] = cell.value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    lines[cell.row] = (out.getvalue() + ending).encode("utf-8")
    changed = b"\n".join(lines)
    store_file(settings, cell.file, changed)
    source.sha256 = sha256_hex(changed)
    save_manifest(manifest, settings.manifest_path)
    return values


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    """One build of a private snapshot copy holding the bad cells (without ACARA): its settings, summary, and the
    altered rows as they now are in their files."""
    root = tmp_path_factory.mktemp("tampered")
    shutil.copytree(PROJECT_ROOT / "data" / "sources", root / "sources")
    settings = dataclasses.replace(
        load_settings(), snapshot_dir=root / "sources", warehouse_dir=root / "warehouse", acara_dir=None
    )
    rows = {cell: alter_cell(settings, cell) for cell in BAD_CELLS}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NSW_DOE_SNAPSHOT_DIR", str(settings.snapshot_dir))
        env.setenv("NSW_DOE_WAREHOUSE_DIR", str(settings.warehouse_dir))
        env.delenv("NSW_DOE_ACARA_DIR", raising=False)
        summary = run_build(settings)
    return settings, summary, rows


@pytest.fixture
def bad(tampered):
    """A read-only connection to the tampered build."""
    with Warehouse(tampered[0].warehouse_dir).connect_read_only() as connection:
        yield connection


@pytest.fixture
def good(built):
    """A read-only connection to the shared build of the real data."""
    with duckdb.connect(str(Warehouse(built[0].warehouse_dir).published), read_only=True) as connection:
        yield connection


def rows_of(con, sql: str) -> dict:
    """Rows keyed by their first column(s): {key: rest}."""
    return {tuple(r[:2]): tuple(r[2:]) for r in con.execute(sql).fetchall()}


def changed_keys(good, bad, sql: str) -> set:
    """The keys (first two columns) whose rows differ between the two builds, or are in one only."""
    before, after = rows_of(good, sql), rows_of(bad, sql)
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def test_a_build_with_bad_values_publishes_and_its_summary_names_them(tampered):
    settings, summary, _ = tampered
    assert summary.warehouse == settings.warehouse_dir / "nsw_doe.duckdb" and summary.warehouse.exists()
    assert summary.checks_failed == []
    groups = {(g.source_model, g.reason): g for g in summary.quarantined}
    for cell in BAD_CELLS:
        group = groups[(cell.model, cell.reason)]
        assert f"{cell.column} '{cell.value}' ({cell.file}, row {cell.row})" in group.examples, cell
    assert sum(g.rows for g in summary.quarantined) == len(BAD_CELLS)
    written = json.loads((settings.warehouse_dir / "build_summary.json").read_text())["quarantined"]
    assert sum(g["rows"] for g in written) == len(BAD_CELLS)


def test_each_bad_value_is_quarantined_with_its_file_row_column_value_and_reason(bad):
    quarantined = bad.execute(
        "select source_model, source_file, source_row_number, source_column, source_value, reason "
        "from quarantine.quarantine__rejected_rows"
    ).fetchall()
    expected = [(c.model, c.file, c.row, c.column, c.value, c.reason) for c in BAD_CELLS]
    assert sorted(quarantined) == sorted(expected)


def test_the_row_json_of_a_quarantined_value_holds_its_whole_row(tampered, bad):
    _, _, rows = tampered
    for cell in BAD_CELLS:
        (row_json,) = bad.execute(
            "select row_json from quarantine.quarantine__rejected_rows where source_file = ? and source_row_number = ?",
            [cell.file, cell.row],
        ).fetchone()
        row = json.loads(row_json)
        assert row[cell.raw_column] == cell.value, cell
        # Every value of the file's row, and nothing else (columns other files of the dataset have are null).
        assert Counter(v for v in row.values() if v is not None) == Counter(rows[cell]), cell
        assert not {k for k in row if k.startswith("_source") or k in ("_vintage", "_loaded_at")}


def test_a_bad_measure_is_null_in_its_fact_and_a_bad_key_leaves_no_row(good, bad):
    # Headcounts: the row stays, null and invalid; the school whose code is not one has no row; nothing else changed.
    enrolment = "select school_code, calendar_year, headcount, headcount_status from marts.fct__enrolment"
    bad_key_years = {k for k in rows_of(good, enrolment) if k[0] == 2084}
    assert len(bad_key_years) == 20
    assert changed_keys(good, bad, enrolment) == {(1257, 2019), (4506, 2020)} | bad_key_years
    assert rows_of(bad, enrolment)[(1257, 2019)] == (None, "invalid")
    assert rows_of(bad, enrolment)[(4506, 2020)] == (None, "invalid")
    count = "select count(*) from marts.fct__enrolment"
    assert bad.execute(count).fetchone()[0] == good.execute(count).fetchone()[0] - len(bad_key_years)

    # Attendance: the two rates are null and invalid; the rows of the headcount cells changed their weights only.
    attendance = (
        "select school_code, calendar_year, attendance_rate, attendance_status, headcount from marts.fct__attendance"
    )
    before, after = rows_of(good, attendance), rows_of(bad, attendance)
    assert after[(1001, 2021)] == (None, "invalid", before[(1001, 2021)][2])
    assert after[(1002, 2022)] == (None, "invalid", before[(1002, 2022)][2])
    weights = {k for k in before if k in bad_key_years or k in {(1257, 2019), (4506, 2020)}}
    assert changed_keys(good, bad, attendance) == {(1001, 2021), (1002, 2022)} | weights
    assert all(after[k] == (*before[k][:2], None) for k in weights)

    # Composite classes: the count of one school-year is null, its other measures stay.
    composite = (
        "select school_code, calendar_year, composite_class_count, composite_class_students, pct_composite_classes "
        "from marts.fct__composite_class"
    )
    assert changed_keys(good, bad, composite) == {(1002, 2019)}
    assert rows_of(bad, composite)[(1002, 2019)] == (None, *rows_of(good, composite)[(1002, 2019)][1:])

    # FTE by grade (one measure a row): the grade the cell held is left out.
    grades = (
        "select school_code, calendar_year, grade, enrolment_fte from marts.fct__enrolment_by_grade "
        "where school_code = 1001 and calendar_year = 2010"
    )
    assert {r[2] for r in good.execute(grades).fetchall()} - {r[2] for r in bad.execute(grades).fetchall()} == {"K"}


def test_bad_master_dataset_values_are_null_in_staging_and_in_the_school_dimension(bad):
    staged = dict(
        (r[0], r[1:])
        for r in bad.execute(
            "select school_code, lbote_pct, lbote_pct_status, date_1st_teacher, latitude, longitude "
            "from staging.stg__doe__master_dataset "
            "where vintage_date = '2026-05-05' and school_code in (1001, 1002, 1003)"
        ).fetchall()
    )
    assert staged[1001][:2] == (None, "invalid")
    assert staged[1002][2] is None
    assert staged[1003][3:] == (None, 151.426499)  # the latitude only: the longitude is sound
    current = dict(
        (r[0], r[1:])
        for r in bad.execute(
            "select school_code, lbote_pct, latitude from marts.dim__school "
            "where is_current and school_code in (1001, 1003)"
        ).fetchall()
    )
    assert current == {1001: (None, -33.852728), 1003: (3.0, None)}


def test_the_real_data_quarantines_only_the_known_rejections(con):
    # The ACARA profiles no school dimension knows (7 government schools absent from the master dataset, 3
    # non-government schools without an AGE ID) and nothing else: every value of every file types.
    quarantined = con.execute(
        "select source_model, reason, count(*) from quarantine.quarantine__rejected_rows group by all order by all"
    ).fetchall()
    expected = [
        ("fct__school_profile", "no government school in the master dataset has this Location AGE ID", 7),
        (
            "fct__school_profile",
            "no non-government school in the 2017 list or ACARA's locations has this School AGE ID",
            3,
        ),
    ]
    assert quarantined == (expected if HAS_ACARA else [])
    # Their rows are the profile's rows, as the workbook holds them.
    for model, file, row, row_json in con.execute(
        "select source_model, source_file, source_row_number, row_json from quarantine.quarantine__rejected_rows"
    ).fetchall():
        assert (model, file) == ("fct__school_profile", "School Profile 2023.xlsx")
        assert (
            json.loads(row_json)["acara_sml_id"]
            == con.execute(
                "select acara_sml_id::varchar from raw.acara_school_profile where _source_row = ?", [row]
            ).fetchone()[0]
        )
