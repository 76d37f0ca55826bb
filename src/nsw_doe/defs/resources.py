"""Resources shared by every asset: the database a run writes, dlt and dbt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dlt import DagsterDltResource

from nsw_doe.dbt_project import DBT_EXECUTABLE, DBT_PROJECT, DUCKDB_PATH_ENV
from nsw_doe.settings import load_settings
from nsw_doe.warehouse import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file this run builds into (`nsw-doe build` points it at a fresh, unpublished file), and where
    dbt writes its artefacts (manifest, run results, partial parse) for it."""

    database: str
    dbt_target: str

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """dbt reads the database path from the environment (see transform/profiles.yml)."""
        before = os.environ.get(DUCKDB_PATH_ENV)
        os.environ[DUCKDB_PATH_ENV] = self.database
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(DUCKDB_PATH_ENV, None)
            else:
                os.environ[DUCKDB_PATH_ENV] = before


@dg.definitions
def resources() -> dg.Definitions:
    warehouse = Warehouse(load_settings().warehouse_dir)
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(database=str(warehouse.dev), dbt_target=str(warehouse.dev_dbt_target)),
            "dlt": DagsterDltResource(),
            "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
        }
    )
