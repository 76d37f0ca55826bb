"""A build that cannot use its input stops early and names the file, row and column in one paragraph, and leaves the
published warehouse byte for byte as it was: an extract with no data rows, a file without a column the staging
models read, and a full disk. (A repeated key is in test_build.py; damaged files are in test_source_errors.py.)"""

import hashlib
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from nsw_doe.warehouse import Warehouse
from tests.conftest import nsw_doe, rewrite

SELECTIVE = "selective_entry_scores"


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.glob("*.duckdb")}


@pytest.fixture
def warehouse_copy(built, tmp_path) -> Warehouse:
    """A published build and a previous one, which a failed build must leave byte for byte as they were."""
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)
    shutil.copy(warehouse.published, warehouse.previous)
    return warehouse


def build_fails(snapshot, warehouse: Warehouse, *phrases: str) -> str:
    before = digests(warehouse.directory)
    result = nsw_doe(
        "build", NSW_DOE_SNAPSHOT_DIR=str(snapshot.snapshot_dir), NSW_DOE_WAREHOUSE_DIR=str(warehouse.directory)
    )
    message = " ".join(result.stderr.split())
    assert result.returncode == 1, result.stdout[-2000:]
    assert "nothing was published" in message, message
    for phrase in phrases:
        assert phrase in message, message
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 8, result.stderr
    assert digests(warehouse.directory) == before
    return message


def test_an_extract_with_a_header_and_no_rows_stops_the_build_at_the_raw_load(snapshot_copy, warehouse_copy):
    path = rewrite(snapshot_copy, SELECTIVE, lambda header, rows: (header, []))
    build_fails(snapshot_copy, warehouse_copy, f"raw_snapshot: {path}: has a header but no data rows")


def test_a_file_without_a_column_the_staging_models_read_is_named_at_the_raw_load(snapshot_copy, warehouse_copy):
    path = rewrite(snapshot_copy, SELECTIVE, lambda header, rows: (header[1:], [row[1:] for row in rows]))
    build_fails(
        snapshot_copy,
        warehouse_copy,
        f"raw_snapshot: {path}: no file of dataset {SELECTIVE} has the column(s) selective_high_school",
    )


@pytest.fixture
def small_disk(built, tmp_path):
    """A file system (tmpfs; the tests run as root, as CI does) with room for a copy of the shared build and 24 MiB
    more, too little for a second build; unmounted afterwards."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    size_mib = math.ceil(Warehouse(built[0].warehouse_dir).published.stat().st_size / 2**20) + 24
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_a_full_disk_is_named_as_such_and_the_published_build_is_kept(built, snapshot_copy, small_disk):
    warehouse = Warehouse(small_disk / "warehouse")
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)  # 24 MiB left
    message = build_fails(snapshot_copy, warehouse, f"the disk holding {warehouse.directory} is full", "MiB free")
    assert "free some space and build again" in message
