import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from nsw_doe.settings import PROJECT_ROOT, Settings, load_settings

ACARA_DIR = Path(os.environ.get("NSW_DOE_ACARA_DIR") or PROJECT_ROOT.parent / "shared" / "data" / "acara")
HAS_ACARA = (ACARA_DIR / "School Profile 2023.xlsx").exists()


@pytest.fixture
def acara(built):
    """For tests marked `acara`: the shared build must include the licensed ACARA workbooks. Where they are not
    available (a public CI), deselect those tests with -m "not acara"."""
    if not HAS_ACARA:
        raise RuntimeError(f'No ACARA workbooks in {ACARA_DIR}: set NSW_DOE_ACARA_DIR, or run with -m "not acara".')


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One full build (with ACARA when its workbooks are here) into a temporary warehouse, shared by the tests."""
    from nsw_doe.build import run_build

    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NSW_DOE_WAREHOUSE_DIR", str(warehouse_dir))
        if HAS_ACARA:
            env.setenv("NSW_DOE_ACARA_DIR", str(ACARA_DIR))
        else:
            env.delenv("NSW_DOE_ACARA_DIR", raising=False)
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
