"""The dimensional warehouse, on the real data: school history, facts, quarantine, and the questions it answers."""

import itertools
import json
import os
import subprocess
import sys

import pytest

from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import load_manifest
from tests.conftest import scalar

MASTER_VINTAGES = sorted(f.vintage for f in load_manifest(load_settings().manifest_path).get("master_dataset").files)


@pytest.mark.parametrize("vintage", MASTER_VINTAGES)
def test_the_school_rows_valid_on_a_vintage_date_are_exactly_that_vintages_schools(con, vintage):
    valid = con.execute(
        "select school_code from marts.dim__school where valid_from <= ?::date "
        "and (valid_to is null or ?::date < valid_to)",
        [vintage, vintage],
    ).fetchall()
    listed = con.execute("select school_code from raw.master_dataset where _vintage = ?", [vintage]).fetchall()
    assert sorted(int(c) for (c,) in listed) == sorted(c for (c,) in valid)


def test_whitespace_and_case_never_start_a_version(con):
    # SOURCES.md: the 2026-05-05 copy differs from 2026-01-14 in 1,456 schools (padding), but in only 111 once
    # trimmed; the 2026-04-07 vintage lies between them.
    new_versions = scalar(
        con, "select count(*) from marts.dim__school where valid_from in ('2026-04-07', '2026-05-05')"
    )
    assert 0 < new_versions <= 111


def test_current_schools_are_the_latest_vintage_and_inferred_ones_predate_the_first(con):
    assert scalar(con, "select count(*) from marts.dim__school where is_current") == 2210
    inferred = con.execute("select count(*), max(valid_to) from marts.dim__school where is_inferred").fetchone()
    assert inferred[0] > 0 and str(inferred[1]) == MASTER_VINTAGES[0]
    assert scalar(con, "select count(*) from marts.dim__school where school_sk = md5('-1')") == 1


def test_every_fact_row_has_a_school_key_and_facts_keep_their_source_rows(con):
    for fact in [
        "fct__enrolment",
        "fct__enrolment_by_grade",
        "fct__attendance",
        "fct__composite_class",
        "fct__support_class",
        "fct__selective_entry_score",
        "fct__school_profile",
    ]:
        orphans = scalar(
            con,
            f"select count(*) from marts.{fact} f left join marts.dim__school d using (school_sk) "
            "where d.school_sk is null",
        )
        assert orphans == 0, fact
    assert scalar(con, "select count(*) from marts.fct__enrolment") == scalar(
        con, "select count(*) from staging.stg__doe__enrolment_headcount where headcount_status <> 'not_reported'"
    )
    # Suppressed headcounts are null, never zero.
    assert scalar(con, "select count(*) from marts.fct__enrolment where is_suppressed and headcount is not null") == 0
    assert scalar(con, "select count(*) from marts.fct__enrolment where is_suppressed") == 205


def test_state_totals_never_enter_a_school_fact(con):
    assert scalar(con, "select count(*) from marts.fct__composite_class where school_code = 9999") == 0
    assert scalar(con, "select count(*) from marts.fct__attendance where school_code is null") == 0
    assert (
        scalar(
            con,
            "select count(distinct calendar_year) from marts.fct__statewide_total "
            "where source_dataset = 'composite_classes'",
        )
        == 8
    )


def test_selective_schools_are_all_matched_by_name(con):
    assert scalar(con, "select count(*) from marts.fct__selective_entry_score where school_code is null") == 0
    assert scalar(con, "select count(distinct school_code) from marts.fct__selective_entry_score") == 45


def query(sql: str) -> list[dict]:
    settings = load_settings()
    result = subprocess.run(
        [sys.executable, "-m", "nsw_doe.cli", "query", "--format", "json", sql],
        capture_output=True,
        text=True,
        env={**os.environ, "NSW_DOE_WAREHOUSE_DIR": str(settings.warehouse_dir)},
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def published(built, monkeypatch):
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(built[0].warehouse_dir))


def test_the_marts_answer_statewide_headcount_per_year(published):
    rows = query("select calendar_year, sum(headcount) as students from marts.fct__enrolment group by 1 order by 1")
    assert [r["calendar_year"] for r in rows] == list(range(2004, 2024))
    assert all(700_000 < r["students"] < 900_000 for r in rows)


def test_the_marts_answer_a_schools_attendance_over_time(published):
    rows = query(
        "select f.calendar_year, f.attendance_rate, f.attendance_status from marts.fct__attendance f "
        "join marts.dim__school s using (school_sk) where s.school_name = 'Abbotsford Public School' order by 1"
    )
    assert [r["calendar_year"] for r in rows] == [y for y in range(2011, 2023) if y != 2020]
    assert rows[0] == {"calendar_year": 2011, "attendance_rate": 94.3, "attendance_status": "reported"}


def test_the_marts_answer_composite_class_share_per_year(published):
    rows = query(
        "select calendar_year, measure_value as pct_students_in_composite_classes from marts.fct__statewide_total "
        "where source_dataset = 'composite_classes' and measure = 'pct_composite_class_students' order by 1"
    )
    assert [r["calendar_year"] for r in rows] == [2014, 2015, 2016, 2017, 2018, 2019, 2021, 2022]
    assert all(0 < r["pct_students_in_composite_classes"] < 100 for r in rows)


def test_the_marts_answer_how_a_school_changed_over_time(published):
    rows = query(
        "select valid_from, valid_to, principal_network, latest_year_enrolment_fte from marts.dim__school "
        "where school_code = 1001 order by valid_from"
    )
    assert len(rows) > 1
    assert rows[0]["valid_from"] == MASTER_VINTAGES[0] and rows[-1]["valid_to"] is None
    assert all(a["valid_to"] == b["valid_from"] for a, b in itertools.pairwise(rows))


def test_the_field_dimension_describes_every_column_the_master_dataset_published(built, con):
    raw_columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'master_dataset' and not starts_with(column_name, '_')"
        ).fetchall()
    }
    described = dict(
        con.execute("select column_name, in_2025_metadata from marts.dim__master_dataset_field").fetchall()
    )
    # Student_number (2018 only) predates both dictionaries.
    assert raw_columns - set(described) == {"student_number"}
    latest = max(load_manifest(built[0].manifest_path).get("master_dataset").files, key=lambda f: f.vintage)
    current = {c for c, in_2025 in described.items() if in_2025}
    assert len(latest.columns) == 46 and len(current) == 46 and current <= raw_columns
