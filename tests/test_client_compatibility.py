"""The published warehouse opens in the DuckDB releases inside the tools analysts use, not only in DuckDB 2.0.

The old clients run in their own environments (`uv run --no-project --with duckdb==X`), so these tests need the
package registry the first time, like `make install` (uv caches the wheels afterwards)."""

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from nsw_doe.warehouse import STORAGE_VERSION, Warehouse

# The oldest release that opens the file (the README's promise; 0.10.0-0.10.2 fail to deserialise its catalog), and
# the 1.4 LTS inside the DuckDB CLI, DBeaver and the R and Node bindings today. The releases between them were
# checked by hand when the storage version was chosen (see STORAGE_VERSION).
OLD_CLIENTS = ("0.10.3", "1.4.*")

# Every table's row count and a digest of its rows (sorted, so scan order does not matter), computed the same way
# by each client. Timestamps with a time zone are compared as epoch microseconds, which old clients return without
# needing pytz.
FINGERPRINT = """
import hashlib, json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute(
    "select table_schema, table_name from information_schema.tables "
    "where table_catalog = current_database() and table_type = 'BASE TABLE'"
).fetchall()
out = {}
for schema, table in tables:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    select = ", ".join(
        f'epoch_us("{c}")' if t == "TIMESTAMP WITH TIME ZONE" else f'"{c}"' for c, t in columns
    )
    count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
    rows = sorted(repr(r) for r in con.execute(f'select {select} from "{schema}"."{table}"').fetchall())
    out[f"{schema}.{table}"] = [count, [c for c, _ in columns], hashlib.sha256("\\n".join(rows).encode()).hexdigest()]
print(json.dumps({"version": duckdb.__version__, "tables": out}))
"""


def uv_command() -> list[str]:
    """The uv running these tests (`uv run` says which in $UV), else uv from PATH, else the uv module that
    `make install` puts in the user's site-packages."""
    if found := os.environ.get("UV") or shutil.which("uv"):
        return [found]
    for python in (sys.executable, shutil.which("python3")):
        if python and subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    pytest.fail("uv is not installed: `make install` installs it (pip install --user uv).")


def fingerprint(command: list[str], database) -> dict:
    result = subprocess.run([*command, "-c", FINGERPRINT, str(database)], capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command[:8])} could not read {database}:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def published(built):
    return Warehouse(built[0].warehouse_dir).published


@pytest.fixture(scope="module")
def as_duckdb_2_reads_it(published) -> dict:
    return fingerprint([sys.executable], published)


def storage_version(database) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()
    return tags[0]["storage_version"]


def test_a_build_starts_in_the_chosen_storage_version_and_writers_keep_it(tmp_path):
    path = Warehouse(tmp_path).new_build_path()
    with duckdb.connect(str(path)) as con:  # as dlt and dbt connect: no storage option
        con.execute("create schema marts; create table marts.t as select range as id from range(10)")
    assert storage_version(path) == f"{STORAGE_VERSION}+"


def test_the_published_file_is_written_in_the_chosen_storage_version(published):
    assert storage_version(published) == f"{STORAGE_VERSION}+"


@pytest.mark.parametrize("client", OLD_CLIENTS)
def test_an_old_duckdb_reads_every_table_as_duckdb_2_does(published, as_duckdb_2_reads_it, client):
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    uv_run = [*uv_command(), "run", "--quiet", "--no-project", "--python", python, "--with", f"duckdb=={client}"]
    old = fingerprint([*uv_run, "python"], published)
    assert old["version"].startswith(client.rstrip("*").rstrip(".")), old["version"]
    assert as_duckdb_2_reads_it["version"].startswith("2.")
    assert old["tables"].keys() == as_duckdb_2_reads_it["tables"].keys()
    assert any(name.startswith("marts.") for name in old["tables"])
    differ = [t for t, value in as_duckdb_2_reads_it["tables"].items() if old["tables"][t] != value]
    assert differ == [], f"DuckDB {old['version']} reads these tables differently from DuckDB 2.0: {differ}"
