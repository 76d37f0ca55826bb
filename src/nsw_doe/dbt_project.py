"""The dbt project in `transform/`: how Dagster sees it, how it is parsed, and how dbt is invoked on a database."""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject
from dagster_dbt.dbt_project import DagsterDbtProjectPreparer
from dagster_shared.record import replace

from nsw_doe.child_processes import environment
from nsw_doe.settings import PROJECT_ROOT, installed_script

DUCKDB_PATH_ENV = "NSW_DOE_DUCKDB_PATH"
# dbt through its wrapper (child_processes.run_dbt), which dies with the process that starts it.
DBT_EXECUTABLE = installed_script("nsw-doe-dbt")
TRANSFORM_DIR = PROJECT_ROOT / "transform"
GENERATED_DIRS = {"target", "logs", "dbt_packages"}


class DbtParseError(Exception):
    """dbt could not parse the project, or a dbt command failed."""


def dbt_args(*command: str, target_path: Path | None = None, project_dir: Path = TRANSFORM_DIR) -> list[str]:
    """A dbt command line (without the executable) for the project and the profiles beside it."""
    args = [*command, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    return [*args, "--target-path", str(target_path)] if target_path else args


def dbt_database(database: str | Path) -> AbstractContextManager[None]:
    """Point dbt (in this process and the ones it starts) at a database: transform/profiles.yml reads its path
    from the environment. The previous value is restored afterwards."""
    return environment(DUCKDB_PATH_ENV, str(database))


def _sources_newer_than(stamp: float) -> bool:
    sources = (p for p in TRANSFORM_DIR.rglob("*") if not GENERATED_DIRS & set(p.relative_to(TRANSFORM_DIR).parts))
    return any(p.is_file() and p.stat().st_mtime > stamp for p in sources)


class ParseWhenStale(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (`prepare_if_dev()` runs it under `dg` and `dagster dev`), parsing in-process and only
    when a file of the project is newer than the manifest: a new interpreter and a full parse cost seconds."""

    def prepare(self, project: DbtProject) -> None:
        manifest = Path(project.manifest_path)
        if manifest.exists() and not _sources_newer_than(manifest.stat().st_mtime):
            return
        from dbt.cli.main import dbtRunner

        result = dbtRunner().invoke(dbt_args("parse", "--quiet"))
        if not result.success:
            raise DbtParseError(f"dbt could not parse {TRANSFORM_DIR}: {result.exception}")


@cache
def dbt_project() -> DbtProject:
    """The project as dagster-dbt sees it (built on first use: DbtProject reads dbt_project.yml)."""
    # DbtProject takes no preparer argument in this version; swap its default for ours.
    return replace(DbtProject(project_dir=TRANSFORM_DIR, profiles_dir=TRANSFORM_DIR), preparer=ParseWhenStale())


def prepare() -> Path:
    """Make sure the dbt manifest exists and is up to date with the project, whatever the entry point."""
    project = dbt_project()
    project.preparer.prepare(project)
    return Path(project.manifest_path)
