"""The MotherDuck scale-out destination is chosen by configuration, and refuses to start without a token, offline."""

import dataclasses
import socket

import pytest
import yaml

from nsw_doe.build import run_build
from nsw_doe.dbt_project import TRANSFORM_DIR
from nsw_doe.destinations import DestinationError, remote_destination
from nsw_doe.settings import load_settings
from tests.conftest import nsw_doe


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_local_file_is_the_default(monkeypatch):
    monkeypatch.delenv("NSW_DOE_DESTINATION", raising=False)
    assert remote_destination(load_settings()) is None


def test_motherduck_resolves_to_an_md_database(monkeypatch, no_network):
    monkeypatch.setenv("NSW_DOE_DESTINATION", "motherduck")
    monkeypatch.setenv("MOTHERDUCK_TOKEN", "token-for-tests")
    assert remote_destination(load_settings()).database == "md:nsw_doe"
    monkeypatch.setenv("NSW_DOE_MOTHERDUCK_DATABASE", "nsw_doe_staging")
    remote = remote_destination(load_settings())
    assert (remote.database, remote.token) == ("md:nsw_doe_staging", "token-for-tests")


def test_the_raw_loader_and_dbt_point_at_motherduck(monkeypatch, no_network, tmp_path):
    from nsw_doe.defs.ingest.raw import pipeline_for

    monkeypatch.setenv("MOTHERDUCK_TOKEN", "token-for-tests")
    pipeline = pipeline_for("md:nsw_doe_staging", load_settings(), tmp_path)
    assert pipeline.destination.destination_type.endswith("motherduck")
    assert pipeline.dataset_name == "raw"
    outputs = yaml.safe_load((TRANSFORM_DIR / "profiles.yml").read_text())["nsw_doe"]["outputs"]
    assert outputs["motherduck"]["path"].startswith("md:")
    assert "MOTHERDUCK_TOKEN" in outputs["motherduck"]["settings"]["motherduck_token"]


def test_a_missing_token_is_a_clear_error_before_any_connection(monkeypatch, no_network, tmp_path):
    monkeypatch.setenv("NSW_DOE_DESTINATION", "motherduck")
    monkeypatch.delenv("MOTHERDUCK_TOKEN", raising=False)
    settings = dataclasses.replace(load_settings(), warehouse_dir=tmp_path)
    with pytest.raises(DestinationError, match="needs a MotherDuck access token in MOTHERDUCK_TOKEN"):
        run_build(settings)
    assert list(tmp_path.iterdir()) == [], "nothing was built"


def test_the_cli_reports_a_missing_token_or_an_unknown_destination(tmp_path):
    env = {"MOTHERDUCK_TOKEN": None, "NSW_DOE_DESTINATION": "motherduck", "NSW_DOE_WAREHOUSE_DIR": str(tmp_path)}
    result = nsw_doe("build", **env)
    assert result.returncode == 1
    assert "MOTHERDUCK_TOKEN" in result.stderr and "Traceback" not in result.stderr
    env["NSW_DOE_DESTINATION"] = "snowflake"
    result = nsw_doe("build", **env)
    assert result.returncode == 1 and "expected one of local, motherduck" in result.stderr
