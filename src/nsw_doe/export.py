"""`nsw-doe export DIR`: the analyst-facing tables of the published warehouse as Parquet or CSV files, for tools that
do not read DuckDB (Tableau, Power BI, Excel).

Every table of the schemas `marts`, `semantic` and `ml` (those that exist) becomes `DIR/<schema>/<table>.<format>`,
written by DuckDB's COPY from a read-only connection. Beside them: `data_dictionary.csv`, one row per column with its
type, description and the table's row count, and `README.txt` with the attribution and the build the files came from.

The descriptions are the DuckDB table and column comments of the published file, which dbt writes from the model
YAML (`persist_docs` in transform/dbt_project.yml). They are read from the same connection as the data, so the
dictionary always describes the build it was exported from, and a table written outside dbt (a Dagster asset) is
described the same way, by commenting it.

The export is written into a hidden directory beside DIR and renamed into place, so a half-written export never
looks complete. DIR must be new or empty; `force` replaces an earlier export (known by its marker file), never a
directory holding anything else.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import textwrap
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nsw_doe.warehouse import Warehouse

EXPORT_SCHEMAS = ("marts", "semantic", "ml")
FORMATS = ("parquet", "csv")
DICTIONARY_NAME = "data_dictionary.csv"
DICTIONARY_COLUMNS = ("schema", "table", "column", "type", "description", "rows", "table_description", "file")
README_NAME = "README.txt"
MARKER_NAME = ".nsw-doe-export"
# Tables holding rows from ACARA's workbooks, which are not CC BY (see the README's ACARA section).
ACARA_TABLES = ("marts.fct__school_profile", "marts.dim__non_government_school")


class ExportError(Exception):
    """The export cannot be written where it was asked to be."""


@dataclass
class ExportedTable:
    schema: str
    table: str
    rows: int
    file: str  # relative to the export directory
    description: str | None = None
    columns: list[tuple[str, str, str | None]] = field(default_factory=list)  # name, type, description


@dataclass
class Export:
    directory: Path
    file_format: str
    tables: list[ExportedTable]


def export_warehouse(warehouse: Warehouse, target: Path, file_format: str = "parquet", force: bool = False) -> Export:
    """Write the tables of EXPORT_SCHEMAS of the published warehouse under target; see the module's docstring."""
    if file_format not in FORMATS:
        raise ExportError(f"Cannot export as {file_format!r}: the formats are {' and '.join(FORMATS)}.")
    target = target.absolute()
    _check_target(target, force)
    with warehouse.connect_read_only() as con:
        tables = _tables(con)
        if not any(schema == "marts" for schema, _, _ in tables):
            raise ExportError(f"The warehouse at {warehouse.published} has no marts to export: run `nsw-doe build`.")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex}")
        staging.mkdir()
        try:
            exported = [
                _copy_table(con, staging, schema, table, comment, file_format) for schema, table, comment in tables
            ]
            _write_dictionary(staging / DICTIONARY_NAME, exported)
            (staging / README_NAME).write_text(_readme(con, warehouse, file_format, exported))
            (staging / MARKER_NAME).write_text(
                json.dumps({"format": file_format, "tables": [t.file for t in exported]}, indent=2) + "\n"
            )
            _check_target(target, force)  # again: DIR may have changed while the files were written
            _move_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Export(target, file_format, exported)


def _check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file: give a directory to export into.")
    if not target.is_dir() or not any(target.iterdir()):
        return
    if not (target / MARKER_NAME).exists():
        raise ExportError(
            f"{target} is not empty and holds no earlier export, so nothing was written: choose a new or empty "
            "directory (--force replaces only an earlier export, never other files)."
        )
    if not force:
        raise ExportError(
            f"{target} holds an earlier export, so nothing was written: add --force to replace it, or choose a new "
            "or empty directory."
        )


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    rows = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = current_database() and schema_name in (select unnest(?)) and not temporary",
        [list(EXPORT_SCHEMAS)],
    ).fetchall()
    return sorted(rows, key=lambda r: (EXPORT_SCHEMAS.index(r[0]), r[1]))


def _copy_table(
    con: duckdb.DuckDBPyConnection, directory: Path, schema: str, table: str, comment: str | None, file_format: str
) -> ExportedTable:
    relative = f"{schema}/{table}.{file_format}"
    path = directory / relative
    path.parent.mkdir(exist_ok=True)
    options = "format parquet" if file_format == "parquet" else "format csv, header true"
    quoted = str(path).replace("'", "''")
    rows = con.execute(f'copy "{schema}"."{table}" to \'{quoted}\' ({options})').fetchone()[0]
    columns = con.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    return ExportedTable(schema, table, rows, relative, comment or None, [(n, t, c or None) for n, t, c in columns])


def _write_dictionary(path: Path, tables: list[ExportedTable]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(DICTIONARY_COLUMNS)
        for t in tables:
            for name, data_type, description in t.columns:
                writer.writerow([t.schema, t.table, name, data_type, description or "", t.rows, t.description, t.file])


def _build_of(con: duckdb.DuckDBPyConnection) -> str:
    """When the exported build loaded its data (dlt's load record), read from the exported file itself."""
    try:
        load_id, loaded_at = con.execute(
            "select load_id, inserted_at from raw._dlt_loads order by inserted_at desc limit 1"
        ).fetchone()
    except (duckdb.Error, TypeError):  # no load table, or an empty one
        return "unknown (the warehouse holds no load record)"
    return f"{loaded_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC (dlt load {load_id})"


def _has_acara_rows(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return con.execute("select count(*) from raw.acara_school_profile").fetchone()[0] > 0
    except duckdb.Error:
        return False


def _readme(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, file_format: str, tables) -> str:
    listing = "\n".join(f"  {t.file:<58} {t.rows:>9,} rows" for t in tables)
    acara = [t.file for t in tables if f"{t.schema}.{t.table}" in ACARA_TABLES]
    licence_note = ""
    if acara and _has_acara_rows(con):
        note = (
            "This build read ACARA's school profile and location workbooks, which are not CC BY: the rows they "
            f"contributed ({', '.join(acara)}) are for your use under ACARA's terms and must not be redistributed "
            "under CC BY."
        )
        licence_note = "\n" + textwrap.fill(note, width=110) + "\n"
    return f"""NSW Department of Education open data: tables of the nsw-doe warehouse as {file_format.upper()} files

Source: NSW Department of Education, via Data.NSW.
(c) State of New South Wales (Department of Education), licensed under CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). Attribute as "NSW Department of Education, via Data.NSW".
{licence_note}
Build:     {_build_of(con)}
Warehouse: {warehouse.published}
Exported:  {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC by `nsw-doe export --format {file_format}`

{DICTIONARY_NAME} describes every column of every file: schema, table, column, type, description, the
table's row count, the table's description and its file. Files:

{listing}
"""


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished export to target: over an empty directory, or in place of an earlier export."""
    if target.is_dir() and any(target.iterdir()):
        replaced = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex}")
        os.rename(target, replaced)
        os.rename(staging, target)
        shutil.rmtree(replaced, ignore_errors=True)
    else:
        if target.is_dir():
            target.rmdir()
        os.rename(staging, target)
