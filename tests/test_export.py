"""`nsw-doe export`: the marts (and the semantic and ML tables) as Parquet or CSV files with a data dictionary."""

import csv
import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from nsw_doe import export
from nsw_doe.export import DICTIONARY_COLUMNS, DICTIONARY_NAME, MARKER_NAME, README_NAME, ExportError, export_warehouse
from nsw_doe.warehouse import Warehouse
from tests.conftest import nsw_doe


def read_csv_rows(path: Path) -> list[list[str]]:
    # An intake zone's boundary (GeoJSON) runs to megabytes in one field, past the csv module's default limit; the
    # limit is process-wide (the source readers rely on it), so it is put back.
    default = csv.field_size_limit(2**31 - 1)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle))
    finally:
        csv.field_size_limit(default)


def assert_one_paragraph_error(result: subprocess.CompletedProcess, code: int, *phrases: str) -> None:
    assert result.returncode == code, result.stderr
    message = "".join(result.stderr.split())  # rich wraps long lines wherever it likes, paths included
    for phrase in phrases:
        assert "".join(phrase.split()) in message, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module", params=["parquet", "csv"])
def exported(request, built, tmp_path_factory) -> tuple[str, Path]:
    """The shared build exported through the CLI, once per format."""
    target = tmp_path_factory.mktemp("export") / request.param
    result = nsw_doe(
        "export", str(target), "--format", request.param, NSW_DOE_WAREHOUSE_DIR=str(built[0].warehouse_dir)
    )
    assert result.returncode == 0, result.stderr
    assert "Exported" in result.stdout and (target / DICTIONARY_NAME).exists()
    return request.param, target


def marts(con) -> dict[str, list[tuple[str, str]]]:
    """Every mart's columns (name, type), in order."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'marts' order by table_name, column_index"
    ).fetchall():
        tables.setdefault(table, []).append((column, data_type))
    return tables


def test_every_mart_is_exported_with_its_rows_and_columns(exported, built):
    file_format, target = exported
    # The warehouse and the exported files side by side: a reader may read files only where it is allowed to.
    with Warehouse(built[0].warehouse_dir).connect_read_only(writable_directory=target) as con:
        tables = marts(con)
        assert len(tables) >= 10
        assert sorted(p.name for p in (target / "marts").iterdir()) == sorted(f"{t}.{file_format}" for t in tables)
        for table, columns in tables.items():
            path = target / "marts" / f"{table}.{file_format}"
            rows = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            quoted = str(path).replace("'", "''")
            if file_format == "parquet":
                assert con.execute(f"describe select * from read_parquet('{quoted}')").fetchall() == [
                    (name, data_type, "YES", None, None, None) for name, data_type in columns
                ], table
                reader = f"read_parquet('{quoted}')"
            else:  # what a spreadsheet sees: a header, then one record per row
                header, *records = read_csv_rows(path)
                assert header == [name for name, _ in columns], table
                assert len(records) == rows and all(len(r) == len(header) for r in records), table
                types = ", ".join(f"'{name}': '{data_type}'" for name, data_type in columns)
                reader = f"read_csv('{quoted}', header = true, auto_detect = false, columns = {{{types}}})"
            assert con.execute(f"select count(*) from {reader}").fetchone()[0] == rows, table
            for left, right in ((f"marts.{table}", reader), (reader, f"marts.{table}")):
                missing = con.execute(f"select count(*) from (select * from {left} except all select * from {right})")
                assert missing.fetchone()[0] == 0, f"{table}: the file holds other values than the warehouse"


def test_the_data_dictionary_describes_every_column_of_every_file(exported, con):
    file_format, target = exported
    header, *records = read_csv_rows(target / DICTIONARY_NAME)
    assert tuple(header) == DICTIONARY_COLUMNS
    entries = [dict(zip(header, r, strict=True)) for r in records]
    described = {(e["table"], e["column"]): e for e in entries if e["schema"] == "marts"}
    expected = {(t, c): data_type for t, columns in marts(con).items() for c, data_type in columns}
    assert described.keys() == expected.keys()
    for (table, column), entry in described.items():
        assert entry["type"] == expected[(table, column)]
        assert entry["description"].strip(), f"marts.{table}.{column} has no description"
        assert entry["table_description"].strip(), f"marts.{table} has no description"
        assert int(entry["rows"]) == con.execute(f"select count(*) from marts.{table}").fetchone()[0]
        assert (target / entry["file"]).is_file() and entry["file"] == f"marts/{table}.{file_format}"


def test_the_readme_attributes_the_data_and_names_the_build(exported, con):
    _, target = exported
    readme = " ".join((target / README_NAME).read_text().split())
    load_id = con.execute("select load_id from raw._dlt_loads order by inserted_at desc limit 1").fetchone()[0]
    assert '"NSW Department of Education, via Data.NSW"' in readme and "CC BY 4.0" in readme
    assert f"dlt load {load_id}" in readme
    assert "marts/dim__school." in readme and DICTIONARY_NAME in readme


@pytest.fixture
def small_warehouse(tmp_path) -> Warehouse:
    """A published warehouse with a table in each schema, some described, others not."""
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.directory.mkdir()
    with duckdb.connect(str(warehouse.published)) as con:
        for schema in ("marts", "semantic", "ml", "staging"):
            con.execute(f"create schema {schema}")
            con.execute(f"create table {schema}.t as select range as id, 'x' || range as label from range(3)")
        con.execute("comment on table marts.t is 'A mart.'")
        con.execute("comment on column marts.t.id is 'The id.'")
    return warehouse


def test_semantic_and_ml_tables_are_exported_beside_the_marts_and_nothing_else(small_warehouse, tmp_path):
    target = tmp_path / "out"
    result = export_warehouse(small_warehouse, target, "csv")
    assert [t.file for t in result.tables] == ["marts/t.csv", "semantic/t.csv", "ml/t.csv"]
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [MARKER_NAME, DICTIONARY_NAME, README_NAME, "marts", "semantic", "ml"]
    )
    dictionary = [r[:6] for r in read_csv_rows(target / DICTIONARY_NAME)[1:]]
    assert ["marts", "t", "id", "BIGINT", "The id.", "3"] in dictionary
    assert ["ml", "t", "label", "VARCHAR", "", "3"] in dictionary
    assert "dlt load" not in (target / README_NAME).read_text(), "no load record, no made-up build"


def test_a_failed_export_leaves_nothing_that_looks_complete(small_warehouse, tmp_path, monkeypatch):
    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write_dictionary", fail)
    with pytest.raises(OSError, match="disk full"):
        export_warehouse(small_warehouse, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse"], "no export, no partial directory"


def test_force_replaces_an_earlier_export_and_nothing_else(small_warehouse, tmp_path):
    env = {"NSW_DOE_WAREHOUSE_DIR": str(small_warehouse.directory)}
    target = tmp_path / "out"
    assert nsw_doe("export", str(target), "--format", "csv", **env).returncode == 0

    again = nsw_doe("export", str(target), **env)
    assert_one_paragraph_error(again, 1, "error:", f"{target} holds an earlier export", "add --force")
    assert (target / "marts" / "t.csv").exists() and not (target / "marts" / "t.parquet").exists()

    # A user's own files beside the export, at the top and inside a schema's folder, are none of its business.
    (target / "my_notes.txt").write_text("notes")
    (target / "marts" / "my_analysis.csv").write_text("a,b\n1,2\n")
    forced = nsw_doe("export", str(target), "--force", **env)
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in (target / "marts").iterdir()) == ["my_analysis.csv", "t.parquet"]
    assert (target / "my_notes.txt").read_text() == "notes"
    assert (target / "marts" / "my_analysis.csv").read_text() == "a,b\n1,2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "warehouse"], "no leftovers beside it"
    assert json.loads((target / MARKER_NAME).read_text())["files"] == [
        "marts/t.parquet",
        "semantic/t.parquet",
        "ml/t.parquet",
        DICTIONARY_NAME,
        README_NAME,
    ]

    # A file the earlier export did not write, where this one would write, stops it before anything changes.
    (target / "marts" / "t.csv").write_text("mine")
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    clash = nsw_doe("export", str(target), "--format", "csv", "--force", **env)
    assert_one_paragraph_error(clash, 1, "has files the earlier export did not write", "marts/t.csv")
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before

    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.docx").write_bytes(b"precious")
    refused = nsw_doe("export", str(other), "--force", **env)
    assert_one_paragraph_error(
        refused, 1, f"{other} is not empty and holds no earlier export (it has thesis.docx)", "nothing was written"
    )
    assert [p.name for p in other.iterdir()] == ["thesis.docx"] and (other / "thesis.docx").read_bytes() == b"precious"


def test_an_empty_directory_is_filled_and_a_file_is_refused(small_warehouse, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert [t.file for t in export_warehouse(small_warehouse, empty).tables] == ["marts/t.parquet"] + [
        f"{schema}/t.parquet" for schema in ("semantic", "ml")
    ]
    assert (empty / "marts" / "t.parquet").exists()
    file = tmp_path / "file.txt"
    file.write_text("")
    with pytest.raises(ExportError, match="is a file"):
        export_warehouse(small_warehouse, file)


def test_export_without_a_published_warehouse_says_how_to_build_one(tmp_path):
    result = nsw_doe("export", str(tmp_path / "out"), NSW_DOE_WAREHOUSE_DIR=str(tmp_path / "warehouse"))
    assert_one_paragraph_error(
        result, 1, "error:", f"No warehouse has been published at {tmp_path}/warehouse/nsw_doe.duckdb", "nsw-doe build"
    )
    assert list(tmp_path.iterdir()) == [], "nothing was created"


def test_an_unknown_export_format_is_a_usage_error(small_warehouse, tmp_path):
    result = nsw_doe("export", str(tmp_path / "out"), "--format", "xlsx", NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Invalid value for '--format'" in " ".join(result.stderr.replace("│", " ").split())
    assert not (tmp_path / "out").exists()
    with pytest.raises(ExportError, match="the formats are parquet and csv"):
        export_warehouse(small_warehouse, tmp_path / "out", "xlsx")


def test_a_warehouse_without_marts_is_refused(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.directory.mkdir()
    duckdb.connect(str(warehouse.published)).close()
    with pytest.raises(ExportError, match="no marts to export"):
        export_warehouse(warehouse, tmp_path / "out")
    assert not (tmp_path / "out").exists()
