"""Where the warehouse lives and how a build is published.

DuckDB allows one writer per file, so a build never writes the published file: it writes a fresh directory under
`builds/` (the database, dbt's manifest of the run in `state/`, dlt's working files), and only a build that
succeeded is published, by an atomic rename of its database over `nsw_doe.duckdb`. The file it replaces is kept
as `nsw_doe.previous.duckdb`, and the run's dbt manifest goes to `state/` for slim CI. Readers open the published
file read-only; a reader that holds it open keeps reading the build it opened, and never blocks the next build.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_NAME = "nsw_doe.duckdb"
PREVIOUS_NAME = "nsw_doe.previous.duckdb"
DEV_NAME = "dev.duckdb"
STATE_DIR = "state"


class WarehouseError(Exception):
    """The published warehouse is missing or cannot be opened."""


@dataclass(frozen=True)
class Warehouse:
    directory: Path

    @property
    def published(self) -> Path:
        return self.directory / PUBLISHED_NAME

    @property
    def previous(self) -> Path:
        return self.directory / PREVIOUS_NAME

    @property
    def dev(self) -> Path:
        """The database the Dagster UI materialises into (never published)."""
        return self.directory / DEV_NAME

    @property
    def dev_work_dir(self) -> Path:
        """Working files of the runs the Dagster UI starts, apart from those of the published build."""
        return self.directory / "dev"

    @property
    def state(self) -> Path:
        """The dbt manifest of the published build (what slim CI compares a change against)."""
        return self.directory / STATE_DIR

    def new_build_path(self) -> Path:
        """A database path in a fresh build directory; named like the published file, so dbt sees one database."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        build_dir = self.directory / "builds" / f"{stamp}-{os.getpid()}"
        build_dir.mkdir(parents=True)
        return build_dir / PUBLISHED_NAME

    def publish(self, build: Path) -> Path:
        """Make a finished build the published warehouse; the published path never stops existing."""
        if self.published.exists():
            keep = self.previous.with_name(f".{PREVIOUS_NAME}.tmp")
            keep.unlink(missing_ok=True)
            os.link(self.published, keep)
            os.replace(keep, self.previous)
        os.replace(build, self.published)
        build_state = build.parent / STATE_DIR
        if build_state.is_dir():
            shutil.rmtree(self.state, ignore_errors=True)
            os.replace(build_state, self.state)
        return self.published

    @staticmethod
    def discard(build: Path) -> None:
        """Remove what a build leaves behind (its whole directory; after publishing, only working files)."""
        shutil.rmtree(build.parent, ignore_errors=True)

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        if not self.published.exists():
            raise WarehouseError(f"No warehouse has been published at {self.published} yet: run `nsw-doe build`.")
        try:
            return duckdb.connect(str(self.published), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"Cannot open {self.published} read-only: {exc}") from exc
