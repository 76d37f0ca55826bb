"""The Dagster code location: its asset graph, the raw load on its own, and the webserver's GraphQL API."""

import os
import socket
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest
import requests

from nsw_doe import dbt_project
from nsw_doe.settings import PROJECT_ROOT, load_settings
from nsw_doe.sources.catalog import load_manifest


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    dbt_project.prepare()
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
    from nsw_doe.defs.resources import WarehouseResource

    monkeypatch.delenv("NSW_DOE_ACARA_DIR", raising=False)
    database = tmp_path / "build.duckdb"  # not raw.duckdb: a catalog named like the schema confuses DuckDB
    selection = [dg.AssetKey(["raw", "acara_school_profile"]), dg.AssetKey(["raw", "selective_entry_scores"])]
    raw_assets = [
        a for a in definitions.assets if isinstance(a, dg.AssetsDefinition) and a.node_def.name == "raw_snapshot"
    ]
    result = dg.materialize(
        raw_assets,
        selection=selection,
        resources={
            "warehouse": WarehouseResource(database=str(database), dbt_target=str(tmp_path / "dbt_target")),
            "dlt": definitions.resources["dlt"],
        },
    )
    assert result.success
    assert "acara_school_profile: skipped, NSW_DOE_ACARA_DIR is not set" in caplog.text
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from raw.acara_school_profile").fetchone()[0] == 0
        columns = [r[0] for r in con.execute("describe raw.acara_school_profile").fetchall()]
        assert "icsea" in columns and "_source_file" in columns
        assert con.execute("select count(*) from raw.selective_entry_scores").fetchone()[0] == 45


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_webserver_serves_the_asset_graph_over_graphql(definitions, tmp_path):
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, "the webserver exited"
            assert time.monotonic() < deadline, "the webserver did not start within 180 s"
            time.sleep(1)
        query = "{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"
        body = requests.post(f"{url}/graphql", json={"query": query}, timeout=60).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    nodes = {"/".join(n["assetKey"]["path"]): n for n in body["data"]["assetNodes"]}
    assert set(nodes) == {k.to_user_string() for k in definitions.resolve_asset_graph().get_all_asset_keys()}
    assert nodes["raw/master_dataset"]["groupName"] == "raw"
    staging = nodes["staging/stg__doe__master_dataset"]
    assert staging["groupName"] == "staging"
    assert [d["path"] for d in staging["dependencyKeys"]] == [["raw", "master_dataset"]]
