"""The CLI's error paths: each exits non-zero with one paragraph saying what is wrong and what to do."""

import subprocess

import pytest

from nsw_doe.warehouse import Warehouse
from tests.conftest import nsw_doe


def assert_one_paragraph_error(result: subprocess.CompletedProcess, code: int, *phrases: str) -> None:
    assert result.returncode == code, result.stderr
    message = " ".join(result.stderr.split())
    for phrase in phrases:
        assert phrase in message, message
    assert "Traceback" not in result.stderr
    assert "\n\n" not in result.stderr.strip(), "one paragraph"


@pytest.mark.parametrize(
    "args",
    [["query", "select 1"], ["docs"], ["ci-slim"]],
    ids=["query", "docs", "ci-slim"],
)
def test_commands_that_need_a_warehouse_say_there_is_none_and_how_to_build_one(tmp_path, args):
    result = nsw_doe(*args, NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
    assert_one_paragraph_error(
        result, 1, "error:", f"No warehouse has been published at {tmp_path}/nsw_doe.duckdb", "run `nsw-doe build`"
    )
    assert list(tmp_path.iterdir()) == [], "nothing was created"


def test_ci_slim_without_the_published_builds_state_says_so(tmp_path):
    Warehouse(tmp_path).published.write_bytes(b"")  # a published file, but no dbt state beside it
    result = nsw_doe("ci-slim", NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
    assert_one_paragraph_error(result, 1, f"no dbt state in {tmp_path}/state", "run `nsw-doe build`")


def test_an_unknown_query_format_is_a_usage_error(tmp_path):
    result = nsw_doe("query", "--format", "xml", "select 1", NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Invalid value for '--format'" in " ".join(result.stderr.replace("│", " ").split())


def test_a_build_while_another_holds_the_lock_stops_at_once(tmp_path):
    warehouse = Warehouse(tmp_path)
    with warehouse.build_lock():
        result = nsw_doe("build", NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
    assert_one_paragraph_error(result, 1, f"Another build is writing {tmp_path}", "NSW_DOE_WAREHOUSE_DIR")
    assert not (tmp_path / "builds").exists(), "the refused build wrote nothing"
