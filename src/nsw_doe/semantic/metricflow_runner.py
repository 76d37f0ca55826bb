"""MetricFlow in-process: load the semantic manifest dbt wrote, validate it, compile saved queries to SQL.

`mf` costs about 4.7 s per process (imports), so running the six saved queries through the CLI would take ~30 s;
in-process it is one import (~2.3 s) and well under 0.1 s per query. MetricFlow only compiles here: the SQL it
renders for DuckDB is run by DuckDB itself on the warehouse (see `exports.py`). MetricFlow is imported inside the
functions, so importing this module (as the Dagster definitions do) costs nothing.

The pieces, as named in metricflow 0.213 / dbt-metricflow 0.15: dbt's `semantic_manifest.json` is converted by
`parse_manifest_from_dbt_generated_manifest` (loading it directly fails: a simple metric is missing
`metric_aggregation_params`), then `SemanticManifestLookup` -> `MetricFlowEngine.explain`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from metricflow_semantic_interfaces.protocols.semantic_manifest import SemanticManifest
    from metricflow_semantic_interfaces.validations.validator_helpers import SemanticManifestValidationResults

SEMANTIC_MANIFEST_NAME = "semantic_manifest.json"


def _without_database(node_relation: dict[str, Any]) -> None:
    """`"nsw_doe"."marts"."fct__x"` -> `marts.fct__x`: dbt names the database after the file it built (the build
    file, dev.duckdb, md:...), while the SQL runs on whatever connection the caller holds; its current database
    is the right one."""
    node_relation["database"] = None
    node_relation["relation_name"] = f"{node_relation['schema_name']}.{node_relation['alias']}"


def load_semantic_manifest(path: Path) -> SemanticManifest:
    """The semantic manifest dbt wrote (`dbt parse` / `dbt build` write `semantic_manifest.json` beside the
    manifest), as MetricFlow's objects, with relations named without their database."""
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest

    raw = json.loads(Path(path).read_text())
    for model in raw.get("semantic_models", []):
        _without_database(model["node_relation"])
    for spine in raw.get("project_configuration", {}).get("time_spines", []):
        _without_database(spine["node_relation"])
    return parse_manifest_from_dbt_generated_manifest(json.dumps(raw))


def validate_semantic_manifest(
    manifest: SemanticManifest, con: duckdb.DuckDBPyConnection | None = None
) -> SemanticManifestValidationResults:
    """What `mf validate-configs` checks: the semantic rules and, given a connection to a built warehouse, that every
    semantic model, dimension, entity, measure and metric can be queried there."""
    from metricflow.validation.data_warehouse_model_validator import DataWarehouseModelValidator
    from metricflow_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
    from metricflow_semantic_interfaces.validations.validator_helpers import SemanticManifestValidationResults

    results = [SemanticManifestValidator().validate_semantic_manifest(manifest)]
    if con is not None:
        warehouse = DataWarehouseModelValidator(sql_client=duckdb_sql_client(con))
        results += [
            warehouse.validate_semantic_models(manifest),
            warehouse.validate_dimensions(manifest),
            warehouse.validate_entities(manifest),
            warehouse.validate_simple_metrics(manifest),
            warehouse.validate_metrics(manifest),
        ]
    return SemanticManifestValidationResults.merge(results)


def duckdb_sql_client(con: duckdb.DuckDBPyConnection | None = None):
    """A MetricFlow `SqlClient` for DuckDB. Compiling needs only its dialect and renderer; the data-warehouse
    validations also dry-run statements, which need `con`."""
    from metricflow.data_table.mf_table import MetricFlowDataTable
    from metricflow.protocols.sql_client import SqlEngine
    from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
    from metricflow_semantics.sql.sql_bind_parameters import SqlBindParameterSet

    NONE = SqlBindParameterSet()

    def no_parameters(parameters: SqlBindParameterSet) -> None:
        # The project's metrics and saved queries compile to literal SQL; a bind parameter means a new kind of
        # query, which should fail loudly here rather than run with the parameter unbound.
        if parameters.param_items:
            raise BindParametersError(
                f"MetricFlow asked to bind {parameters.param_items}; this client runs literal SQL"
            )

    class DuckDbSqlClient:
        sql_engine_type = SqlEngine.DUCKDB
        sql_plan_renderer = DuckDbSqlPlanRenderer()

        def _con(self) -> duckdb.DuckDBPyConnection:
            if con is None:
                raise RuntimeError("This MetricFlow client only compiles SQL: it has no connection to run it on.")
            return con

        def query(self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NONE):
            no_parameters(sql_bind_parameter_set)
            cursor = self._con().execute(stmt)
            columns = [c[0] for c in cursor.description]
            return MetricFlowDataTable.create_from_rows(columns, cursor.fetchall())

        def execute(self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NONE) -> None:
            no_parameters(sql_bind_parameter_set)
            self._con().execute(stmt)

        def dry_run(self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NONE) -> None:
            no_parameters(sql_bind_parameter_set)
            self._con().execute(f"explain {stmt}")

        def close(self) -> None:
            pass

        def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
            return f"${bind_parameter_key}"

    return DuckDbSqlClient()


class BindParametersError(Exception):
    """MetricFlow rendered SQL with bind parameters; the exports run literal SQL only."""


@dataclass(frozen=True)
class CompiledSavedQuery:
    """A saved query and the DuckDB SQL MetricFlow renders for it."""

    name: str
    description: str
    metrics: tuple[str, ...]
    sql: str


def compile_saved_queries(manifest: SemanticManifest, names: Iterable[str] | None = None) -> list[CompiledSavedQuery]:
    """The SQL of each saved query (all of them, by name, unless `names` picks some)."""
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    engine = MetricFlowEngine(semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=duckdb_sql_client())
    saved = {query.name: query for query in manifest.saved_queries}
    wanted = sorted(saved) if names is None else list(names)
    unknown = [name for name in wanted if name not in saved]
    if unknown:
        raise KeyError(f"No saved query named {', '.join(unknown)} (the project has: {', '.join(sorted(saved))})")
    compiled = []
    for name in wanted:
        statement = engine.explain(MetricFlowQueryRequest.create(saved_query_name=name)).sql_statement
        if statement.bind_parameter_set.param_items:
            raise BindParametersError(
                f"saved query {name} compiles to SQL with bind parameters; exports run literal SQL"
            )
        query = saved[name]
        compiled.append(
            CompiledSavedQuery(
                name=name,
                description=query.description or query.label or name,
                metrics=tuple(query.query_params.metrics),
                sql=statement.without_descriptions.sql,
            )
        )
    return compiled


def group_by_descriptions(manifest: SemanticManifest) -> dict[str, str]:
    """The description of every column name a group-by can produce: `<entity>__<dimension>` for the dimensions of
    a semantic model whose primary entity is <entity>, plus metric_time at year grain."""
    descriptions = {"metric_time__year": "The year the metrics are for (1 January; MetricFlow's metric_time by year)."}
    for model in manifest.semantic_models:
        primary = model.primary_entity or next((e.name for e in model.entities if e.type.value == "primary"), None)
        if primary is None:
            continue
        for dimension in model.dimensions:
            descriptions[f"{primary}__{dimension.name}"] = dimension.description or dimension.name
    return descriptions


def metric_descriptions(manifest: SemanticManifest) -> dict[str, str]:
    return {metric.name: metric.description or metric.label or metric.name for metric in manifest.metrics}
