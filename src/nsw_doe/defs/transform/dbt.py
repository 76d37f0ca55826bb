"""The dbt project as Dagster assets: one asset per model, its data tests as asset checks."""

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from nsw_doe.dbt_project import DBT_PROJECT
from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.warehouse import STATE_DIR


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
    work_dir = Path(warehouse.work_dir)
    with warehouse.dbt_environment():
        # dbt's artefacts go with the run's other working files, which a build removes once published.
        invocation = dbt.cli(["build"], context=context, target_path=work_dir / "dbt_target")
        yield from invocation.stream()
    # Keep the run's manifest; publishing moves it to warehouse/state for slim CI.
    state = work_dir / STATE_DIR
    state.mkdir(exist_ok=True)
    shutil.copy(invocation.target_path / "manifest.json", state / "manifest.json")
