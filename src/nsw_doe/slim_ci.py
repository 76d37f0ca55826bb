"""`nsw-doe ci-slim`: build only the dbt models a change touches (`state:modified+`), deferring to the published
build's manifest, on a scratch copy of the published warehouse (which therefore holds every upstream table)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from nsw_doe.dbt_project import DBT_EXECUTABLE, TRANSFORM_DIR, dbt_args, dbt_database
from nsw_doe.warehouse import PUBLISHED_NAME, Warehouse


class SlimCiError(Exception):
    """Slim CI cannot run, or dbt failed."""


def run_slim_ci(warehouse: Warehouse, project_dir: Path = TRANSFORM_DIR) -> list[str]:
    """Build `state:modified+` of the dbt project in project_dir; returns the unique ids dbt ran."""
    warehouse.require_published()
    if not (warehouse.state / "manifest.json").exists():
        raise SlimCiError(f"The published build has no dbt state in {warehouse.state}: run `nsw-doe build`.")
    published = warehouse.require_readable()
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / PUBLISHED_NAME  # same name, so deferred relations resolve to this file
        shutil.copy(published, database)
        artifacts = Path(scratch) / "dbt_artifacts"
        state = ["--select", "state:modified+", "--defer", "--state", str(warehouse.state)]
        with dbt_database(database):
            result = subprocess.run(
                [DBT_EXECUTABLE, *dbt_args("build", *state, target_path=artifacts, project_dir=project_dir)],
                capture_output=True,
                text=True,
            )
        if result.returncode != 0:
            raise SlimCiError(f"dbt build failed in slim CI:\n{result.stdout[-3000:]}")
        run_results = artifacts / "run_results.json"
        if not run_results.exists():  # nothing modified: dbt ran nothing
            return []
        return [r["unique_id"] for r in json.loads(run_results.read_text())["results"]]
