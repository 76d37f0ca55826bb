"""Describing the tables Python assets write (schemas `semantic` and `ml`) in DuckDB comments, as dbt's
persist_docs does for the models: `nsw-doe export`'s data dictionary and any DuckDB client read them there."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb


def sql_literal(text: str) -> str:
    """A SQL string literal holding `text`."""
    return "'" + text.replace("'", "''") + "'"


def describe_table(
    con: duckdb.DuckDBPyConnection, table: str, description: str, columns: Iterable[tuple[str, str]]
) -> None:
    """Comment `table` (schema-qualified, as it appears in SQL) and each (column, description) of it."""
    con.execute(f"comment on table {table} is {sql_literal(description)}")
    for column, text in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        con.execute(f"comment on column {table}.{quoted} is {sql_literal(text)}")
