"""`nsw-doe ci-slim`: build only the dbt models a change touches (`state:modified+`), deferring to the published
build's manifest, on a scratch copy of the published warehouse (which therefore holds every upstream table)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nsw_doe.dbt_project import DBT_EXECUTABLE, DUCKDB_PATH_ENV, TRANSFORM_DIR
from nsw_doe.warehouse import PUBLISHED_NAME, Warehouse


class SlimCiError(Exception):
    """Slim CI cannot run, or dbt failed."""


def run_slim_ci(warehouse: Warehouse, project_dir: Path = TRANSFORM_DIR) -> list[str]:
    """Build `state:modified+` of the dbt project in project_dir; returns the unique ids dbt ran."""
    if not (warehouse.state / "manifest.json").exists() or not warehouse.published.exists():
        raise SlimCiError(f"No published build with its dbt state under {warehouse.directory}: run `nsw-doe build`.")
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / PUBLISHED_NAME  # same name, so deferred relations resolve to this file
        shutil.copy(warehouse.published, database)
        target = Path(scratch) / "target"
        command = [
            DBT_EXECUTABLE,
            "build",
            "--select",
            "state:modified+",
            "--defer",
            "--state",
            str(warehouse.state),
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(target),
        ]
        result = subprocess.run(
            command, env={**os.environ, DUCKDB_PATH_ENV: str(database)}, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SlimCiError(f"dbt build failed in slim CI:\n{result.stdout[-3000:]}")
        run_results = target / "run_results.json"
        if not run_results.exists():  # nothing modified: dbt ran nothing
            return []
        return [r["unique_id"] for r in json.loads(run_results.read_text())["results"]]
