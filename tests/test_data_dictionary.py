"""One data dictionary for the tables Python writes: transform/models/sources/_python_tables.yml describes them as
dbt sources (dbt's docs read it), and the writers take their DuckDB comments from it (`nsw-doe export`'s data
dictionary reads those). The semantic exports are described from the MetricFlow definitions they run (their
metrics' descriptions), which are written once in transform/models/semantic/."""

import pytest

from nsw_doe.table_comments import registry, registry_table, registry_typed_columns

# The tables of the build the registry must describe in full (every table of these schemas whose name matches).
REGISTERED = "schema_name in ('audit', 'ml')"


def test_every_table_the_registry_names_is_a_source_with_a_description_for_each_column():
    assert {schema for schema, _ in registry()} == {"ml", "audit"}
    for schema, table in registry():
        description, columns = registry_table(schema, table)
        assert description.strip() and columns, f"{schema}.{table}"
        assert all(text.strip() for text in columns.values()), f"{schema}.{table}"


def test_every_column_of_the_built_tables_is_in_the_registry_and_its_comment_is_the_registry_s(con):
    tables = con.execute(f"select schema_name, table_name, comment from duckdb_tables() where {REGISTERED}").fetchall()
    assert {(schema, table) for schema, table, _ in tables} == set(registry())
    for schema, table, comment in tables:
        assert comment == registry_table(schema, table)[0], f"{schema}.{table}"
    columns = con.execute(
        f"select schema_name, table_name, column_name, comment from duckdb_columns() where {REGISTERED} "
        "order by schema_name, table_name, column_index"
    ).fetchall()
    built = {}
    for schema, table, column, comment in columns:
        built.setdefault((schema, table), {})[column] = comment
    for key, described in built.items():
        assert described == registry_table(*key)[1], key  # the same columns, in the same order, with the same text
        assert list(described) == list(registry_table(*key)[1]), key


@pytest.mark.parametrize("table", ["attendance_risk", "attendance_model_eval"])
def test_the_writers_read_their_descriptions_from_the_registry(table):
    from nsw_doe.defs.ml.attendance_risk import TABLES

    assert TABLES[table] == registry_table("ml", table)


def test_the_forecast_tables_are_typed_from_the_registry(con):
    for table in ("forecast_backtest", "enrolment_forecast", "forecast_interval_coverage"):
        built = con.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = 'ml' and table_name = ? "
            "order by column_index",
            [table],
        ).fetchall()
        assert built == [(name, sql_type.upper()) for name, sql_type, _ in registry_typed_columns("ml", table)]
