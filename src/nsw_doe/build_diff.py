"""Every publish stores its diff: `audit.build_diff` (a row per table) and `audit.release_notes` (the changelog).

Written into a finished build before it is published, comparing it with the build it replaces (the published file,
attached read-only). The release notes carry the replaced build's notes forward, so the table is the changelog of
the data across builds. A first build (nothing published, or a published file that is not a readable build) records
one row saying there was nothing to compare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from nsw_doe.diff import WarehouseDiff, change_counts, diff_catalogs, headline_counts, quote
from nsw_doe.release_notes import FIRST_BUILD, Builds, Note, release_notes
from nsw_doe.table_comments import describe_table, registry_table, registry_typed_columns, sql_literal, write_frame
from nsw_doe.table_keys import TableKeys
from nsw_doe.warehouse import BUILD_RECORD, unreadable_reason

BUILD_DIFF_TABLE = "audit.build_diff"
RELEASE_NOTES_TABLE = "audit.release_notes"
# JSON, not VARCHAR[], for the column lists too (key_columns as well): DuckDB 0.10.3 cannot read back a list column
# whose lists are all empty or null (columns_added in most builds, key_columns in a first build) in the storage format
# the warehouse uses.
JSON_COLUMNS = (
    "columns_added",
    "columns_removed",
    "changed_columns",
    "changes_every_build",
    "columns_retyped",
    "duplicate_keys",
    "examples",
)


@dataclass
class BuildDiffRecord:
    headline: str  # one line for the build summary
    notes: list[str]  # this build's release notes


def headline(diff: WarehouseDiff | None) -> str:
    """The build against the one it replaces, in one line."""
    if diff is None:
        return "Nothing was published before this build: no comparison."
    return f"Compared with the build it replaces: {headline_counts(diff)}."


def _diff_rows(diff: WarehouseDiff | None, compared_with) -> pd.DataFrame:
    if diff is None:
        rows = [{"table_name": None, "status": "nothing_published"}]
    else:
        rows = []
        for t in diff.tables:
            row = {
                "table_name": t.table,
                "key_columns": None if t.key is None else json.dumps(t.key),
                "status": t.status,
                "differs": t.differs,
                "rows_old": t.rows_old,
                "rows_new": t.rows_new,
                "added": t.added,
                "removed": t.removed,
                "changed": t.changed,
                "summary": change_counts(t),
                "largest_changes": json.dumps(t.largest_changes, default=str),
            }
            rows.append(row | {c: json.dumps(getattr(t, c), default=str) for c in JSON_COLUMNS})
    frame = pd.DataFrame(rows)
    frame.insert(0, "compared_with_built_at", compared_with)
    return frame


def _write_diff(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Replace audit.build_diff with `frame`, its columns typed as the registry declares them."""
    description, _ = registry_table(*BUILD_DIFF_TABLE.split("."))
    columns = registry_typed_columns(*BUILD_DIFF_TABLE.split("."))
    select = ", ".join(f"cast({quote(c)} as {data_type}) as {quote(c)}" for c, data_type, _ in columns)
    frame = frame.reindex(columns=[c for c, *_ in columns])  # the first build's row leaves most columns empty
    write_frame(con, BUILD_DIFF_TABLE, frame, description, [(c, d) for c, _, d in columns], select, "table_name")


def _write_notes(con: duckdb.DuckDBPyConnection, notes: list[Note], carry_forward: bool) -> None:
    """This build's notes (stamped with its audit.build row) and, before them, the replaced build's."""
    description, columns = registry_table(*RELEASE_NOTES_TABLE.split("."))
    frame = pd.DataFrame({"topic": [n.topic for n in notes], "sentence": [n.sentence for n in notes]})
    frame["note_order"] = range(1, len(notes) + 1)
    earlier = f"union all by name select * from old.{RELEASE_NOTES_TABLE}" if carry_forward else ""
    con.register("notes", frame)
    try:
        con.execute(
            f"""
            create or replace table {RELEASE_NOTES_TABLE} as
            select built_at, code_version, note_order, topic, sentence
            from (
                select b.built_at, b.code_version, n.note_order::integer as note_order, n.topic, n.sentence
                from notes as n cross join {BUILD_RECORD} as b
                {earlier}
            )
            order by built_at desc, note_order
            """
        )
    finally:
        con.unregister("notes")
    describe_table(con, RELEASE_NOTES_TABLE, description, columns.items())


def record_build_diff(database: str | Path, published: Path, keys: TableKeys) -> BuildDiffRecord:
    """Compare the build in `database` (its audit.build already written) with `published`, the build it is about to
    replace, and store the diff and the release notes in it."""
    comparable = published.exists() and unreadable_reason(published) is None
    with duckdb.connect(str(database)) as con:
        diff = compared_with = None
        if comparable:
            con.execute(f"attach {sql_literal(str(published))} as old (read_only)")
            current = con.execute("select current_database()").fetchall()[0][0]
            diff = diff_catalogs(con, "old", current, keys, labels=(str(published), str(database)))
            compared_with = con.execute(f"select max(built_at) from old.{BUILD_RECORD}").fetchall()[0][0]
            notes = release_notes(Builds(con, "old", current), diff)
            has_notes = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'old' and schema_name = 'audit' "
                "and table_name = 'release_notes'"
            ).fetchall()[0][0]
        else:
            notes, has_notes = [FIRST_BUILD], 0
        con.execute("create schema if not exists audit")
        _write_diff(con, _diff_rows(diff, compared_with))
        _write_notes(con, notes, carry_forward=bool(has_notes))
        if comparable:
            con.execute("detach old")
    return BuildDiffRecord(headline(diff), [n.sentence for n in notes])
