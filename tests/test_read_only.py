"""Every reader of the published warehouse can write nothing anywhere: `nsw-doe query`, the report app's
connection and the export's (which may write only in its own directory). `mf` is covered in test_semantic.py."""

import hashlib

import duckdb
import pytest

from nsw_doe.warehouse import Warehouse, open_read_only
from tests.conftest import nsw_doe


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(own_warehouse):
    return own_warehouse.published


def writes(published, elsewhere) -> dict[str, str]:
    """Statements that write a file, read one, or lift the lock, each aimed at the published file or beside it."""
    return {
        "copy over the warehouse": f"copy (select 'x' as x) to '{published}' (format csv)",
        "copy beside it": f"copy (select 1 as x) to '{elsewhere}' (format csv)",
        "export database": f"export database '{elsewhere.parent / 'dump'}'",
        "attach another file": f"attach '{elsewhere.with_suffix('.duckdb')}' as other",
        "read another file": f"select * from read_csv('{published}')",
        "switch access back on": "set enable_external_access = true",
        "unlock": "set lock_configuration = false",
        "install an extension": "install spatial",
        "change the warehouse": "create table marts.x as select 1 as x",
    }


def test_the_query_command_cannot_write_over_the_published_warehouse(published, tmp_path):
    before = digest(published)
    for name, sql in writes(published, tmp_path / "out.csv").items():
        result = nsw_doe("query", sql)
        assert result.returncode == 1, (name, result.stdout)
        assert "Traceback" not in result.stderr and "error:" in result.stderr, name
    assert digest(published) == before
    assert list(tmp_path.iterdir()) == [published.parent], "nothing was written beside the warehouse"


def test_the_query_command_writes_its_rows_where_the_user_names(published, tmp_path):
    target = tmp_path / "schools.csv"
    result = nsw_doe("query", "select count(*) as n from marts.dim__school where is_current", "--output", str(target))
    assert result.returncode == 0, result.stderr
    with open_read_only(published) as con:
        current = con.execute("select count(*) from marts.dim__school where is_current").fetchone()[0]
    assert target.read_text().splitlines() == ["n", str(current)]
    assert "Wrote 1 rows" in result.stderr


def test_the_report_apps_connection_is_as_locked(published, tmp_path):
    from nsw_doe.app import data

    con = data._database(data.current_build())
    for name, sql in writes(published, tmp_path / "out.csv").items():
        with pytest.raises(duckdb.Error):
            con.execute(sql)
            pytest.fail(f"{name} was allowed")
    assert con.execute("select count(*) from marts.dim__school").fetchone()[0] > 2000


def test_the_exports_connection_writes_only_in_its_own_directory(own_warehouse, tmp_path):
    allowed = tmp_path / "export"
    allowed.mkdir()
    before = digest(own_warehouse.published)
    with Warehouse(own_warehouse.directory).connect_read_only(writable_directory=allowed) as con:
        con.execute(f"copy marts.dim__calendar_year to '{allowed / 'years.csv'}' (format csv)")
        for name, sql in writes(own_warehouse.published, tmp_path / "out.csv").items():
            with pytest.raises(duckdb.Error):
                con.execute(sql)
                pytest.fail(f"{name} was allowed")
        with pytest.raises(duckdb.Error):  # a path that leaves the directory is refused too
            con.execute(f"copy (select 1) to '{allowed / '..' / 'escape.csv'}' (format csv)")
    assert (allowed / "years.csv").exists() and not (tmp_path / "escape.csv").exists()
    assert digest(own_warehouse.published) == before
