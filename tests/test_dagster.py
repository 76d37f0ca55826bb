"""The Dagster code location: its asset graph, the raw load on its own, and the webserver's GraphQL API."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests
import yaml

from nsw_doe.dbt_project import prepare
from nsw_doe.settings import PROJECT_ROOT, load_settings
from nsw_doe.sources.catalog import load_manifest
from tests.conftest import copy_project
from tests.servers import free_port, running_server


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    prepare()
    from nsw_doe.definitions import defs

    return defs()


def test_every_dataset_is_a_raw_asset_feeding_its_staging_model(definitions):
    graph = definitions.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for dataset in load_manifest(load_settings().manifest_path).datasets:
        raw = f"raw/{dataset.raw_table}"
        assert raw in keys
        children = {c.to_user_string() for c in graph.get(dg.AssetKey.from_user_string(raw)).child_keys}
        assert any(c.startswith("staging/stg__") for c in children), raw
    checks = list(graph.asset_check_keys)
    assert len(checks) >= 150, "dbt data tests are asset checks"
    marts = {k for k in keys if k.startswith("marts/")}
    assert {"marts/dim__school", "marts/fct__enrolment", "marts/fct__attendance"} <= marts


def test_raw_load_without_acara_leaves_empty_tables_and_says_so(definitions, tmp_path, monkeypatch, caplog):
    from nsw_doe.defs.resources import run_resources

    monkeypatch.delenv("NSW_DOE_ACARA_DIR", raising=False)
    database = tmp_path / "build.duckdb"  # not raw.duckdb: a catalog named like the schema confuses DuckDB
    selection = [dg.AssetKey(["raw", "acara_school_profile"]), dg.AssetKey(["raw", "selective_entry_scores"])]
    raw_assets = [
        a for a in definitions.assets if isinstance(a, dg.AssetsDefinition) and a.node_def.name == "raw_snapshot"
    ]
    result = dg.materialize(
        raw_assets,
        selection=selection,
        resources=run_resources(load_settings(), database, tmp_path / "dbt_artifacts"),
    )
    assert result.success
    assert "acara_school_profile: skipped, NSW_DOE_ACARA_DIR is not set" in caplog.text
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from raw.acara_school_profile").fetchone()[0] == 0
        columns = [r[0] for r in con.execute("describe raw.acara_school_profile").fetchall()]
        assert "icsea" in columns and "_source_file" in columns
        assert con.execute("select count(*) from raw.selective_entry_scores").fetchone()[0] == 45


def test_the_ui_starts_from_the_installed_script_without_the_environment_on_path(definitions, tmp_path):
    """`.venv/bin/nsw-doe ui`, unactivated, finds dagster beside its interpreter and serves the asset graph."""
    port = free_port()
    env = {**os.environ, "NSW_DOE_WAREHOUSE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("nsw-doe")), "ui", "--port", str(port)]
    with running_server(command, env, f"{url}/server_info", timeout=180, cwd=tmp_path):
        query = "{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"
        body = requests.post(f"{url}/graphql", json={"query": query}, timeout=60).json()
    nodes = {"/".join(n["assetKey"]["path"]): n for n in body["data"]["assetNodes"]}
    assert set(nodes) == {k.to_user_string() for k in definitions.resolve_asset_graph().get_all_asset_keys()}
    assert nodes["raw/master_dataset"]["groupName"] == "raw"
    staging = nodes["staging/stg__doe__master_dataset"]
    assert staging["groupName"] == "staging"
    assert [d["path"] for d in staging["dependencyKeys"]] == [["raw", "master_dataset"]]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("clone"))


def run_dg(*args: str, project: Path) -> subprocess.CompletedProcess:
    """A `dg` command run in `project`, importing that copy's package (not the one installed from this tree)."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("NSW_DOE_WAREHOUSE_DIR", None)
    command = [str(Path(sys.executable).with_name("dg")), *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_dg_checks_and_lists_the_definitions_of_a_fresh_clone(fresh_copy, definitions):
    assert not (fresh_copy / "transform" / "target").exists()
    check = run_dg("check", "defs", project=fresh_copy)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "All definitions loaded successfully" in check.stdout + check.stderr
    assert (fresh_copy / "transform" / "target" / "manifest.json").exists(), "prepare_if_dev parsed the project"

    listed = run_dg("list", "defs", "--json", project=fresh_copy)
    assert listed.returncode == 0, listed.stderr
    keys = {a["asset_key"] for a in json.loads(listed.stdout)["assets"]}
    assert keys == {k.to_user_string() for k in definitions.resolve_asset_graph().get_all_asset_keys()}
    assert not (fresh_copy / "warehouse").exists(), "loading the definitions wrote nothing but dbt's manifest"


def test_importing_the_definitions_reads_no_settings_and_writes_nothing(tmp_path):
    # Settings that would fail if read: the snapshot is missing. Importing every definitions module must not care.
    env = {**os.environ, "NSW_DOE_SNAPSHOT_DIR": str(tmp_path / "missing"), "NSW_DOE_WAREHOUSE_DIR": str(tmp_path)}
    code = (
        "import importlib, pkgutil, nsw_doe.defs as d, nsw_doe.definitions\n"
        "for m in pkgutil.walk_packages(d.__path__, 'nsw_doe.defs.'): importlib.import_module(m.name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


GRAPH_SNAPSHOT = PROJECT_ROOT / "tests" / "snapshots" / "asset_graph.yml"


def asset_graph_outline(definitions: dg.Definitions) -> dict:
    """What a reviewer should see change: every asset with its group, upstream assets and checks; jobs; schedules;
    sensors."""
    graph = definitions.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for check in graph.asset_check_keys:
        checks.setdefault(check.asset_key.to_user_string(), []).append(check.name)
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(checks.get(key.to_user_string(), [])),
        }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in definitions.resolve_all_job_defs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in definitions.schedules or []),
        "sensors": sorted(s.name for s in definitions.sensors or []),
    }


def test_the_asset_graph_matches_its_committed_snapshot(definitions):
    """A change to the graph (an asset, a dependency, a check, a job) shows in review as a change to the snapshot.
    Regenerate it with `NSW_DOE_UPDATE_SNAPSHOTS=1 uv run pytest tests/test_dagster.py -k snapshot`."""
    outline = yaml.safe_dump(asset_graph_outline(definitions), sort_keys=False, width=120)
    if os.environ.get("NSW_DOE_UPDATE_SNAPSHOTS"):
        GRAPH_SNAPSHOT.parent.mkdir(exist_ok=True)
        GRAPH_SNAPSHOT.write_text("# Generated by tests/test_dagster.py; do not edit by hand.\n" + outline)
    committed = yaml.safe_load(GRAPH_SNAPSHOT.read_text())
    assert committed == yaml.safe_load(outline), (
        "The asset graph differs from tests/snapshots/asset_graph.yml: if the change is intended, regenerate it "
        "(NSW_DOE_UPDATE_SNAPSHOTS=1 uv run pytest tests/test_dagster.py -k snapshot) and commit it."
    )
