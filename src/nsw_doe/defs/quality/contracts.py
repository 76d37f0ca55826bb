"""Blocking checks (severity ERROR): a failure stops everything downstream and the build publishes nothing.

The raw tables against the manifest (columns, each file's rows, no empty load) and the row-count bounds of
quality.yml, raw and marts. One step per layer, not one per table: every step costs build time. The primary keys of
every dimension and fact are dbt `grain` tests, which dagster-dbt makes blocking checks of the marts."""

import dagster as dg
import duckdb

from nsw_doe.defs.resources import SettingsResource, WarehouseResource
from nsw_doe.quality_checks import asset_key, columns_match_manifest, rows_match_manifest, within_bounds
from nsw_doe.quality_config import load_quality_config
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import load_manifest

BOUNDS_CHECK = "row_count_bounds"
ERROR = dg.AssetCheckSeverity.ERROR


def _bound_spec(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        BOUNDS_CHECK,
        asset=asset_key(table),
        blocking=True,
        description="The table's row counts (per file or year) lie within the bounds of quality.yml.",
    )


def _bounds(con: duckdb.DuckDBPyConnection, schema: str):
    for bound in load_quality_config().bounds_of(schema):
        yield within_bounds(con, bound).result(asset_key(bound.table), BOUNDS_CHECK, ERROR)


@dg.definitions
def contract_checks() -> dg.Definitions:
    datasets = load_manifest(load_settings().manifest_path).datasets
    config = load_quality_config()
    raw_specs = [
        spec
        for d in datasets
        for spec in (
            dg.AssetCheckSpec(
                "columns_match_manifest",
                asset=asset_key(f"raw.{d.raw_table}"),
                blocking=True,
                description="The raw table has the columns data/sources/manifest.yml records for its files.",
            ),
            dg.AssetCheckSpec(
                "rows_match_manifest",
                asset=asset_key(f"raw.{d.raw_table}"),
                blocking=True,
                description="Every file landed with the rows the manifest records; none landed empty.",
            ),
        )
    ] + [_bound_spec(b.table) for b in config.bounds_of("raw")]

    @dg.multi_asset_check(specs=raw_specs, name="raw_contracts")
    def raw_contracts(warehouse: WarehouseResource, settings: SettingsResource):
        run_settings = settings.get()
        with duckdb.connect(warehouse.database, read_only=True) as con:
            for dataset in load_manifest(run_settings.manifest_path).datasets:
                key = asset_key(f"raw.{dataset.raw_table}")
                supplied = not dataset.is_external or run_settings.acara_dir is not None
                for name, result in (
                    ("columns_match_manifest", columns_match_manifest(con, dataset)),
                    ("rows_match_manifest", rows_match_manifest(con, dataset, supplied)),
                ):
                    yield result.result(key, name, ERROR)
            yield from _bounds(con, "raw")

    @dg.multi_asset_check(specs=[_bound_spec(b.table) for b in config.bounds_of("marts")], name="mart_row_counts")
    def mart_row_counts(warehouse: WarehouseResource):
        with duckdb.connect(warehouse.database, read_only=True) as con:
            yield from _bounds(con, "marts")

    return dg.Definitions(asset_checks=[raw_contracts, mart_row_counts])
