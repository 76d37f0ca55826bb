"""The dbt project in `transform/`, as Dagster sees it."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtProject

from nsw_doe.settings import PROJECT_ROOT

DUCKDB_PATH_ENV = "NSW_DOE_DUCKDB_PATH"
# The dbt of this environment, found without relying on PATH (`.venv/bin/nsw-doe build` works unactivated).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
TRANSFORM_DIR = PROJECT_ROOT / "transform"
GENERATED_DIRS = {"target", "logs", "dbt_packages"}

DBT_PROJECT = DbtProject(project_dir=TRANSFORM_DIR, profiles_dir=TRANSFORM_DIR)


class DbtParseError(Exception):
    """dbt could not parse the project."""


def _sources_newer_than(stamp: float) -> bool:
    sources = (p for p in TRANSFORM_DIR.rglob("*") if not GENERATED_DIRS & set(p.relative_to(TRANSFORM_DIR).parts))
    return any(p.is_file() and p.stat().st_mtime > stamp for p in sources)


def prepare() -> Path:
    """Make sure the dbt manifest exists and is newer than every file of the project; parse only if not.

    Parsing runs in-process (dbt's Python entry point), which saves the seconds a new interpreter costs.
    """
    manifest = Path(DBT_PROJECT.manifest_path)
    if manifest.exists() and not _sources_newer_than(manifest.stat().st_mtime):
        return manifest
    from dbt.cli.main import dbtRunner

    args = ["parse", "--quiet", "--project-dir", str(TRANSFORM_DIR), "--profiles-dir", str(TRANSFORM_DIR)]
    result = dbtRunner().invoke(args)
    if not result.success:
        raise DbtParseError(f"dbt could not parse {TRANSFORM_DIR}: {result.exception}")
    return manifest
