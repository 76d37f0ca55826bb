"""Blocking checks and anomaly checks: the thresholds of quality.yml, what they find in the real data, a snapshot
whose headcount file lost half its rows (publishes nothing, names the check), and one whose 2023 headcounts are 20%
lower (publishes, with the warning in the summary, audit.asset_checks and the report app)."""

import dataclasses
import math
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from rich.console import Console

from nsw_doe.anomalies import history, mart_rows
from nsw_doe.quality_checks import columns_match_manifest, rows_match_manifest, within_bounds
from nsw_doe.quality_config import CONFIG_NAME, QualityConfigError, load_quality_config
from nsw_doe.settings import PROJECT_ROOT
from nsw_doe.sources.catalog import load_manifest
from nsw_doe.warehouse import Warehouse
from tests.conftest import open_page, rewrite
from tests.test_build_failures import build_fails

HEADCOUNT = "enrolment_headcount"


def test_the_thresholds_file_is_checked_as_it_is_read(tmp_path):
    config = load_quality_config(PROJECT_ROOT / CONFIG_NAME)
    assert {b.table for b in config.row_count_bounds} >= {"raw.enrolment_headcount", "marts.fct__enrolment"}
    text = (PROJECT_ROOT / CONFIG_NAME).read_text()
    for broken, phrase in (
        (text.replace("min: 2000, max: 2600}", "min: 2700, max: 2600}", 1), "min (2700) is above max (2600)"),
        (text.replace("max_robust_score: 3.5", "max_robust_score: high"), "max_robust_score"),
        (text.replace("max_fall: 0.01", "max_fall: 0.01, max_drop: 0.5"), "max_drop: Extra inputs are not permitted"),
        (
            text.replace("row_count_bounds:\n", "row_count_bounds:\n  - {table: raw.attendance, min: 1, max: 2}\n"),
            "raw.attendance has more",
        ),
    ):
        path = tmp_path / f"{len(broken)}.yml"
        path.write_text(broken)
        with pytest.raises(QualityConfigError) as error:
            load_quality_config(path)
        assert str(path) in str(error.value) and phrase in str(error.value)


def test_blocking_checks_guard_every_raw_table_and_the_bounded_marts(built, con):
    from nsw_doe.definitions import defs

    graph = defs().resolve_asset_graph()
    specs = {key.to_user_string(): graph.get_check_spec(key) for key in graph.asset_check_keys}
    tables = con.execute("select table_name from information_schema.tables where table_schema = 'raw'").fetchall()
    for (table,) in tables:
        if table.startswith("_dlt_"):
            continue
        for name in ("columns_match_manifest", "rows_match_manifest"):
            assert specs[f"raw/{table}:{name}"].blocking, (table, name)
    for bound in load_quality_config().row_count_bounds:
        assert specs[f"{bound.table.replace('.', '/')}:row_count_bounds"].blocking
    # every dimension and fact has its primary key (a surrogate key's `unique`, a fact's `grain`) checked by a
    # blocking dbt test
    marts = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    for (table,) in marts:
        keys = [s for k, s in specs.items() if k.startswith((f"marts/{table}:grain_", f"marts/{table}:unique_"))]
        assert keys and all(s.blocking for s in keys), table
    results = con.execute(
        "select check_name, severity, bool_and(passed), count(*) from audit.asset_checks "
        "where check_name in ('columns_match_manifest', 'rows_match_manifest', 'row_count_bounds') group by 1, 2"
    ).fetchall()
    assert {(name, severity, passed) for name, severity, passed, _ in results} == {
        ("columns_match_manifest", "ERROR", True),
        ("rows_match_manifest", "ERROR", True),
        ("row_count_bounds", "ERROR", True),
    }


def test_the_history_rule_flags_2020_and_2022_attendance_and_nothing_else_in_the_real_data(built, con):
    rule = load_quality_config().anomalies.history
    everything = history(con, rule.model_copy(update={"known": []}))
    assert not everything.passed
    assert "attendance_rate 2020 missing between reported years" in everything.description
    assert "attendance_rate 2022 85.12" in everything.description
    assert everything.metadata == {"unexplained": 2, "known": 0}
    # the robust score of 2022, computed here with NumPy from the semantic table
    rates = con.execute(
        "select attendance_rate from semantic.metrics_by_year where attendance_rate is not null order by calendar_year"
    ).fetchall()
    changes = np.diff([r for (r,) in rates])
    score = (changes[-1] - np.median(changes)) / (1.4826 * np.median(np.abs(changes - np.median(changes))))
    assert f"robust score {score:+.1f}" in everything.description
    # with the known events of quality.yml, the real data passes
    assert history(con, rule).passed


@pytest.fixture(scope="module")
def lower_2023(built, tmp_path_factory):
    """A build of a snapshot whose 2023 headcounts are 20% lower, over a warehouse where the shared build is
    published: it publishes, with warnings."""
    root = tmp_path_factory.mktemp("lower_2023")
    shutil.copytree(PROJECT_ROOT / "data" / "sources", root / "sources")
    settings = dataclasses.replace(
        built[0], snapshot_dir=root / "sources", warehouse_dir=root / "warehouse", acara_dir=None
    )
    warehouse = Warehouse(settings.warehouse_dir)
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)

    def lower(header, rows):
        column = header.index("HC_2023")
        for row in rows:
            if row[column].isdigit():
                row[column] = str(round(int(row[column]) * 0.8))
        return header, rows

    rewrite(settings, HEADCOUNT, lower)
    from nsw_doe.build import run_build

    return settings, run_build(settings)


def test_a_20_percent_lower_2023_headcount_publishes_with_a_warning(built, lower_2023):
    settings, summary = lower_2023
    with Warehouse(built[0].warehouse_dir).connect_read_only() as con:
        before = con.execute("select headcount from semantic.metrics_by_year where calendar_year = 2023").fetchall()
    with Warehouse(settings.warehouse_dir).connect_read_only() as con:
        after = con.execute("select headcount from semantic.metrics_by_year where calendar_year = 2023").fetchall()
        warned = dict(
            con.execute(
                "select asset_key || ':' || check_name, description from audit.asset_checks "
                "where not passed and severity = 'WARN'"
            ).fetchall()
        )
    assert math.isclose(after[0][0] / before[0][0], 0.8, abs_tol=0.002)
    moved = f"2023 headcount {before[0][0]:,} -> {after[0][0]:,}"
    assert moved in warned["semantic/metrics_by_year:metrics_since_published"]
    assert "headcount 2023" in warned["semantic/metrics_by_year:yearly_history"]
    assert "unexplained" in warned["semantic/metrics_by_year:yearly_history"]
    for key in ("semantic/metrics_by_year:metrics_since_published", "semantic/metrics_by_year:yearly_history"):
        assert key in summary.checks_warned
        assert f"{key}: {warned[key]}" in summary.warnings
    assert not summary.checks_failed
    # what `nsw-doe build` prints
    from nsw_doe.progress import BuildProgress

    console = Console(record=True, width=400)
    BuildProgress(console).print_summary(summary, Path("build.log"), 1.0)
    assert moved in console.export_text()


def test_the_report_app_shows_the_warning_and_what_changed(lower_2023, monkeypatch):
    settings, summary = lower_2023
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(settings.warehouse_dir))
    app = open_page("data_quality")
    text = " ".join(w.value for w in app.warning)
    assert "2023 headcount" in text and "metrics_since_published" in text
    # what changed: this build's release notes, the tables that differ, and the shared build's notes before them
    with Warehouse(settings.warehouse_dir).connect_read_only() as con:
        differing = [t for (t,) in con.execute("select table_name from audit.build_diff where differs").fetchall()]
    markdown = "\n".join(m.value for m in app.markdown)
    assert all(f"- {note}" in markdown for note in summary.release_notes)
    assert any("2023 headcount" in note for note in summary.release_notes)
    (changed,) = [t.value for t in app.dataframe if "Columns that changed" in t.value.columns]
    assert list(changed["Table"]) == sorted(differing) and "marts.fct__enrolment" in differing
    assert changed.set_index("Table").loc["marts.fct__enrolment", "Columns that changed"].startswith("headcount")
    (changelog,) = [e for e in app.expander if e.label.startswith("Changelog")]
    assert "The first build: nothing was published before it" in " ".join(m.value for m in changelog.markdown)


def test_a_headcount_file_that_lost_half_its_rows_publishes_nothing_and_names_the_check(snapshot_copy, built, tmp_path):
    warehouse = Warehouse(tmp_path / "published")
    warehouse.directory.mkdir()
    shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)
    rewrite(snapshot_copy, HEADCOUNT, lambda header, rows: (header, rows[::2]))
    halved = load_manifest(snapshot_copy.manifest_path).get(HEADCOUNT).files[0]
    # build_fails also checks the published build is left byte for byte as it was
    build_fails(
        snapshot_copy,
        warehouse,
        "raw/enrolment_headcount:row_count_bounds",
        f"{halved.path}: {halved.rows:,}",
        "outside 2,000-2,600 (quality.yml)",
    )


def test_the_checks_run_in_the_dagster_job(built):
    from nsw_doe.build import load_definitions
    from nsw_doe.defs.jobs import BUILD_JOB_NAME

    job = load_definitions().resolve_job_def(BUILD_JOB_NAME)
    assert {"raw_contracts", "mart_row_counts", "anomalies"} <= {node.name for node in job.graph.nodes}


@pytest.fixture
def selective(con):
    """A private in-memory copy of raw.selective_entry_scores, to break, and its manifest entry."""
    dataset = load_manifest(PROJECT_ROOT / "data" / "sources" / "manifest.yml").get("selective_entry_scores")
    copy = duckdb.connect()
    copy.execute("create schema raw")
    copy.register("loaded", con.execute("select * from raw.selective_entry_scores").df())
    copy.execute("create table raw.selective_entry_scores as select * from loaded")
    yield copy, dataset
    copy.close()


def test_the_raw_contracts_fail_on_a_lost_or_extra_column_and_a_short_missing_or_unlisted_file(selective):
    copy, dataset = selective
    (path,) = [f.path for f in dataset.files]
    assert columns_match_manifest(copy, dataset).passed and rows_match_manifest(copy, dataset, True).passed
    copy.execute("alter table raw.selective_entry_scores drop column selective_high_school")
    copy.execute("alter table raw.selective_entry_scores add column surprise varchar")
    verdict = columns_match_manifest(copy, dataset)
    assert not verdict.passed and verdict.metadata == {"missing": ["selective_high_school"], "unexpected": ["surprise"]}
    copy.execute("delete from raw.selective_entry_scores where _source_row = 1")
    copy.execute("insert into raw.selective_entry_scores (_source_file) values ('other/unlisted.csv.gz')")
    verdict = rows_match_manifest(copy, dataset, True)
    rows = dataset.files[0].rows
    assert not verdict.passed
    assert f"{path} {rows - 1:,} rows (manifest {rows:,})" in verdict.description
    assert "other/unlisted.csv.gz 1 rows (not in the manifest)" in verdict.description
    copy.execute("delete from raw.selective_entry_scores")
    assert f"{path} 0 rows" in rows_match_manifest(copy, dataset, True).description
    assert rows_match_manifest(copy, dataset, supplied=False).passed, "an unsupplied dataset is empty by design"


def test_a_bound_fails_on_an_empty_table_and_a_mart_that_lost_rows_warns(built, con):
    copy = duckdb.connect()
    copy.execute("create schema marts")
    copy.execute("create table marts.fct__enrolment as select * from range(0) t(school_code)")
    bound = next(b for b in load_quality_config().row_count_bounds if b.table == "marts.fct__enrolment")
    copy.execute("alter table marts.fct__enrolment add column calendar_year integer")
    assert "no rows at all" in within_bounds(copy, bound).description
    rows = con.execute("select count(*) from marts.fct__enrolment").fetchall()[0][0]
    copy.execute(f"attach '{Warehouse(built[0].warehouse_dir).published}' as published (read_only)")
    copy.execute(f"insert into marts.fct__enrolment select range, 2023 from range({int(rows * 0.95)})")
    rule = load_quality_config().anomalies.since_published.mart_rows
    verdict = mart_rows(copy, "marts.fct__enrolment", rule)
    assert not verdict.passed and verdict.metadata == {"rows": int(rows * 0.95), "published_rows": rows}
