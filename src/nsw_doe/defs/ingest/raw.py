"""Raw load: every dataset in the manifest lands, as text, in one table of schema `raw`.

One dlt resource (and so one Dagster asset) per dataset; all files of a dataset (vintages, editions) land in the
same table, each row tagged with the file it came from. Column names follow dlt's snake_case naming; the original
headers are recorded per file in the manifest.
"""

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import dagster as dg
import dlt
import pyarrow as pa
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from nsw_doe.dbt_project import dbt_project
from nsw_doe.defs.quality.freshness import freshness_policy
from nsw_doe.defs.resources import SettingsResource, WarehouseResource
from nsw_doe.destinations import TOKEN_ENV, is_motherduck
from nsw_doe.settings import Settings, load_settings
from nsw_doe.sources.catalog import Dataset, Manifest, SourceFile, load_manifest
from nsw_doe.sources.load_checks import check_columns, check_has_rows, required_columns
from nsw_doe.sources.readers import Table
from nsw_doe.sources.snapshot import file_location, load_table

RAW_SCHEMA = "raw"
# `_source_row` is the row's position among the file's data rows (1 = the first row after the header).
LINEAGE_COLUMNS = ("_source_file", "_source_row", "_source_sha256", "_vintage", "_loaded_at")
LINEAGE_TYPES = {"_source_row": pa.int64(), "_loaded_at": pa.timestamp("us", tz="UTC")}


def to_arrow(table: Table, source: SourceFile, loaded_at: datetime) -> pa.Table:
    columns = {name: pa.array([row[i] for row in table.rows], pa.string()) for i, name in enumerate(table.columns)}
    n = len(table.rows)
    columns["_source_file"] = pa.array([source.path] * n, pa.string())
    columns["_source_row"] = pa.array(range(1, n + 1), pa.int64())
    columns["_source_sha256"] = pa.array([source.sha256] * n, pa.string())
    columns["_vintage"] = pa.array([source.vintage] * n, pa.string())
    columns["_loaded_at"] = pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC"))
    return pa.table(columns)


def empty_arrow(dataset: Dataset) -> pa.Table:
    """An empty table with the dataset's columns, so that downstream models build on zero rows."""
    names = list(dict.fromkeys(c for f in dataset.files for c in f.columns)) + list(LINEAGE_COLUMNS)
    fields = [pa.field(n, LINEAGE_TYPES.get(n, pa.string())) for n in names]
    return pa.schema(fields).empty_table()


def dataset_resource(settings: Settings, dataset: Dataset, required: Callable[[], dict[str, list[str]]]):
    @dlt.resource(
        name=dataset.id,
        table_name=dataset.raw_table,
        write_disposition="replace",
        schema_contract={"data_type": "freeze"},
    )
    def files():
        if dataset.is_external and settings.acara_dir is None:
            dg.get_dagster_logger().warning(
                f"{dataset.id}: skipped, {dataset.external_env} is not set; raw.{dataset.raw_table} is left empty. "
                f"Point {dataset.external_env} at the directory holding {', '.join(f.path for f in dataset.files)}."
            )
            yield empty_arrow(dataset)
            return
        locations = {f.path: file_location(settings, dataset, f) for f in dataset.files}
        check_columns(dataset, required().get(dataset.raw_table, []), locations)
        loaded_at = datetime.now(UTC)
        for source in dataset.files:
            table = load_table(settings, dataset, source)
            check_has_rows(source, table, locations[source.path])
            yield to_arrow(table, source, loaded_at)

    return files


@dlt.source(name="nsw_doe_snapshot")
def snapshot_source(settings: Settings):
    manifest = load_manifest(settings.manifest_path)
    # Read when a run extracts, not when the definitions load (a fresh clone has no dbt manifest until then).
    required = cache(lambda: required_columns(Path(dbt_project().manifest_path)))
    return [dataset_resource(settings, d, required) for d in manifest.datasets]


@dataclass
class RawTranslator(DagsterDltTranslator):
    manifest: Manifest  # each resource is named after its dataset, whose cadence gives the freshness policy

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=dg.AssetKey([RAW_SCHEMA, data.resource.table_name]),
            deps=[],
            group_name="raw",
            kinds={"dlt", "duckdb"},
            freshness_policy=freshness_policy(self.manifest.get(data.resource.name).publication),
        )


def pipeline_for(database: str, settings: Settings, pipelines_dir: Path | None = None) -> dlt.Pipeline:
    """A dlt pipeline writing schema `raw` of a DuckDB file (its state kept beside it) or of a MotherDuck database."""
    if is_motherduck(database):
        destination = dlt.destinations.motherduck(
            credentials={"database": database.removeprefix("md:"), "password": os.environ.get(TOKEN_ENV, "")}
        )
        default_dir = settings.warehouse_dir / "motherduck.dlt"
    else:
        destination = dlt.destinations.duckdb(database)
        default_dir = Path(f"{database}.dlt")
    return dlt.pipeline(
        pipeline_name="nsw_doe_raw",
        destination=destination,
        dataset_name=RAW_SCHEMA,
        pipelines_dir=str(pipelines_dir or default_dir),
    )


@dg.definitions
def raw_definitions() -> dg.Definitions:
    """One asset per dataset of the manifest the settings point at (read when the definitions load)."""
    settings = load_settings()
    # dlt_assets reads names and the destination's kind off a pipeline; the runs bring their own pipeline, so this
    # one lives in a scratch directory (dlt creates its working directory when a pipeline is made).
    with tempfile.TemporaryDirectory(prefix="nsw_doe_dlt_") as scratch:
        spec_pipeline = pipeline_for(str(Path(scratch) / "spec.duckdb"), settings, Path(scratch))

        @dlt_assets(
            dlt_source=snapshot_source(settings),
            dlt_pipeline=spec_pipeline,
            name="raw_snapshot",
            dagster_dlt_translator=RawTranslator(load_manifest(settings.manifest_path)),
        )
        def raw_snapshot(
            context: dg.AssetExecutionContext,
            dlt: DagsterDltResource,
            warehouse: WarehouseResource,
            settings: SettingsResource,
        ):
            run_settings = settings.get()
            yield from dlt.run(
                context=context,
                dlt_source=snapshot_source(run_settings),
                dlt_pipeline=pipeline_for(warehouse.database, run_settings),
            )

    return dg.Definitions(assets=[raw_snapshot])
