import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from nsw_doe.settings import PROJECT_ROOT, Settings, load_settings


def acara_source_dir() -> Path:
    """The ACARA workbooks (not CC BY, never in the repository): $NSW_DOE_ACARA_DIR or ../shared/data/acara."""
    path = Path(os.environ.get("NSW_DOE_ACARA_DIR") or PROJECT_ROOT.parent / "shared" / "data" / "acara")
    if not (path / "School Profile 2023.xlsx").exists():
        raise RuntimeError(f"The tests need the ACARA workbooks: set NSW_DOE_ACARA_DIR (looked in {path}).")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One full build (ACARA included) into a temporary warehouse directory, shared by the tests that read it."""
    from nsw_doe.build import run_build

    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NSW_DOE_WAREHOUSE_DIR", str(warehouse_dir))
        env.setenv("NSW_DOE_ACARA_DIR", str(acara_source_dir()))
        settings = load_settings()
        yield settings, run_build(settings)


@pytest.fixture
def con(built):
    """A read-only connection to the published warehouse of the shared build."""
    from nsw_doe.warehouse import Warehouse

    with Warehouse(built[0].warehouse_dir).connect_read_only() as connection:
        yield connection


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


@pytest.fixture
def snapshot_copy(tmp_path: Path) -> Settings:
    """Settings whose snapshot and warehouse are private copies under tmp_path, safe to change."""
    shutil.copytree(PROJECT_ROOT / "data" / "sources", tmp_path / "sources")
    return dataclasses.replace(
        load_settings(), snapshot_dir=tmp_path / "sources", warehouse_dir=tmp_path / "warehouse", acara_dir=None
    )
