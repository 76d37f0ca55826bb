"""Publishing a build: atomic replace, the previous build kept, failed builds cleaned away."""

import duckdb
import pytest

from nsw_doe.warehouse import Warehouse, WarehouseError


def make_build(warehouse: Warehouse, value: int):
    path = warehouse.new_build_path()
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table t as select {value} as v")
    return path


def read(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_publishing_replaces_the_warehouse_and_keeps_the_previous_one(tmp_path):
    warehouse = Warehouse(tmp_path)
    with pytest.raises(WarehouseError, match="No warehouse has been published"):
        warehouse.connect_read_only()

    warehouse.publish(make_build(warehouse, 1))
    assert read(warehouse.published) == 1 and not warehouse.previous.exists()

    second = make_build(warehouse, 2)
    warehouse.publish(second)
    assert read(warehouse.published) == 2 and read(warehouse.previous) == 1
    assert not second.exists()
    with warehouse.connect_read_only() as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("create table u (x int)")


def test_publishing_keeps_the_builds_dbt_manifest_as_the_state(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.dbt_artifacts.mkdir()
    (warehouse.dbt_artifacts / "manifest.json").write_text('{"build": 1}')
    build = make_build(warehouse, 1)
    warehouse.publish(build, manifest=warehouse.dbt_artifacts / "manifest.json")
    warehouse.discard(build)
    assert (warehouse.state / "manifest.json").read_text() == '{"build": 1}'
    assert list((tmp_path / "builds").iterdir()) == []
    # A build without a manifest (nothing dbt ran) leaves the state of the last one that had one.
    warehouse.publish(make_build(warehouse, 2))
    assert (warehouse.state / "manifest.json").read_text() == '{"build": 1}'


def test_one_build_at_a_time_and_a_killed_builds_leftovers_are_cleared(tmp_path):
    warehouse = Warehouse(tmp_path)
    with warehouse.build_lock():
        leftover = make_build(warehouse, 1)
        leftover.with_name("stray.tmp").write_bytes(b"")
        with pytest.raises(WarehouseError, match=f"Another build is writing {tmp_path}"), warehouse.build_lock():
            pytest.fail("a second build got the lock")
        assert leftover.exists(), "the refused build touched nothing"
    with warehouse.build_lock():
        path = warehouse.new_build_path()
        assert path == leftover and list(path.parent.iterdir()) == [path], "only the new build's own database"
        with duckdb.connect(str(path), read_only=True) as con:
            assert con.execute("select count(*) from duckdb_tables()").fetchone()[0] == 0, "a fresh, empty one"


def test_discarding_a_build_removes_everything_it_left(tmp_path):
    warehouse = Warehouse(tmp_path)
    build = make_build(warehouse, 1)
    build.with_name(build.name + ".wal").write_bytes(b"")
    (build.with_name(build.name + ".dlt") / "pipelines").mkdir(parents=True)
    warehouse.discard(build)
    assert list((tmp_path / "builds").iterdir()) == []
