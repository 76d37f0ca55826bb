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
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nsw_doe.atomic_files import write_atomically
from nsw_doe.child_processes import CHILDREN_LOCK_ENV, environment, wait_for_children
from nsw_doe.table_comments import sql_literal

PUBLISHED_NAME = "nsw_doe.duckdb"
PREVIOUS_NAME = "nsw_doe.previous.duckdb"
DEV_NAME = "dev.duckdb"
STATE_DIR = "state"
# How long a new build waits for the dbt of a killed build to end (on Linux it dies with the build, at once).
CHILDREN_TIMEOUT = 30.0
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


# The name a read-only connection gives the database it reads (queries name tables as schema.table).
READ_ALIAS = "nsw_doe"
# Every build records itself in this table (audit.py); a file without it is not a build of this project.
BUILD_RECORD = "audit.build"


def open_read_only(database: Path, writable_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that reads `database` and can write nothing anywhere, but in `writable_directory` if given.

    A read-only DuckDB connection refuses to change its database but still writes files (`COPY ... TO` over the
    published file succeeds), reads any file and attaches any database. So the file is attached read-only into an
    in-memory database, then external access is switched off and the configuration locked: COPY, EXPORT DATABASE,
    ATTACH, read_csv, INSTALL and switching access back on are all refused. DuckDB's `allowed_directories` is the one
    exception it keeps, for a reader whose job is to write files (the export).
    """
    con = duckdb.connect(":memory:")
    try:
        if writable_directory is not None:
            con.execute(f"set allowed_directories = [{sql_literal(str(Path(writable_directory).absolute()))} || '/']")
        con.execute(f"attach {sql_literal(str(database))} as {READ_ALIAS} (read_only)")
        con.execute(f"use {READ_ALIAS}")
        lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse, from now on, every file access and attach on `con`, and any change to that (see open_read_only)."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def unreadable_reason(database: Path) -> str | None:
    """Why `database` is not a readable build (DuckDB cannot open it, or it holds no build record), or None."""
    try:
        with open_read_only(database) as con:
            schema, table = BUILD_RECORD.split(".")
            found = con.execute(
                "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
                [READ_ALIAS, schema, table],
            ).fetchall()[0][0]
    except duckdb.Error as exc:
        return f"DuckDB cannot open it ({exc})"
    return None if found else f"it has no {BUILD_RECORD} table, so it is not a complete build of this project"


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

    @property
    def build_children_lock(self) -> Path:
        """Held shared by each dbt a build starts, until it ends (see build_lock)."""
        return self.directory / ".build.children.lock"

    @contextmanager
    def build_lock(self, children_timeout: float = CHILDREN_TIMEOUT) -> Iterator[None]:
        """Held for the whole of a build; a second build of the same directory fails at once instead of waiting.

        A killed build releases it at once, but its dbt may not have ended yet (or at all, where it is not killed
        with the build), still writing builds/next and dbt_artifacts/: the lock is only given once no child of an
        earlier build holds the children lock, and this build's dbt holds that lock until it ends (see
        child_processes)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".build.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WarehouseError(
                    f"Another build is writing {self.directory}; wait for it to finish, or set "
                    "NSW_DOE_WAREHOUSE_DIR to build elsewhere."
                ) from None
            if not wait_for_children(self.build_children_lock, children_timeout):
                raise WarehouseError(
                    f"A process started by an earlier build of {self.directory} (dbt) is still running after "
                    f"{children_timeout:g} s; wait for it to end, or stop it, then build again."
                )
            with environment(CHILDREN_LOCK_ENV, str(self.build_children_lock)):
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

    @property
    def previous_state(self) -> Path:
        """The dbt manifest of the previous build (restored with it)."""
        return self.state / "manifest.previous.json"

    def publish(self, build: Path, manifest: Path | None = None) -> Path | None:
        """Make a finished build the published warehouse, and its dbt manifest the state slim CI compares against;
        the published path never stops existing. The build it replaces becomes the previous one, unless it is not a
        readable build (a truncated or hand-edited file): that one is set aside under its own name and the previous
        build stays as it was. Returns where a file was set aside, if one was."""
        set_aside = None
        if self.published.exists():
            if (reason := unreadable_reason(self.published)) is None:
                self._replace_keeping_a_link(self.published, self.previous)
                if (self.state / "manifest.json").exists():
                    self._replace_keeping_a_link(self.state / "manifest.json", self.previous_state)
            else:
                set_aside = self.set_aside(reason)
        os.replace(build, self.published)
        if manifest is not None:
            write_atomically(self.state / "manifest.json", manifest.read_bytes())
        return set_aside

    @staticmethod
    def _replace_keeping_a_link(source: Path, target: Path) -> None:
        """Make target a second name of source's file, in one atomic rename (source keeps its name)."""
        link = target.with_name(f".{target.name}.tmp")
        link.unlink(missing_ok=True)
        os.link(source, link)
        os.replace(link, target)

    def set_aside(self, reason: str) -> Path:
        """Move an unreadable published file out of the way under a name that says so (never over a build)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.directory / f"{PUBLISHED_NAME.removesuffix('.duckdb')}.unreadable-{stamp}.duckdb"
        os.replace(self.published, aside)
        aside.with_suffix(".txt").write_text(
            f"Set aside {stamp}: {self.published} was not a readable build: {reason}.\n"
        )
        return aside

    def restore(self) -> Path | None:
        """Publish the previous build again, under the build lock. A readable published build becomes the previous
        one (restoring twice undoes it); an unreadable one is set aside. Returns where a file was set aside."""
        with self.build_lock():
            if not self.previous.exists():
                raise WarehouseError(f"There is no previous build at {self.previous} to restore: run `nsw-doe build`.")
            if (reason := unreadable_reason(self.previous)) is not None:
                raise WarehouseError(f"The previous build {self.previous} is not readable either: {reason}.")
            set_aside = None
            if self.published.exists() and (reason := unreadable_reason(self.published)) is not None:
                set_aside = self.set_aside(reason)
            for current, previous in (
                (self.published, self.previous),
                (self.state / "manifest.json", self.previous_state),
            ):
                self._swap(current, previous)
            return set_aside

    @staticmethod
    def _swap(current: Path, previous: Path) -> None:
        """Exchange two files' names; a third name (a hard link) holds the current file while they move, so a crash
        midway loses neither."""
        if not previous.exists():
            return
        if not current.exists():
            os.replace(previous, current)
            return
        held = current.with_name(f".{current.name}.swap")
        Warehouse._replace_keeping_a_link(current, held)
        os.replace(previous, current)
        os.replace(held, previous)

    @staticmethod
    def discard(build: Path) -> None:
        """Remove what a build leaves behind (its whole directory; after publishing, only working files)."""
        shutil.rmtree(build.parent, ignore_errors=True)

    def require_published(self) -> Path:
        """The published warehouse, or a clear error saying there is none yet and how to make one."""
        if not self.published.exists():
            raise WarehouseError(f"No warehouse has been published at {self.published} yet: run `nsw-doe build`.")
        return self.published

    def require_readable(self) -> Path:
        """The published warehouse if it is a readable build, else an error saying what is wrong and what to do."""
        if (reason := unreadable_reason(self.require_published())) is not None:
            raise WarehouseError(self.not_readable_message(reason))
        return self.published

    def not_readable_message(self, reason: str) -> str:
        restore = (
            "`nsw-doe restore` publishes the previous build again, or `nsw-doe build` builds a new one"
            if self.previous.exists()
            else "`nsw-doe build` builds a new one (the next build sets this file aside)"
        )
        reason = " ".join(reason.split())  # DuckDB's messages span lines; this one is a paragraph
        return f"The published warehouse is not readable: {self.published}: {reason}. {restore}."

    def connect_read_only(self, writable_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
        """A connection to the published build that can write nothing anywhere (see open_read_only)."""
        try:
            return open_read_only(self.require_published(), writable_directory)
        except duckdb.Error as exc:
            raise WarehouseError(self.not_readable_message(str(exc))) from exc
