"""Where the warehouse lives and how a build is published.

DuckDB allows one writer per file, so a build never writes the published file: it writes a fresh database in
`builds/next/` (with dlt's working files), and only a build that succeeded is published, by an atomic rename of its
database over `nsw_doe.duckdb`. The file it replaces is kept as `nsw_doe.previous.duckdb`, and the run's dbt
manifest is copied to `state/` for slim CI. Readers open the published file read-only; a reader that holds it open
keeps reading the build it opened, and never blocks the next build. One build at a time writes a warehouse
directory (a lock says so), which lets every build use the same paths: dbt keys its partial parse on the database
path, so the same path spares each build a full parse of the project.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nsw_doe.atomic_files import write_atomically

PUBLISHED_NAME = "nsw_doe.duckdb"
PREVIOUS_NAME = "nsw_doe.previous.duckdb"
DEV_NAME = "dev.duckdb"
STATE_DIR = "state"
# The storage format of every build, hence of the published file. DuckDB 2.0 would write its own (v2.0.0), which the
# DuckDB 1.x inside most tools analysts open DuckDB files with (the 1.4 LTS CLI, DBeaver's JDBC driver, the R and
# Node bindings) refuses. v1.0.0 is the oldest format DuckDB 2.0 writes and it holds everything the warehouse uses:
# DuckDB 0.10.3 and every release since (1.0 to 1.4, 2.0) read the whole warehouse back identically. Newer formats
# only compress strings and validity better (the file is ~15% smaller at v1.3.0+), and v1.3.0 files written by 2.0
# read back with wrong nulls in DuckDB 1.3.x; v1.2.0 opens in fewer clients for 4% less. A model that needs a newer
# format (a VARIANT column needs v1.5.0) fails the build with DuckDB's message naming the storage version.
STORAGE_VERSION = "v1.0.0"


class WarehouseError(Exception):
    """The published warehouse is missing or cannot be opened."""


def create_database(path: Path, storage_version: str = STORAGE_VERSION) -> None:
    """Create an empty database file in the given storage format. Every later connection (dlt's, dbt's) keeps a
    file's format, so this decides the format of the whole build."""
    quoted = str(path).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(f"attach '{quoted}' as build (storage_version '{storage_version}')")
        con.execute("detach build")


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
    def dbt_artifacts(self) -> Path:
        """dbt's artefacts of the latest build (kept between builds: its partial parse saves the next one time)."""
        return self.directory / "dbt_artifacts"

    @property
    def dev_dbt_artifacts(self) -> Path:
        """dbt's artefacts of the runs the Dagster UI starts, apart from the builds'."""
        return self.directory / "dev" / "dbt_artifacts"

    @property
    def motherduck_dbt_artifacts(self) -> Path:
        """dbt's artefacts of the builds that write MotherDuck (in place, nothing to publish)."""
        return self.directory / "motherduck" / "dbt_artifacts"

    @property
    def state(self) -> Path:
        """The dbt manifest of the published build (what slim CI compares a change against)."""
        return self.directory / STATE_DIR

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Held for the whole of a build; a second build of the same directory fails at once instead of waiting."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".build.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WarehouseError(
                    f"Another build is writing {self.directory}; wait for it to finish, or set "
                    "NSW_DOE_WAREHOUSE_DIR to build elsewhere."
                ) from None
            yield

    def new_build_path(self) -> Path:
        """The database a build writes, under build_lock(): the same path every time, emptied of what a build that
        was killed left; named like the published file, so dbt sees one database."""
        build_dir = self.directory / "builds" / "next"
        shutil.rmtree(build_dir, ignore_errors=True)
        build_dir.mkdir(parents=True)
        path = build_dir / PUBLISHED_NAME
        create_database(path)
        return path

    def publish(self, build: Path, manifest: Path | None = None) -> Path:
        """Make a finished build the published warehouse, and its dbt manifest the state slim CI compares against;
        the published path never stops existing."""
        if self.published.exists():
            keep = self.previous.with_name(f".{PREVIOUS_NAME}.tmp")
            keep.unlink(missing_ok=True)
            os.link(self.published, keep)
            os.replace(keep, self.previous)
        os.replace(build, self.published)
        if manifest is not None:
            write_atomically(self.state / "manifest.json", manifest.read_bytes())
        return self.published

    @staticmethod
    def discard(build: Path) -> None:
        """Remove what a build leaves behind (its whole directory; after publishing, only working files)."""
        shutil.rmtree(build.parent, ignore_errors=True)

    def require_published(self) -> Path:
        """The published warehouse, or a clear error saying there is none yet and how to make one."""
        if not self.published.exists():
            raise WarehouseError(f"No warehouse has been published at {self.published} yet: run `nsw-doe build`.")
        return self.published

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        self.require_published()
        try:
            return duckdb.connect(str(self.published), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"Cannot open {self.published} read-only: {exc}") from exc
