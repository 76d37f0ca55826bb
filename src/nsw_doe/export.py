"""`nsw-doe export DIR`: the analyst-facing tables of the published warehouse as Parquet or CSV files, for tools that
do not read DuckDB (Tableau, Power BI, Excel).

Every table of the schemas `marts`, `semantic` and `ml` (those that exist) becomes `DIR/<schema>/<table>.<format>`,
written by DuckDB's COPY from a read-only connection. Beside them: `data_dictionary.csv`, one row per column with its
type, description and the table's row count, and `README.txt` with the attribution and the build the files came from.

The descriptions are the DuckDB table and column comments of the published file, which dbt writes from the model
YAML (`persist_docs` in transform/dbt_project.yml). They are read from the same connection as the data, so the
dictionary always describes the build it was exported from, and a table written outside dbt (a Dagster asset) is
described the same way, by commenting it.

The export is written into a hidden directory beside DIR and moved into place, so a half-written export never looks
complete. The connection can write files only in that directory (see warehouse.open_read_only). DIR must be new or
empty, or hold an earlier export: its marker file lists every file that export wrote, and `force` replaces exactly
those, leaving anything else in DIR as it was.
"""

from __future__ import annotations

import contextlib
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
    _earlier_files(target, force)
    warehouse.require_published()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex}")
    staging.mkdir()
    try:
        with warehouse.connect_read_only(writable_directory=staging) as con:
            tables = _tables(con)
            if not any(schema == "marts" for schema, _, _ in tables):
                raise ExportError(
                    f"The warehouse at {warehouse.published} has no marts to export: run `nsw-doe build`."
                )
            exported = [
                _copy_table(con, staging, schema, table, comment, file_format) for schema, table, comment in tables
            ]
            _write_dictionary(staging / DICTIONARY_NAME, exported)
            (staging / README_NAME).write_text(_readme(con, warehouse, file_format, exported))
        files = [t.file for t in exported] + [DICTIONARY_NAME, README_NAME]
        (staging / MARKER_NAME).write_text(
            json.dumps({"format": file_format, "tables": [t.file for t in exported], "files": files}, indent=2) + "\n"
        )
        earlier = _earlier_files(target, force)  # again: DIR may have changed while the files were written
        _move_into_place(staging, target, files, earlier)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Export(target, file_format, exported)


def _files_under(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if not p.is_dir())


def _earlier_files(target: Path, force: bool) -> list[str] | None:
    """The files an earlier export in target wrote (None if target is new or empty), or an error if the export may
    not write there."""
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file: give a directory to export into.")
    found = _files_under(target) if target.is_dir() else []
    if not found:
        return None
    marker = target / MARKER_NAME
    if not marker.exists():
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise ExportError(
            f"{target} is not empty and holds no earlier export (it has {shown}), so nothing was written: choose a "
            "new or empty directory (--force replaces only an earlier export's own files, never other files)."
        )
    if not force:
        raise ExportError(
            f"{target} holds an earlier export, so nothing was written: add --force to replace it (other files there "
            "are left alone), or choose a new or empty directory."
        )
    recorded = json.loads(marker.read_text())
    # Exports before the marker listed every file named only their tables; they also wrote these two.
    return recorded.get("files", [*recorded["tables"], DICTIONARY_NAME, README_NAME])


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


def _move_into_place(staging: Path, target: Path, files: list[str], earlier: list[str] | None) -> None:
    """Rename the finished export to target when target is new or empty. Over an earlier export: its marker goes
    first (a half-replaced export never looks complete), then each new file moves in, the earlier export's files
    that this one did not write are removed, and the new marker comes last. A file the earlier export did not write
    is never replaced or removed."""
    if earlier is None:
        if target.is_dir():
            target.rmdir()
        os.rename(staging, target)
        return
    others = set(_files_under(target)) - set(earlier) - {MARKER_NAME}
    if clashes := sorted(others & set(files)):
        raise ExportError(
            f"{target} has files the earlier export did not write where this one would write ({', '.join(clashes)}), "
            "so nothing was written: move them, or export into another directory."
        )
    (target / MARKER_NAME).unlink()
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target / name)
    for name in set(earlier) - set(files):
        if not (target / name).resolve().is_relative_to(target.resolve()):
            continue  # a hand-edited marker naming a file outside DIR: not the export's to remove
        (target / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # its folder goes too, if the export left it empty
            (target / name).parent.rmdir()
    os.replace(staging / MARKER_NAME, target / MARKER_NAME)
