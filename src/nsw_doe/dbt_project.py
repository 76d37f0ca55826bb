"""The dbt project in `transform/`, as Dagster sees it."""

from __future__ import annotations

from dagster_dbt import DbtProject

from nsw_doe.settings import PROJECT_ROOT

DUCKDB_PATH_ENV = "NSW_DOE_DUCKDB_PATH"

DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT / "transform", profiles_dir=PROJECT_ROOT / "transform")


def prepare() -> None:
    """Parse the dbt project so that its manifest exists and matches the models on disk."""
    DBT_PROJECT.preparer.prepare(DBT_PROJECT)
