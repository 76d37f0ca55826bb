"""Writing the tables Python code adds to a build (schemas `semantic`, `ml`, `audit`) described in DuckDB comments,
as dbt's persist_docs does for the models: `nsw-doe export`'s data dictionary and any DuckDB client read them there.

The descriptions of the `ml` and `audit` tables (and the SQL types of the forecast tables) are written once, as dbt
sources in REGISTRY (so dbt's docs show them too); `registry_table` hands them to the writers."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import duckdb
import yaml

from nsw_doe.settings import project_dir

REGISTRY = ("transform", "models", "sources", "_python_tables.yml")


@cache
def registry() -> dict[tuple[str, str], tuple[str, dict[str, dict]]]:
    """(schema, table) -> (table description, {column: its entry (description, data_type)} in the registry's order),
    from REGISTRY."""
    document = yaml.safe_load(project_dir().joinpath(*REGISTRY).read_text(encoding="utf-8"))
    return {
        (source.get("schema", source["name"]), table["name"]): (
            table["description"],
            {column["name"]: column for column in table.get("columns", [])},
        )
        for source in document["sources"]
        for table in source["tables"]
    }


def _entry(schema: str, table: str) -> tuple[str, dict[str, dict]]:
    try:
        return registry()[schema, table]
    except KeyError:
        raise KeyError(f"{schema}.{table} is not described in {'/'.join(REGISTRY)}") from None


def registry_table(schema: str, table: str) -> tuple[str, dict[str, str]]:
    """The registry's description of `schema.table` and of its columns."""
    description, columns = _entry(schema, table)
    return description, {name: column["description"] for name, column in columns.items()}


def registry_typed_columns(schema: str, table: str) -> list[tuple[str, str, str]]:
    """(column, SQL type, description) of every column of `schema.table`, in the registry's order."""
    return [(name, column["data_type"], column["description"]) for name, column in _entry(schema, table)[1].items()]


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


def write_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame,
    description: str,
    columns: Iterable[tuple[str, str]],
    select: str = "*",
    order_by: str | None = None,
) -> int:
    """Replace `table` with `frame` (its `select` list, sorted by `order_by`), describe it and each (column,
    description), and return its row count."""
    con.register("frame", frame)
    try:
        order = f" order by {order_by}" if order_by else ""
        con.execute(f"create or replace table {table} as select {select} from frame{order}")
    finally:
        con.unregister("frame")
    describe_table(con, table, description, columns)
    # fetchall: DuckDB 2.0 refuses more work on a connection whose last result was not read to the end.
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
