"""The dbt project as Dagster assets: one asset per model, its data tests as asset checks."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from nsw_doe.dbt_failures import DbtBuildError, explain
from nsw_doe.dbt_project import dbt_database, dbt_project
from nsw_doe.defs.resources import WarehouseResource


class LayerTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (staging/stg__...), like the raw tables (raw/master_dataset)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])


@dg.definitions
def dbt_definitions() -> dg.Definitions:
    """Under `dg` and `dagster dev` the manifest is parsed here when missing or stale (`prepare_if_dev`), so the
    definitions load on a fresh clone; `nsw-doe build` and `nsw-doe ui` prepare it before loading."""
    project = dbt_project()
    project.prepare_if_dev()

    # Saved queries are not dbt's to run (their exports are a dbt Cloud feature): the semantic assets
    # (defs/semantic/saved_query_exports.py) run them with MetricFlow.
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        exclude="resource_type:saved_query",
        dagster_dbt_translator=LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        artifacts = Path(warehouse.dbt_artifacts_dir)
        with dbt_database(warehouse.database):
            invocation = dbt.cli(["build"], context=context, target_path=artifacts, raise_on_error=False)
            yield from invocation.stream()
        if not invocation.is_successful():
            explained = explain(artifacts / "run_results.json", warehouse.database)
            raise DbtBuildError(explained or str(invocation.get_error()))

    return dg.Definitions(assets=[dbt_models])
