import csv
import dataclasses
import gzip
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from nsw_doe.settings import PROJECT_ROOT, Settings, load_settings
from nsw_doe.sources.catalog import load_manifest, save_manifest
from nsw_doe.sources.snapshot import sha256_hex, store_file
from nsw_doe.warehouse import Warehouse

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
    with Warehouse(built[0].warehouse_dir).connect_read_only() as connection:
        yield connection


def nsw_doe(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The `nsw-doe` CLI in a new process, with these environment variables added (or, set to None, removed)."""
    environment = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "nsw_doe.cli", *args], capture_output=True, text=True, env=environment)


def state_attendance(con):
    """Each year's state attendance rate three ways, computed here from the marts (apart from the code under test):
    weighted by headcount, the plain mean of school rates, and the department's published state row (its latest
    edition)."""
    return con.execute(
        """
        with schools as (
            select
                calendar_year,
                sum(attendance_rate * headcount) / sum(headcount) as weighted,
                avg(attendance_rate) as unweighted
            from marts.fct__attendance
            where attendance_status = 'reported'
            group by calendar_year
        ),
        published as (
            select calendar_year, arg_max(measure_value, edition_year) as published
            from marts.fct__statewide_total
            where measure = 'attendance_rate'
            group by calendar_year
        )
        select * from schools full join published using (calendar_year) order by calendar_year
        """
    ).df()


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


@pytest.fixture
def snapshot_copy(tmp_path: Path) -> Settings:
    """Settings whose snapshot and warehouse are private copies under tmp_path, safe to change."""
    shutil.copytree(PROJECT_ROOT / "data" / "sources", tmp_path / "sources")
    return dataclasses.replace(
        load_settings(), snapshot_dir=tmp_path / "sources", warehouse_dir=tmp_path / "warehouse", acara_dir=None
    )


def copy_project(root: Path) -> Path:
    """The project's tracked files, as a fresh clone has them (no dbt manifest, no warehouse), sharing the pinned
    snapshot through a link. Run it with PYTHONPATH=<root>/src so that its own package is imported."""
    tracked = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in tracked:
        source = PROJECT_ROOT / name
        if name.startswith("data/") or not source.is_file():
            continue
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, root / name)
    (root / "data").symlink_to(PROJECT_ROOT / "data")
    return root


APP_MAIN = PROJECT_ROOT / "src" / "nsw_doe" / "app" / "main.py"


def open_page(page: str = "overview", timeout: float = 60, **query_params: str):
    """The report app's page `page` (a script in app/views) rendered by Streamlit's AppTest, with these URL query
    parameters, against the warehouse NSW_DOE_WAREHOUSE_DIR names (the `built` fixture's, for page tests).
    Fails if the page raised."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP_MAIN), default_timeout=timeout)
    app.query_params.update(query_params)
    app.run()
    if page != "overview":
        app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture
def own_warehouse(built, tmp_path, monkeypatch):
    """A warehouse directory of the test's own holding a copy of the shared build, which the app reads."""
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(warehouse.directory))
    return warehouse


def publish_a_new_build(warehouse: Warehouse, sql: str) -> None:
    """Publish a copy of the published build changed by `sql`, as `nsw-doe build` publishes (atomic rename)."""
    build = warehouse.directory / "builds" / "next" / "nsw_doe.duckdb"
    build.parent.mkdir(parents=True)
    shutil.copy(warehouse.published, build)
    with duckdb.connect(str(build)) as con:
        con.execute(sql)
    warehouse.publish(build)


def rewrite(settings, dataset_id: str, change) -> str:
    """Rewrite a dataset's first file through change(header, rows) -> (header, rows), and pin it in the manifest as
    a user refreshing the file would (sha256, rows and header updated). Returns the file's path in the snapshot."""
    manifest = load_manifest(settings.manifest_path)
    source = manifest.get(dataset_id).files[0]
    text = gzip.decompress((settings.snapshot_dir / source.path).read_bytes()).decode(source.encoding)
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    header, rows = change(header, rows)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    data = out.getvalue().encode(source.encoding)
    store_file(settings, source.path, data)
    source.sha256, source.rows, source.columns = sha256_hex(data), len(rows), header
    save_manifest(manifest, settings.manifest_path)
    return str(settings.snapshot_dir / source.path)
