"""Queries of the published warehouse, cached per published build.

A build publishes by renaming a new file over the published path, so the file's identity (device, inode, mtime)
names a build: every cache here is keyed on it, and the first interaction after a publish reads the new build
without a restart. DuckDB hands back the already-open database when a path is connected to again, even after the
path was renamed over, so each build is attached by path into a fresh in-memory database instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from nsw_doe.intake_zones import ZoneIndex
from nsw_doe.settings import load_settings
from nsw_doe.warehouse import READ_ALIAS, Warehouse, open_read_only


@dataclass(frozen=True)
class Build:
    """One published warehouse file, as identified on disk."""

    path: str
    device: int
    inode: int
    modified_ns: int


def published_path() -> Path:
    return Warehouse(load_settings().warehouse_dir).published


def current_build() -> Build | None:
    """The build published now, or None before the first build."""
    path = published_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return Build(str(path), stat.st_dev, stat.st_ino, stat.st_mtime_ns)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=2, on_release=_close, show_spinner=False)
def _database(build: Build) -> duckdb.DuckDBPyConnection:
    # The app reads this file and nothing else: no other file, no URL, no extension download, no write.
    return open_read_only(Path(build.path))


def unreadable_message(build: Build) -> str | None:
    """What to tell the reader when DuckDB cannot open the published file (damaged, or not a database), or None."""
    try:
        _database(build)
    except duckdb.Error as exc:
        return Warehouse(load_settings().warehouse_dir).not_readable_message(str(exc))
    return None


@st.cache_data(max_entries=512, show_spinner=False)
def _query(build: Build, sql: str, params: tuple) -> pd.DataFrame:
    cursor = _database(build).cursor()
    try:
        cursor.execute(f"use {READ_ALIAS}")
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def query(sql: str, *params) -> pd.DataFrame:
    """The result of `sql` (with `?` placeholders bound to `params`) on the build published now.

    Pages call this only after main.py checked that a build exists."""
    build = current_build()
    if build is None:
        raise FileNotFoundError(f"No warehouse is published at {published_path()}.")
    return _query(build, sql, params)


@st.cache_resource(max_entries=2, show_spinner=False)
def _zone_index(build: Build, sql: str) -> ZoneIndex:
    return ZoneIndex(_query(build, sql, ()))


def zone_index(sql: str) -> ZoneIndex:
    """The intake zones `sql` selects (one row each, `geometry` as GeoJSON), indexed for point lookups once per
    published build (building the index takes about a second; a lookup, milliseconds)."""
    build = current_build()
    if build is None:
        raise FileNotFoundError(f"No warehouse is published at {published_path()}.")
    return _zone_index(build, sql)


def scalar(sql: str, *params):
    """The first value of the first row of `sql`."""
    frame = query(sql, *params)
    return None if frame.empty else frame.iat[0, 0]
