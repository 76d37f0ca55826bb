"""The `audit` schema: what a build was made of, written into the build itself before it is published.

Readers of the published file (the report app, an analyst's notebook) see the build time, every source file's
vintage and every asset check's result in the same file as the data they describe, so the two cannot disagree.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pandas as pd

from nsw_doe.defs.quality.freshness import freshness_frame
from nsw_doe.settings import Settings, project_dir
from nsw_doe.sources.catalog import load_manifest
from nsw_doe.table_comments import registry_table, write_frame

BUILD_TABLE = "audit.build"
SOURCE_FILES_TABLE = "audit.source_files"
ASSET_CHECKS_TABLE = "audit.asset_checks"
SOURCE_FRESHNESS_TABLE = "audit.source_freshness"


def code_version() -> str | None:
    """The git commit the build ran from, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "-C", str(project_dir()), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() or None


def _source_files(settings: Settings) -> pd.DataFrame:
    rows = [
        {
            "dataset_id": dataset.id,
            "dataset_title": dataset.title,
            "publisher": dataset.publisher,
            "licence": dataset.licence,
            "attribution": dataset.attribution,
            "portal_page": dataset.portal_page,
            "file_path": source.path,
            "vintage": source.vintage,
            "rows": source.rows,
            "sha256": source.sha256,
            "source_url": source.source_url,
            "loaded": not dataset.is_external or settings.acara_dir is not None,
        }
        for dataset in load_manifest(settings.manifest_path).datasets
        for source in dataset.files
    ]
    return pd.DataFrame(rows)


def is_warning(check: dg.AssetCheckEvaluation) -> bool:
    """A WARN check: its failure lists known exceptions and does not stop the build."""
    return check.severity == dg.AssetCheckSeverity.WARN


def _failed_rows(metadata: dict) -> int | None:
    for key, value in metadata.items():
        if key.endswith("failed_row_count"):
            return int(value.value)
    return None


def _asset_checks(checks: Sequence[dg.AssetCheckEvaluation]) -> pd.DataFrame:
    rows = [
        {
            "asset_key": check.asset_key.to_user_string(),
            "check_name": check.check_name,
            "passed": check.passed,
            "severity": check.severity.value,
            "failed_rows": _failed_rows(check.metadata),
            "description": check.description,
        }
        for check in checks
    ]
    frame = pd.DataFrame(rows, columns=["asset_key", "check_name", "passed", "severity", "failed_rows", "description"])
    return frame.astype({"failed_rows": "Int64"}).sort_values(["asset_key", "check_name"])


def write_audit(database: str, settings: Settings, checks: Sequence[dg.AssetCheckEvaluation]) -> None:
    """Write (replace) the audit tables of the build in `database`."""
    build = pd.DataFrame(
        [
            {
                "built_at": datetime.now(UTC),
                "code_version": code_version(),
                "destination": settings.destination,
                "checks_passed": sum(c.passed for c in checks),
                "checks_warned": sum(not c.passed and is_warning(c) for c in checks),
                "checks_failed": sum(not c.passed and not is_warning(c) for c in checks),
            }
        ]
    )
    frames = {
        BUILD_TABLE: build,
        SOURCE_FILES_TABLE: _source_files(settings),
        ASSET_CHECKS_TABLE: _asset_checks(checks),
        SOURCE_FRESHNESS_TABLE: freshness_frame(checks),
    }
    with duckdb.connect(database) as con:
        con.execute("create schema if not exists audit")
        for table, frame in frames.items():
            # described once, in transform/models/sources/_python_tables.yml (dbt's docs read it too)
            description, columns = registry_table(*table.split("."))
            write_frame(con, table, frame, description, [(c, t) for c, t in columns.items() if c in frame.columns])
