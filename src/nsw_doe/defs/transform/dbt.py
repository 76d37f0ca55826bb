"""The dbt project as Dagster assets: one asset per model, its data tests as asset checks."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from nsw_doe.dbt_project import DBT_PROJECT
from nsw_doe.defs.resources import WarehouseResource


class LayerTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (staging/stg__...), like the raw tables (raw/master_dataset)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context, target_path=Path(warehouse.dbt_target)).stream()
