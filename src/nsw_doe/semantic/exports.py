"""Write each compiled saved query's result to a DuckDB table of the same name in schema `semantic`.

The tables keep MetricFlow's column names (metric_time__year, school__lga, ...) and add an integer calendar_year,
in the order year, group-by columns, metrics (as the saved query lists them); rows with no metric are left out. Every
table and column carries a comment (the `nsw-doe export` data dictionary reads them). Rows are written in the
order of their group-by columns and sums are computed single-threaded, so two builds write identical tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from nsw_doe.semantic.metricflow_runner import CompiledSavedQuery
from nsw_doe.table_comments import describe_table

SEMANTIC_SCHEMA = "semantic"
TIME_COLUMN = "metric_time__year"
YEAR_COLUMN = "calendar_year"
YEAR_DESCRIPTION = "Calendar year of metric_time__year, as an integer."


@dataclass(frozen=True)
class ExportedTable:
    name: str
    rows: int
    columns: tuple[str, ...]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_expression(name: str, type_name: str) -> str:
    column = _quote(name)
    if name == TIME_COLUMN and type_name != "DATE":
        return f"cast({column} as date) as {column}"
    if type_name == "HUGEINT":  # DuckDB sums integers into HUGEINT; readers (Parquet, older clients) want BIGINT
        return f"cast({column} as bigint) as {column}"
    return column


def write_saved_query(
    con: duckdb.DuckDBPyConnection,
    query: CompiledSavedQuery,
    column_descriptions: Mapping[str, str],
    schema: str = SEMANTIC_SCHEMA,
) -> ExportedTable:
    """Run one saved query's SQL on `con` and replace `schema.<name>` with its result."""
    relation = con.sql(query.sql)
    columns = list(relation.columns)
    types = [str(t) for t in relation.types]
    if TIME_COLUMN not in columns:
        raise ValueError(f"saved query {query.name} does not group by {TIME_COLUMN}: {columns}")
    missing = [m for m in query.metrics if m not in columns]
    if missing:
        raise ValueError(f"saved query {query.name} returned no column for {', '.join(missing)}: {columns}")
    type_of = dict(zip(columns, types, strict=True))
    group_by = [c for c in columns if c not in query.metrics and c != TIME_COLUMN]
    # Year, the group-by columns, then the metrics in the order the saved query lists them.
    columns = [TIME_COLUMN, *group_by, *query.metrics]
    select = [f"cast(year({_quote(TIME_COLUMN)}) as integer) as {YEAR_COLUMN}"]
    select += [_column_expression(name, type_of[name]) for name in columns]
    # An offset window reaches one year past the data (a yoy of the year after the last, a school the year after
    # it closed): rows where every metric is null carry nothing and are left out.
    any_metric = " or ".join(f"{_quote(m)} is not null" for m in query.metrics)
    order = ", ".join([YEAR_COLUMN, *(_quote(c) for c in group_by)])
    table = f"{_quote(schema)}.{_quote(query.name)}"
    con.execute(f"create schema if not exists {_quote(schema)}")
    con.execute(
        f"create or replace table {table} as select {', '.join(select)} "
        f"from ({query.sql}) as saved_query where {any_metric} order by {order} nulls last"
    )
    describe_table(
        con,
        table,
        f"MetricFlow saved query {query.name}: {query.description} Written on every build by the Dagster asset "
        "semantic/saved_query_exports; columns keep MetricFlow's names.",
        [(YEAR_COLUMN, YEAR_DESCRIPTION), *((c, column_descriptions.get(c, c)) for c in columns)],
    )
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    return ExportedTable(name=query.name, rows=rows, columns=(YEAR_COLUMN, *columns))


def export_saved_queries(
    con: duckdb.DuckDBPyConnection,
    queries: Sequence[CompiledSavedQuery],
    column_descriptions: Mapping[str, str],
    schema: str = SEMANTIC_SCHEMA,
) -> list[ExportedTable]:
    """Write every saved query, single-threaded (a parallel sum of doubles can differ in its last bit from one run
    to the next); the connection's thread setting is restored afterwards."""
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    con.execute("set threads = 1")
    try:
        return [write_saved_query(con, query, column_descriptions, schema) for query in queries]
    finally:
        con.execute(f"set threads = {int(threads)}")


@dataclass(frozen=True)
class AttendanceYear:
    """One year of the weighted and unweighted attendance metrics beside the department's published state rate."""

    calendar_year: int
    state_rate: float | None
    weighted: float | None
    unweighted: float | None


def attendance_against_state(con: duckdb.DuckDBPyConnection, schema: str = SEMANTIC_SCHEMA) -> list[AttendanceYear]:
    """The exported attendance metrics by year beside the state row of the same edition as the school rows (the
    latest edition that covers the year, as prep__attendance takes)."""
    rows = con.execute(
        f"""
        with state as (
            select calendar_year, arg_max(measure_value, edition_year) as state_rate
            from marts.fct__statewide_total
            where source_dataset = 'attendance' and measure = 'attendance_rate'
            group by calendar_year
        )
        select metrics.calendar_year, state.state_rate, metrics.attendance_rate, metrics.attendance_rate_unweighted
        from {_quote(schema)}.metrics_by_year as metrics
        left join state using (calendar_year)
        where metrics.attendance_rate is not null or state.state_rate is not null
        order by metrics.calendar_year
        """
    ).fetchall()
    return [AttendanceYear(*row) for row in rows]
