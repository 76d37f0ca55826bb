"""End to end: build the whole asset graph from the pinned snapshot into a temporary warehouse directory."""

import dataclasses
import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from nsw_doe.build import BuildError, load_definitions, run_build
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import load_manifest
from nsw_doe.warehouse import Warehouse
from tests.conftest import HAS_ACARA, copy_project, nsw_doe, scalar


@pytest.fixture
def published_copy(built, tmp_path):
    """A private warehouse directory holding a copy of the built warehouse, for tests that build again."""
    settings, _ = built
    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(settings.warehouse_dir).published, warehouse.published)
    return warehouse


def test_build_publishes_raw_and_staging_with_every_check_passing(built):
    settings, summary = built
    assert summary.warehouse == settings.warehouse_dir / "nsw_doe.duckdb"
    assert summary.warehouse.exists()
    schemas = {s.schema: s for s in summary.schemas}
    assert set(schemas) == {"raw", "staging", "prep", "marts", "quarantine", "semantic", "ml", "audit", "reporting"}
    assert schemas["staging"].tables == 15
    # Every check the graph defines was evaluated and passed (a skipped or failed check would be missing here), but
    # the warning that lists the intake zones naming a school the latest school list lacks (see test_intake_zones)
    # and the sources the freshness check finds overdue (see test_freshness).
    definitions = load_definitions()
    overdue = [check for check in summary.checks_warned if check.endswith(":source_freshness")]
    assert [check for check in summary.checks_warned if check not in overdue] == [
        "marts/dim__intake_zone:assert_current_intake_zones_name_a_listed_school"
    ]
    assert summary.checks_passed + 1 + len(overdue) == len(list(definitions.resolve_asset_graph().asset_check_keys))
    # the summary names the overdue sources in a line of their own, and the other warning with what it found
    assert [phrase.split(" (")[0] for phrase in summary.sources_overdue] == [
        key.removeprefix("raw/").removesuffix(":source_freshness") for key in overdue
    ]
    assert [w.split(": ")[0] for w in summary.warnings] == [
        "marts/dim__intake_zone:assert_current_intake_zones_name_a_listed_school"
    ]
    assert {"raw_snapshot", "dbt_models"} <= summary.step_seconds.keys()
    # The semantic exports and the ML models report a one-line headline, which the summary prints.
    assert {"semantic/metrics_by_year", "ml/enrolment_forecast", "ml/attendance_risk"} <= summary.headlines.keys()
    assert "AUC" in summary.headlines["ml/attendance_risk"]
    assert all(seconds > 0 for seconds in summary.step_seconds.values())
    assert {group.source_model for group in summary.quarantined} <= {"fct__school_profile"}
    assert json.loads((settings.warehouse_dir / "build_summary.json").read_text())["checks_failed"] == []
    assert not list((settings.warehouse_dir / "builds").iterdir()), "no build file is left behind"


def test_the_build_records_its_time_sources_and_check_results_inside_the_warehouse(built, con):
    settings, summary = built
    built_at, checks_passed, checks_warned, checks_failed = con.execute(
        "select built_at, checks_passed, checks_warned, checks_failed from audit.build"
    ).fetchone()
    assert (checks_passed, checks_warned, checks_failed) == (summary.checks_passed, len(summary.checks_warned), 0)
    assert built_at.timestamp() <= summary.warehouse.stat().st_mtime + 1
    checks = con.execute(
        "select count(*) filter (passed), count(*) filter (not passed and severity = 'ERROR') from audit.asset_checks"
    ).fetchone()
    assert checks == (summary.checks_passed, 0)
    files = con.execute("select dataset_id, file_path, vintage, rows, loaded from audit.source_files").fetchall()
    manifest = load_manifest(settings.manifest_path).datasets
    expected = {(d.id, f.path, f.vintage, f.rows, HAS_ACARA or not d.is_external) for d in manifest for f in d.files}
    assert set(files) == expected


def test_every_raw_table_holds_exactly_the_manifest_rows_of_each_file(built, con):
    settings, _ = built
    for dataset in load_manifest(settings.manifest_path).datasets:
        counts = dict(con.execute(f"select _source_file, count(*) from raw.{dataset.raw_table} group by 1").fetchall())
        # External datasets (ACARA) load only where their files are; elsewhere their raw table is empty.
        expected = {} if dataset.is_external and not HAS_ACARA else {f.path: f.rows for f in dataset.files}
        assert counts == expected, dataset.id


def test_raw_rows_carry_their_lineage(built, con):
    settings, _ = built
    master = load_manifest(settings.manifest_path).get("master_dataset")
    lineage = con.execute("select distinct _source_file, _source_sha256, _vintage from raw.master_dataset").fetchall()
    assert sorted(lineage) == sorted((f.path, f.sha256, f.vintage) for f in master.files)
    assert scalar(con, "select count(*) from raw.master_dataset where _loaded_at is null") == 0
    assert scalar(con, "select count(*) from raw._dlt_loads where status = 0") == 1


def test_suppression_markers_are_decoded_as_the_source_counts_them(con):
    # SOURCES.md counts the markers in the two attendance editions: sp 204 + 9, na 121 + 79.
    statuses = dict(
        con.execute("select attendance_status, count(*) from staging.stg__doe__attendance group by 1").fetchall()
    )
    assert statuses["suppressed"] == 213
    assert statuses["not_applicable"] == 200
    assert (
        scalar(
            con,
            "select count(*) from staging.stg__doe__attendance where attendance_status = 'suppressed' "
            "and attendance_rate is not null",
        )
        == 0
    )
    # The composite-class file has 544 literal NULL cells, all percentages of schools with no composite class.
    nulls = "(pct_composite_classes is null)::int + (pct_composite_class_students is null)::int"
    assert scalar(con, f"select sum({nulls}) from staging.stg__doe__composite_classes") == 544
    assert (
        scalar(
            con,
            f"select count(*) from staging.stg__doe__composite_classes where {nulls} > 0 "
            "and composite_class_count <> 0",
        )
        == 0
    )
    # Headcount 'SP' cells are suppressed, never zero.
    assert (
        scalar(
            con,
            "select count(*) from staging.stg__doe__enrolment_headcount "
            "where headcount_status = 'suppressed' and headcount is not null",
        )
        == 0
    )


def test_state_total_rows_are_separated_from_school_rows(con):
    totals = con.execute(
        "select distinct edition_year, school_name from staging.stg__doe__attendance where is_state_total order by 1"
    ).fetchall()
    assert totals == [(2017, "NSW Government"), (2022, "NSW government")]
    assert (
        scalar(
            con, "select count(*) from staging.stg__doe__attendance where not is_state_total and school_code is null"
        )
        == 0
    )
    assert (
        scalar(con, "select count(distinct school_code) from staging.stg__doe__composite_classes where is_state_total")
        == 1
    )


def test_master_dataset_vintages_share_one_shape(built, con):
    settings, _ = built
    master = load_manifest(settings.manifest_path).get("master_dataset")
    per_vintage = dict(
        con.execute(
            "select vintage_date::varchar, count(*) from staging.stg__doe__master_dataset group by 1"
        ).fetchall()
    )
    assert per_vintage == {f.vintage: f.rows for f in master.files}
    # Student_number (2018) and latest_year_enrolment_FTE (later) land in one column.
    assert (
        scalar(
            con,
            "select count(latest_year_enrolment_fte) from staging.stg__doe__master_dataset "
            "where vintage_date = '2018-04-23'",
        )
        > 2000
    )
    assert scalar(con, "select count(*) from staging.stg__doe__master_dataset where town_suburb like '% '") == 0


@pytest.mark.acara
def test_acara_workbooks_load_when_their_directory_is_set(acara, built, con):
    # The ACARA profile rows no dimension knows, and nothing else, are quarantined (see quarantine__rejected_rows).
    assert [(group.source_model, group.rows) for group in built[1].quarantined] == [
        ("fct__school_profile", 7),
        ("fct__school_profile", 3),
    ]
    # SOURCES.md: 9,719 schools in the profile, NSW 3,189 of them, 2,213 government.
    assert scalar(con, "select count(*) from staging.stg__acara__school_profile") == 9719
    assert scalar(con, "select count(*) from staging.stg__acara__school_profile where state = 'NSW'") == 3189
    assert (
        scalar(
            con,
            "select count(*) from staging.stg__acara__school_profile "
            "where state = 'NSW' and school_sector = 'Government'",
        )
        == 2213
    )


def test_a_reader_holding_the_warehouse_open_does_not_block_a_build(published_copy):
    warehouse = published_copy
    reader = duckdb.connect(str(warehouse.published), read_only=True)
    try:
        before = reader.execute("select count(*), max(_loaded_at) from raw.master_dataset").fetchone()
        with pytest.MonkeyPatch.context() as env:
            env.setenv("NSW_DOE_WAREHOUSE_DIR", str(warehouse.directory))
            second = run_build(load_settings())
        # The reader goes on reading the build it opened...
        assert reader.execute("select count(*), max(_loaded_at) from raw.master_dataset").fetchone() == before
    finally:
        reader.close()
    # ...while the new build is published and the one it replaced is kept.
    assert second.warehouse == warehouse.published
    with warehouse.connect_read_only() as con:
        assert scalar(con, "select max(_loaded_at) from raw.master_dataset") > before[1]
    with duckdb.connect(str(warehouse.previous), read_only=True) as old:
        assert old.execute("select max(_loaded_at) from raw.master_dataset").fetchone()[0] == before[1]


def test_a_failed_build_publishes_nothing_and_says_why(published_copy, snapshot_copy):
    published = published_copy.published
    stamp = published.stat().st_mtime_ns
    tampered = snapshot_copy.snapshot_dir / "attendance" / "2022-attendance-data-final.csv.gz"
    tampered.write_bytes(gzip.compress(gzip.decompress(tampered.read_bytes()).replace(b"94.3", b"94.4", 1)))
    env = {
        "NSW_DOE_WAREHOUSE_DIR": str(published_copy.directory),
        "NSW_DOE_SNAPSHOT_DIR": str(snapshot_copy.snapshot_dir),
    }

    result = nsw_doe("build", **env)

    assert result.returncode == 1
    assert "nothing was published" in result.stderr
    assert "2022-attendance-data-final.csv.gz: sha256 is" in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr
    assert published.stat().st_mtime_ns == stamp
    with published_copy.connect_read_only() as con:
        assert scalar(con, "select count(*) from raw.attendance") == 4311
    assert not list((published_copy.directory / "builds").iterdir())


def test_query_is_read_only_and_errors_are_one_paragraph(built):
    settings, _ = built
    env = {"NSW_DOE_WAREHOUSE_DIR": str(settings.warehouse_dir)}
    ok = nsw_doe("query", "--format", "csv", "select count(*) as n from staging.stg__doe__master_dataset", **env)
    assert ok.returncode == 0 and ok.stdout.splitlines() == ["n", "22136"]

    write = nsw_doe("query", "create table staging.x as select 1", **env)
    assert write.returncode == 1
    assert "read-only" in write.stderr and "Traceback" not in write.stderr

    debug = nsw_doe("--debug", "query", "select * from nowhere", **env)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "nowhere" in debug.stderr


@pytest.fixture
def warehouse_with_history(built, tmp_path) -> Warehouse:
    """A private warehouse directory as a few builds leave it: published and previous files, the dbt state and
    the build summary."""
    source = Warehouse(built[0].warehouse_dir)
    warehouse = Warehouse(tmp_path / "warehouse")
    (warehouse.state).mkdir(parents=True)
    shutil.copy(source.published, warehouse.published)
    shutil.copy(source.published, warehouse.previous)
    shutil.copy(source.state / "manifest.json", warehouse.state / "manifest.json")
    shutil.copy(source.directory / "build_summary.json", warehouse.directory / "build_summary.json")
    return warehouse


def fingerprint(warehouse: Warehouse) -> dict[str, tuple]:
    """What a failed build must leave as it was: each file's inode (a rename replaces it), mtime and bytes."""
    files = [warehouse.published, warehouse.previous, warehouse.state / "manifest.json"]
    files.append(warehouse.directory / "build_summary.json")
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()[-4096:]) for p in files}


def add_duplicate_row(settings, dataset_id: str) -> None:
    """Repeat the last data row of a dataset's first file, and pin the changed file in the snapshot's manifest."""
    from nsw_doe.sources.catalog import save_manifest
    from nsw_doe.sources.snapshot import sha256_hex, store_file

    manifest = load_manifest(settings.manifest_path)
    source = manifest.get(dataset_id).files[0]
    data = gzip.decompress((settings.snapshot_dir / source.path).read_bytes())
    lines = data.rstrip(b"\r\n").split(b"\n")
    data = b"\n".join([*lines, lines[-1]]) + b"\n"
    store_file(settings, source.path, data)
    source.sha256, source.rows = sha256_hex(data), source.rows + 1
    save_manifest(manifest, settings.manifest_path)


def test_a_failing_dbt_test_publishes_nothing_and_leaves_the_last_build_as_it_was(
    warehouse_with_history, snapshot_copy
):
    before = fingerprint(warehouse_with_history)
    add_duplicate_row(snapshot_copy, "statewide_attendance_by_remoteness")
    settings = dataclasses.replace(snapshot_copy, warehouse_dir=warehouse_with_history.directory)

    with pytest.raises(BuildError, match="nothing was published") as failure:
        run_build(settings)

    # The failing test is named, with the key it repeats and the file and data rows that repeat it.
    source = load_manifest(snapshot_copy.manifest_path).get("statewide_attendance_by_remoteness").files[0]
    message = str(failure.value)
    assert "source_grain_stg__doe__statewide_attendance_by_remoteness" in message
    assert "first failing rows: calendar_year=2017; cohort=all_students; remoteness=" in message, message
    assert f"source_rows={source.path} data row {source.rows - 1}; {source.path} data row {source.rows}" in message
    assert fingerprint(warehouse_with_history) == before
    assert not list((warehouse_with_history.directory / "builds").iterdir())


def test_a_failing_model_publishes_nothing_and_leaves_the_last_build_as_it_was(warehouse_with_history, tmp_path):
    before = fingerprint(warehouse_with_history)
    project = copy_project(tmp_path / "project")
    model = project / "transform" / "models" / "marts" / "fct__composite_class.sql"
    model.write_text("select no_such_column from {{ ref('stg__doe__composite_classes') }}\n")
    env = {
        "PYTHONPATH": str(project / "src"),
        "NSW_DOE_WAREHOUSE_DIR": str(warehouse_with_history.directory),
    }

    result = nsw_doe("build", **env)

    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "nothing was published" in message and "fct__composite_class" in message, message
    assert fingerprint(warehouse_with_history) == before
    assert not list((warehouse_with_history.directory / "builds").iterdir())


def table_digests(database: Path, schemas: tuple[str, ...]) -> dict[str, str]:
    """Every table of these schemas, as a digest of its rows in a stable order."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name in (select unnest(?))",
            [list(schemas)],
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(
                f"select md5(string_agg(row_text, chr(10) order by row_text)) from "
                f'(select cast(t as varchar) as row_text from "{schema}"."{table}" as t)'
            ).fetchone()[0]
            for schema, table in tables
        }


def test_two_builds_give_identical_ml_tables(published_copy):
    # Only the ML tables: the semantic exports' double sums (FTE, rate x headcount) differ between builds in the last
    # bits, as DuckDB adds them in parallel in whatever order the threads finish.
    first = table_digests(published_copy.published, ("ml",))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NSW_DOE_WAREHOUSE_DIR", str(published_copy.directory))
        run_build(load_settings())
    second = table_digests(published_copy.published, ("ml",))
    assert {"ml.enrolment_forecast", "ml.forecast_backtest", "ml.attendance_risk"} <= first.keys()
    assert second == first
