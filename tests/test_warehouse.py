"""Publishing a build: atomic replace, the previous build kept, failed builds cleaned away, a damaged published
file set aside without losing the previous build, and the previous build restored."""

import duckdb
import pytest

from nsw_doe.warehouse import Warehouse, WarehouseError
from tests.conftest import nsw_doe


def make_build(warehouse: Warehouse, value: int):
    """A build as `nsw-doe build` leaves it: its tables and its record in audit.build."""
    path = warehouse.new_build_path()
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table t as select {value} as v")
        con.execute("create schema audit; create table audit.build as select now() as built_at")
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


def damage(path) -> bytes:
    """Cut a database file short, as a full disk or a copy that stopped midway leaves it; returns its bytes."""
    data = path.read_bytes()[:5000]
    path.write_bytes(data)
    return data


def test_an_unreadable_published_file_is_set_aside_and_the_previous_build_is_kept(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.publish(make_build(warehouse, 1))
    warehouse.publish(make_build(warehouse, 2))
    previous = warehouse.previous.read_bytes()
    damaged = damage(warehouse.published)

    with pytest.raises(WarehouseError, match=r"The published warehouse is not readable: .*nsw-doe restore"):
        warehouse.connect_read_only()
    set_aside = warehouse.publish(make_build(warehouse, 3))

    assert read(warehouse.published) == 3
    assert warehouse.previous.read_bytes() == previous, "the last good build is not replaced by the damaged file"
    assert set_aside.name.startswith("nsw_doe.unreadable-") and set_aside.read_bytes() == damaged
    assert "DuckDB cannot open it" in set_aside.with_suffix(".txt").read_text()


def test_a_database_that_is_no_build_is_set_aside_too(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.publish(make_build(warehouse, 1))
    previous = warehouse.published.read_bytes()
    warehouse.publish(make_build(warehouse, 2))
    with duckdb.connect(str(warehouse.published)) as con:  # edited by hand: its build record dropped
        con.execute("drop table audit.build")
    set_aside = warehouse.publish(make_build(warehouse, 3))
    assert warehouse.previous.read_bytes() == previous
    assert "no audit.build table" in set_aside.with_suffix(".txt").read_text()


def test_restore_publishes_the_previous_build_and_a_second_restore_undoes_it(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.state.mkdir()
    for value in (1, 2):
        (tmp_path / "manifest.json").write_text(f'{{"build": {value}}}')
        warehouse.publish(make_build(warehouse, value), manifest=tmp_path / "manifest.json")

    assert warehouse.restore() is None
    assert (read(warehouse.published), read(warehouse.previous)) == (1, 2)
    assert (warehouse.state / "manifest.json").read_text() == '{"build": 1}', "slim CI compares against build 1"
    warehouse.restore()
    assert (read(warehouse.published), read(warehouse.previous)) == (2, 1)
    assert (warehouse.state / "manifest.json").read_text() == '{"build": 2}'
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".nsw_doe")) == [], "no stray links"


def test_restore_sets_a_damaged_published_file_aside(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.publish(make_build(warehouse, 1))
    warehouse.publish(make_build(warehouse, 2))
    damaged = damage(warehouse.published)

    result = nsw_doe("restore", NSW_DOE_WAREHOUSE_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "Restored the previous build" in result.stdout
    assert read(warehouse.published) == 1 and not warehouse.previous.exists()
    [aside] = tmp_path.glob("nsw_doe.unreadable-*.duckdb")
    assert aside.read_bytes() == damaged


def test_restore_without_a_readable_previous_build_changes_nothing(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.publish(make_build(warehouse, 1))
    with pytest.raises(WarehouseError, match="no previous build"):
        warehouse.restore()
    warehouse.publish(make_build(warehouse, 2))
    damage(warehouse.previous)
    published = warehouse.published.read_bytes()
    with pytest.raises(WarehouseError, match=r"previous build .* is not readable either"):
        warehouse.restore()
    assert warehouse.published.read_bytes() == published


def test_every_command_names_an_unreadable_published_warehouse_and_what_to_do(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.publish(make_build(warehouse, 1))
    warehouse.publish(make_build(warehouse, 2))
    damage(warehouse.published)
    for command in (["query", "select 1"], ["export", str(tmp_path / "out")], ["docs"]):
        result = nsw_doe(*command, NSW_DOE_WAREHOUSE_DIR=str(tmp_path))
        message = " ".join(result.stderr.split())
        assert result.returncode == 1, command
        assert "The published warehouse is not readable" in message and "nsw-doe restore" in message, message
        assert "Traceback" not in result.stderr
