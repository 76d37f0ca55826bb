"""`nsw-doe diff` and the diff behind it, on copies of the shared build with edits whose effect is known."""

import dataclasses
import json
import shutil

import duckdb
import pytest

from nsw_doe.diff import diff_files
from nsw_doe.table_keys import project_table_keys
from nsw_doe.warehouse import Warehouse
from tests.conftest import nsw_doe
from tests.edited_build import Edits, edited_copy, make_edits

WIDE = {"COLUMNS": "250"}  # a wide terminal, so the table's cells are not wrapped


@pytest.fixture(scope="module")
def keys(built):
    return project_table_keys()


@pytest.fixture(scope="module")
def edits(built, tmp_path_factory) -> Edits:
    published = Warehouse(built[0].warehouse_dir).published
    return make_edits(published, tmp_path_factory.mktemp("edited") / "edited.duckdb")


def expected_tables(edits: Edits) -> dict[str, dict]:
    """What the diff must report for the edited tables, from the edits alone."""
    return {
        "marts.dim__school": {
            "key": ["school_code", "valid_from"],
            "status": "changed",
            "added": 1,
            "removed": 0,
            "changed": 1,
            "changed_columns": {"principal_network": 1},
            "examples": {
                "added": [{"school_code": edits.new_school_code, "valid_from": edits.new_valid_from}],
                "changed": [{"school_code": edits.school_code, "valid_from": edits.valid_from}],
            },
        },
        "marts.fct__enrolment": {
            "key": ["school_code", "calendar_year"],
            "status": "changed",
            "added": 0,
            "removed": 1,
            "changed": 0,
            "changed_columns": {},
            "examples": {"removed": [{"school_code": edits.enrolment_school, "calendar_year": edits.enrolment_year}]},
        },
    }


def test_the_json_diff_reports_exactly_the_edits(edits):
    result = nsw_doe("diff", str(edits.old), str(edits.new), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["old"], report["new"]) == (str(edits.old), str(edits.new))
    differing = {t["table"]: t for t in report["tables"] if t["status"] != "unchanged"}
    expected = expected_tables(edits)
    assert set(differing) == set(expected)
    for table, fields in expected.items():
        assert {k: differing[table][k] for k in fields} == fields, table
    # every table of the published schemas was compared, and the rest show no difference
    with duckdb.connect(str(edits.old), read_only=True) as con:
        published = con.execute(
            "select count(*) from duckdb_tables() where schema_name in "
            "('marts', 'reporting', 'semantic', 'ml', 'quarantine', 'audit') "
            "and table_name not in ('build_diff', 'release_notes')"  # the diff's own record
        ).fetchall()[0][0]
    assert len(report["tables"]) == published
    rows = {t["table"]: (t["rows_old"], t["rows_new"]) for t in report["tables"]}
    assert rows["marts.dim__school"][1] == rows["marts.dim__school"][0] + 1
    assert rows["marts.fct__enrolment"][1] == rows["marts.fct__enrolment"][0] - 1


def test_the_terminal_and_markdown_reports_name_the_edits(edits):
    school_key = f"school_code={edits.school_code}, valid_from={edits.valid_from}"
    added_key = f"school_code={edits.new_school_code}, valid_from={edits.new_valid_from}"
    removed_key = f"school_code={edits.enrolment_school}, calendar_year={edits.enrolment_year}"
    terminal = nsw_doe("diff", str(edits.old), str(edits.new), **WIDE)
    assert terminal.returncode == 0, terminal.stderr
    lines = terminal.stdout.splitlines()
    dim_row = next(line for line in lines if "marts.dim__school" in line and "│" in line)
    assert [cell.strip() for cell in dim_row.strip("│ ").split("│")][3:] == ["1", "0", "1", "principal_network 1"]
    fact_row = next(line for line in lines if "marts.fct__enrolment" in line and "│" in line)
    assert [cell.strip() for cell in fact_row.strip("│ ").split("│")][3:6] == ["0", "1", "0"]
    assert f"marts.dim__school: examples: added: {added_key}; changed: {school_key}" in lines
    assert f"marts.fct__enrolment: examples: removed: {removed_key}" in lines
    assert "2 tables changed: +1 row, -1 row, 1 row changed" in terminal.stdout

    markdown = nsw_doe("diff", str(edits.old), str(edits.new), "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    rows = [line for line in markdown.stdout.splitlines() if line.startswith("| marts.")]
    assert len(rows) == 2
    assert rows[0].startswith("| marts.dim__school | school_code, valid_from |")
    assert rows[0].endswith("| 1 | 0 | 1 | principal_network 1 |")
    assert rows[1].startswith("| marts.fct__enrolment | school_code, calendar_year |")
    assert rows[1].endswith("| 0 | 1 | 0 |  |")
    assert f"- marts.dim__school: examples: added: {added_key}; changed: {school_key}" in markdown.stdout


def test_identical_files_have_no_differences(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    diff = diff_files(published, edited_copy(published, tmp_path), keys)
    assert diff.differing == []
    assert all(t.added == t.removed == 0 and not t.changed for t in diff.tables)
    result = nsw_doe("diff", str(published), str(published))
    assert result.returncode == 0, result.stderr
    assert "No differences" in result.stdout


def test_schema_changes_are_reported(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    new = edited_copy(
        published,
        tmp_path,
        "alter table marts.fct__composite_class drop column pct_composite_classes; "
        "alter table marts.dim__calendar_year add column remark varchar; "
        "alter table marts.fct__enrolment alter headcount type double; "
        "create table marts.fct__new_thing as select 1 as id; "
        "drop table reporting.rpt__coverage",
    )
    diff = {t.table: t for t in diff_files(published, new, keys).differing}
    assert set(diff) == {
        "marts.fct__composite_class",
        "marts.dim__calendar_year",
        "marts.fct__enrolment",
        "marts.fct__new_thing",
        "reporting.rpt__coverage",
    }
    assert diff["marts.fct__composite_class"].columns_removed == ["pct_composite_classes"]
    assert diff["marts.dim__calendar_year"].columns_added == ["remark"]
    with duckdb.connect(str(published), read_only=True) as con:
        old_type = con.execute(
            "select data_type from duckdb_columns() where table_name = 'fct__enrolment' and column_name = 'headcount'"
        ).fetchall()[0][0]
    assert diff["marts.fct__enrolment"].columns_retyped == {"headcount": f"{old_type} -> DOUBLE"}
    assert (diff["marts.fct__new_thing"].status, diff["marts.fct__new_thing"].added) == ("added", 1)
    assert diff["reporting.rpt__coverage"].status == "removed"
    # the values the tables share did not change (a retyped column is compared in its new type)
    assert all(t.added == t.removed == t.changed == 0 for t in diff.values() if t.status == "unchanged")


def test_a_repeated_key_is_reported_not_counted(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    new = edited_copy(
        published,
        tmp_path,
        "insert into marts.fct__attendance select * from marts.fct__attendance order by school_code, calendar_year "
        "limit 1",
    )
    with duckdb.connect(str(new), read_only=True) as con:
        code, year = con.execute(
            "select school_code, calendar_year from marts.fct__attendance order by 1, 2 limit 1"
        ).fetchall()[0]
    table = next(t for t in diff_files(published, new, keys).differing if t.table == "marts.fct__attendance")
    assert table.status == "key_not_unique"
    assert table.duplicate_keys == {"new": 1}
    assert table.examples == {"duplicated_in_new": [{"school_code": code, "calendar_year": year}]}
    assert (table.added, table.removed, table.changed) == (None, None, None)


def test_a_numeric_change_is_among_the_largest(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    with duckdb.connect(str(published), read_only=True) as con:
        code, year, headcount = con.execute(
            "select school_code, calendar_year, headcount from marts.fct__enrolment where headcount > 0 "
            "order by school_code, calendar_year limit 1"
        ).fetchall()[0]
    new = edited_copy(
        published,
        tmp_path,
        f"update marts.fct__enrolment set headcount = headcount + 5000 where school_code = {code} "
        f"and calendar_year = {year}",
    )
    table = next(t for t in diff_files(published, new, keys).differing if t.table == "marts.fct__enrolment")
    assert table.changed_columns == {"headcount": 1}
    assert table.largest_changes == [
        {
            "key": {"school_code": code, "calendar_year": year},
            "column": "headcount",
            "old": headcount,
            "new": headcount + 5000,
        }
    ]


def test_a_table_without_a_key_is_compared_as_whole_rows(edits, keys):
    without = {t: k for t, k in keys.keys.items() if t != "marts.fct__enrolment"}
    diff = diff_files(edits.old, edits.new, dataclasses.replace(keys, keys=without))
    table = next(t for t in diff.tables if t.table == "marts.fct__enrolment")
    assert (table.key, table.added, table.removed, table.changed) == (None, 0, 1, None)


def test_columns_that_change_in_every_build_are_counted_apart(built, keys, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    new = edited_copy(published, tmp_path, "update audit.build set built_at = built_at + interval 1 hour")
    diff = diff_files(published, new, keys)
    build = next(t for t in diff.tables if t.table == "audit.build")
    assert (build.status, build.changed, build.changes_every_build) == ("unchanged", 0, {"built_at": 1})
    assert diff.differing == []


def test_diff_names_a_missing_file(built, tmp_path):
    published = Warehouse(built[0].warehouse_dir).published
    missing = tmp_path / "missing.duckdb"
    result = nsw_doe("diff", str(missing), str(published))
    assert result.returncode == 1
    assert f"There is no warehouse file at {missing}" in " ".join(result.stderr.split())


def test_diff_without_a_previous_build_says_so(own_warehouse):
    result = nsw_doe("diff")
    assert result.returncode == 1
    assert f"There is no previous build at {own_warehouse.previous}" in " ".join(result.stderr.split())


def test_diff_defaults_to_the_previous_and_the_published_build(own_warehouse, edits):
    shutil.copy(edits.new, own_warehouse.directory / "next.duckdb")
    own_warehouse.publish(own_warehouse.directory / "next.duckdb")
    result = nsw_doe("diff", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["old"], report["new"]) == (str(own_warehouse.previous), str(own_warehouse.published))
    assert {t["table"] for t in report["tables"] if t["status"] != "unchanged"} == set(expected_tables(edits))
