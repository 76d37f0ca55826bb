"""Where the warehouse lives and how a build is published.

DuckDB allows one writer per file, so a build never writes the published file: it writes a fresh file under
`builds/`, and only a build that succeeded is published, by an atomic rename over `nsw_doe.duckdb`. The file it
replaces is kept as `nsw_doe.previous.duckdb`. Readers open the published file read-only; a reader that holds it
open keeps reading the build it opened, and never blocks the next build.
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

    def new_build_path(self) -> Path:
        builds = self.directory / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return builds / f"nsw_doe-{stamp}-{os.getpid()}.duckdb"

    def publish(self, build: Path) -> Path:
        """Make a finished build the published warehouse; the published path never stops existing."""
        if self.published.exists():
            keep = self.previous.with_name(f".{PREVIOUS_NAME}.tmp")
            keep.unlink(missing_ok=True)
            os.link(self.published, keep)
            os.replace(keep, self.previous)
        os.replace(build, self.published)
        return self.published

    @staticmethod
    def discard(build: Path) -> None:
        """Remove what a build leaves behind: its file if unpublished, its write-ahead log, dlt's working state."""
        for path in (build, build.with_name(build.name + ".wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(build.with_name(build.name + ".dlt"), ignore_errors=True)

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        if not self.published.exists():
            raise WarehouseError(f"No warehouse has been published at {self.published} yet: run `nsw-doe build`.")
        try:
            return duckdb.connect(str(self.published), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"Cannot open {self.published} read-only: {exc}") from exc
