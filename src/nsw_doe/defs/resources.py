"""Resources shared by every asset: the project's settings, the database a run writes, dlt and dbt.

Nothing here runs at import. The definitions read the settings when they are loaded; `nsw-doe build` replaces the
resources with its own (a fresh build file, the settings it was given) through `run_resources`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dlt import DagsterDltResource

from nsw_doe.dbt_project import DBT_EXECUTABLE, dbt_project
from nsw_doe.settings import Settings, load_settings
from nsw_doe.warehouse import Warehouse


class SettingsResource(dg.ConfigurableResource):
    """The project's settings (snapshot, ACARA directory, destination, ...), handed to assets at run time."""

    snapshot_dir: str
    warehouse_dir: str
    acara_dir: str | None
    portal_url: str
    destination: str
    motherduck_database: str

    @classmethod
    def of(cls, settings: Settings) -> SettingsResource:
        return cls(**{k: None if v is None else str(v) for k, v in dataclasses.asdict(settings).items()})

    def get(self) -> Settings:
        return Settings(
            snapshot_dir=Path(self.snapshot_dir),
            warehouse_dir=Path(self.warehouse_dir),
            acara_dir=Path(self.acara_dir) if self.acara_dir else None,
            portal_url=self.portal_url,
            destination=self.destination,
            motherduck_database=self.motherduck_database,
        )


class WarehouseResource(dg.ConfigurableResource):
    """The database this run builds into (`nsw-doe build` points it at a fresh, unpublished file, or at MotherDuck),
    and where dbt writes its artefacts (manifest, run results, partial parse) for it."""

    database: str
    dbt_artifacts_dir: str


def run_resources(settings: Settings, database: str | Path, dbt_artifacts_dir: Path) -> dict[str, object]:
    """Every resource a run needs, writing `database` with these settings."""
    return {
        "settings": SettingsResource.of(settings),
        "warehouse": WarehouseResource(database=str(database), dbt_artifacts_dir=str(dbt_artifacts_dir)),
        "dlt": DagsterDltResource(),
        "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=DBT_EXECUTABLE),
    }


@dg.definitions
def resources() -> dg.Definitions:
    """Runs started from the Dagster UI write warehouse/dev.duckdb, never the published file."""
    settings = load_settings()
    warehouse = Warehouse(settings.warehouse_dir)
    return dg.Definitions(resources=run_resources(settings, warehouse.dev, warehouse.dev_dbt_artifacts))
