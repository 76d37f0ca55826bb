"""The semantic layer: MetricFlow's view of the dbt project, the metric definitions, and the saved-query exports in
schema `semantic`, reconciled with the state rows the department publishes."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from nsw_doe.dbt_project import prepare
from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.defs.semantic.saved_query_exports import SAVED_QUERIES, saved_query_export_definitions
from nsw_doe.semantic.exports import attendance_against_state, export_saved_queries
from nsw_doe.semantic.metricflow_runner import (
    SEMANTIC_MANIFEST_NAME,
    compile_saved_queries,
    group_by_descriptions,
    load_semantic_manifest,
    metric_descriptions,
    validate_semantic_manifest,
)
from nsw_doe.warehouse import Warehouse
from tests.conftest import copy_project, scalar

BASE_METRICS = [
    "schools",
    "headcount",
    "enrolment_fte",
    "attendance_rate",
    "attendance_rate_unweighted",
    "composite_classes",
    "composite_class_students",
]
METRICS = [m for base in BASE_METRICS for m in (base, f"{base}_yoy")]
# Added by following CONTRIBUTING "Add a metric": the coverage of the attendance rates (no yoy).
METRICS.insert(METRICS.index("attendance_rate_unweighted_yoy") + 1, "schools_reporting_attendance")
ADDITIVE = [
    "schools",
    "headcount",
    "enrolment_fte",
    "composite_classes",
    "composite_class_students",
    "schools_reporting_attendance",
]
GROUPINGS = {
    "metrics_by_year_level": "school__level_of_schooling",
    "metrics_by_year_remoteness": "school__asgs_remoteness",
    "metrics_by_year_directorate": "school__operational_directorate",
    "metrics_by_year_lga": "school__lga",
    "metrics_by_year_school": "school__school_code",
}


@pytest.fixture(scope="module")
def project_manifest():
    """The semantic manifest `dbt parse` writes for the project (no build needed)."""
    return load_semantic_manifest(prepare().with_name(SEMANTIC_MANIFEST_NAME))


@pytest.fixture(scope="module")
def built_manifest_path(built) -> Path:
    return Warehouse(built[0].warehouse_dir).dbt_artifacts / SEMANTIC_MANIFEST_NAME


# --- MetricFlow's view of the project -----------------------------------------------------------------------------


def test_the_semantic_layer_passes_metricflows_validations_on_the_built_warehouse(con, built_manifest_path):
    """What `mf validate-configs` runs: the semantic rules, then a dry run of every semantic model, dimension,
    entity, measure and metric against the warehouse."""
    manifest = load_semantic_manifest(built_manifest_path)
    results = validate_semantic_manifest(manifest, con)
    assert not results.has_blocking_issues, [issue.as_readable_str() for issue in results.all_issues]
    assert {m.name for m in manifest.metrics} >= set(METRICS)
    assert sorted(q.name for q in manifest.saved_queries) == sorted(SAVED_QUERIES)
    # MetricFlow joins names with `__`: a semantic model or entity named with it would be ambiguous.
    names = [m.name for m in manifest.semantic_models] + [e.name for m in manifest.semantic_models for e in m.entities]
    assert names and not [n for n in names if "__" in n]


def test_the_manifest_names_tables_without_their_database(project_manifest):
    # dbt names the database after the file it built (dev.duckdb, the build file, md:...); the SQL must run on any.
    relations = [m.node_relation.relation_name for m in project_manifest.semantic_models]
    assert "marts.fct__enrolment" in relations and all(r.count(".") == 1 for r in relations)
    sql = compile_saved_queries(project_manifest, ["metrics_by_year"])[0].sql
    assert "marts.fct__attendance" in sql and "semantic.metricflow_time_spine" in sql


def test_dbt_never_runs_the_saved_queries(built):
    """dagster-dbt's `dbt build` excludes saved queries: their exports are the semantic assets' job."""
    results = json.loads((Warehouse(built[0].warehouse_dir).dbt_artifacts / "run_results.json").read_text())
    ran = [r["unique_id"] for r in results["results"]]
    assert any(u.startswith("model.nsw_doe.metricflow_time_spine") for u in ran)
    assert not [u for u in ran if u.startswith("saved_query.")]


# --- The metric definitions, on a warehouse small enough to add up by hand -----------------------------------------

TINY_MARTS = """
create schema marts;
create schema semantic;
create table marts.dim__school as select * from (values
    ('a', 1, 'One PS', 'Primary School', 'Albury', 'Major Cities of Australia', 'North', 'Not Selective', 'n1', 'e1'),
    ('b', 2, 'Two HS', 'Secondary School', 'Bega', 'Inner Regional Australia', 'South', 'Fully Selective', 'n2', 'e2'),
    ('c', 3, 'Three PS', 'Primary School', 'Bega', 'Inner Regional Australia', 'South', 'Not Selective', 'n2', 'e2'),
    ('d', 4, 'Four SSP', 'Schools for Specific Purposes', 'Bega', 'Inner Regional Australia', 'South',
     'Not Selective', 'n2', 'e2')
) as t(school_sk, school_code, school_name, level_of_schooling, lga, asgs_remoteness, operational_directorate,
       selective_school, principal_network, electorate);
create table marts.fct__enrolment as select *, make_date(calendar_year, 1, 1) as year_start_date from (values
    ('a', 1, 2020, 100, 'reported'), ('b', 2, 2020, 300, 'reported'), ('c', 3, 2020, null, 'suppressed'),
    ('a', 1, 2021, 110, 'reported'), ('b', 2, 2021, null, 'suppressed'), ('c', 3, 2021, null, 'suppressed'),
    ('d', 4, 2020, 20, 'reported')
) as t(school_sk, school_code, calendar_year, headcount, headcount_status);
create table marts.fct__attendance as select *, make_date(calendar_year, 1, 1) as year_start_date from (values
    ('a', 1, 2020, 90.0::double, 'reported', 100), ('b', 2, 2020, 80.0, 'reported', 300),
    ('c', 3, 2020, 70.0, 'reported', null), ('d', 4, 2020, null, 'suppressed', 20),
    ('a', 1, 2021, null, 'suppressed', 110)
) as t(school_sk, school_code, calendar_year, attendance_rate, attendance_status, headcount);
create table marts.fct__composite_class as select *, make_date(calendar_year, 1, 1) as year_start_date from (values
    ('a', 1, 2020, 2, 40), ('c', 3, 2020, 1, 12)
) as t(school_sk, school_code, calendar_year, composite_class_count, composite_class_students);
create table marts.fct__enrolment_by_grade as select *, make_date(calendar_year, 1, 1) as year_start_date from (values
    ('a', 1, 2020, 'K', 50.0::double), ('a', 1, 2020, 'Year 1', 49.5)
) as t(school_sk, school_code, calendar_year, grade, enrolment_fte);
create table marts.fct__statewide_total as select * from (values
    ('attendance', 2020, 2022, 'attendance_rate', 82.4::double)
) as t(source_dataset, calendar_year, edition_year, measure, measure_value);
create table semantic.metricflow_time_spine as select make_date(y, 1, 1) as date_year from range(2018, 2024) t(y);
"""


@pytest.fixture(scope="module")
def tiny(project_manifest):
    con = duckdb.connect()
    con.execute(TINY_MARTS)
    descriptions = {**group_by_descriptions(project_manifest), **metric_descriptions(project_manifest)}
    export_saved_queries(con, compile_saved_queries(project_manifest), descriptions)
    yield con
    con.close()


def test_weighted_attendance_divides_rate_times_headcount_by_the_headcount_of_schools_that_reported(tiny):
    row = tiny.execute(
        "select attendance_rate, attendance_rate_unweighted from semantic.metrics_by_year where calendar_year = 2020"
    ).fetchone()
    # (90 x 100 + 80 x 300) / 400 = 82.5: school c reported a rate but no headcount (no weight), school d a headcount
    # but no rate (suppressed): both are out of it.
    assert row[0] == pytest.approx(82.5)
    assert row[1] == pytest.approx((90 + 80 + 70) / 3)
    years = attendance_against_state(tiny)
    assert [(y.calendar_year, y.state_rate, round(y.weighted, 2)) for y in years] == [(2020, 82.4, 82.5)]


def test_schools_count_suppressed_rows_and_headcount_never_turns_suppressed_into_zero(tiny):
    by_year = tiny.execute(
        "select calendar_year, schools, headcount, headcount_yoy from semantic.metrics_by_year "
        "where schools is not null order by 1"
    ).fetchall()
    assert by_year == [(2020, 4, 420, None), (2021, 3, 110, -310)]
    by_school = tiny.execute(
        "select calendar_year, school__school_code, headcount from semantic.metrics_by_year_school "
        "where school__school_code = 3 and schools is not null order by 1"
    ).fetchall()
    assert by_school == [(2020, 3, None), (2021, 3, None)]


def test_every_metric_groups_by_the_schools_attributes(tiny):
    level = tiny.execute(
        "select school__level_of_schooling, headcount, composite_class_students, enrolment_fte "
        "from semantic.metrics_by_year_level where calendar_year = 2020 order by 1"
    ).fetchall()
    assert level == [
        ("Primary School", 100, 52, 99.5),
        ("Schools for Specific Purposes", 20, None, None),
        ("Secondary School", 300, None, None),
    ]


# --- The exports of the real build ----------------------------------------------------------------------------------


def columns_of(con, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'semantic' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    )


@pytest.mark.parametrize("table", SAVED_QUERIES)
def test_each_saved_query_is_a_table_with_metricflows_column_names_and_an_integer_year(con, table):
    columns = columns_of(con, table)
    group_by = GROUPINGS.get(table)
    assert list(columns) == ["calendar_year", "metric_time__year", *([group_by] if group_by else []), *METRICS]
    assert columns["calendar_year"] == "INTEGER" and columns["metric_time__year"] == "DATE"
    assert columns["headcount"] == "BIGINT"
    assert scalar(con, f"select count(*) from semantic.{table} where calendar_year != year(metric_time__year)") == 0
    assert scalar(con, f"select count(*) from semantic.{table}") > 0
    # The data dictionary of `nsw-doe export` reads the comments: every table and column has one.
    assert scalar(con, f"select comment from duckdb_tables() where schema_name = 'semantic' and table_name = '{table}'")
    undescribed = con.execute(
        "select column_name from duckdb_columns() where schema_name = 'semantic' and table_name = ? "
        "and coalesce(comment, '') in ('', column_name)",
        [table],
    ).fetchall()
    assert undescribed == []


def test_weighted_attendance_lands_within_0_2_points_of_the_state_row_every_year(con):
    years = [y for y in attendance_against_state(con) if y.state_rate is not None]
    assert len(years) >= 11  # 2011-2022 but 2020
    weighted = {y.calendar_year: abs(y.weighted - y.state_rate) for y in years}
    unweighted = {y.calendar_year: abs(y.unweighted - y.state_rate) for y in years}
    assert max(weighted.values()) <= 0.2, weighted
    # Closer on average over the years, not in every year (in 2017 and 2018 the mean of school rates is closer).
    assert sum(weighted.values()) / len(years) < sum(unweighted.values()) / len(years)


def test_composite_class_sums_equal_the_state_rows(con):
    state = con.execute(
        "select calendar_year, measure, measure_value from marts.fct__statewide_total "
        "where source_dataset = 'composite_classes' "
        "and measure in ('composite_class_count', 'composite_class_students')"
    ).fetchall()
    assert len(state) >= 16  # 2014-2022 but 2020, two measures
    exported = {
        (year, measure): value
        for year, classes, students in con.execute(
            "select calendar_year, composite_classes, composite_class_students from semantic.metrics_by_year"
        ).fetchall()
        for measure, value in (("composite_class_count", classes), ("composite_class_students", students))
    }
    assert {(y, m): exported.get((y, m)) for y, m, _ in state} == {(y, m): v for y, m, v in state}


def test_headcount_per_year_is_the_sum_of_the_enrolment_fact(con):
    differences = con.execute(
        "select calendar_year, e.headcount, s.headcount from "
        "(select calendar_year, sum(headcount) as headcount from marts.fct__enrolment group by 1) as e "
        "full join semantic.metrics_by_year as s using (calendar_year) "
        "where e.headcount is distinct from s.headcount and (e.headcount is not null or s.headcount is not null)"
    ).fetchall()
    assert differences == []
    assert scalar(con, "select count(*) from semantic.metrics_by_year where headcount is not null") == 20


def test_schools_counts_every_headcount_row_suppressed_or_not(con):
    per_year = con.execute(
        "select calendar_year, count(*), count(headcount) from marts.fct__enrolment group by 1 order by 1"
    ).fetchall()
    exported = dict(con.execute("select calendar_year, schools from semantic.metrics_by_year").fetchall())
    assert {year: exported.get(year) for year, _, _ in per_year} == {year: rows for year, rows, _ in per_year}
    assert any(rows > published for _, rows, published in per_year), "some counts are suppressed"
    # A suppressed school-year is missing from headcount, never zero.
    suppressed = con.execute(
        "select count(*), count(s.headcount) from marts.fct__enrolment as e "
        "join semantic.metrics_by_year_school as s "
        "on s.school__school_code = e.school_code and s.calendar_year = e.calendar_year where e.is_suppressed"
    ).fetchone()
    assert suppressed[0] > 0 and suppressed[1] == 0


def test_schools_reporting_attendance_counts_the_schools_with_a_reported_rate(con):
    differences = con.execute(
        "select calendar_year, reporting from (select calendar_year, count(*) as reporting from marts.fct__attendance "
        "where attendance_status = 'reported' group by 1) "
        "except select calendar_year, schools_reporting_attendance from semantic.metrics_by_year"
    ).fetchall()
    assert differences == []
    assert scalar(
        con, "select schools_reporting_attendance from semantic.metrics_by_year where calendar_year = 2022"
    ) < (scalar(con, "select schools from semantic.metrics_by_year where calendar_year = 2022"))


@pytest.mark.parametrize("table", list(GROUPINGS))
def test_groups_add_up_to_the_years_total_for_additive_metrics(con, table):
    # Rounded: FTE is fractional, and a sum of doubles depends (in its last bits) on the order of its terms.
    sums = ", ".join(f"round(sum({m}), 6) as {m}" for m in ADDITIVE)
    totals = ", ".join(f"round({m}, 6) as {m}" for m in ADDITIVE)
    differences = con.execute(
        f"select * from (select calendar_year, {sums} from semantic.{table} group by 1) "
        f"except select calendar_year, {totals} from semantic.metrics_by_year"
    ).fetchall()
    assert differences == []


def test_year_over_year_is_the_change_on_the_year_before(con):
    rows = con.execute(
        "select calendar_year, headcount, headcount_yoy, attendance_rate, attendance_rate_yoy "
        "from semantic.metrics_by_year order by 1"
    ).fetchall()
    by_year = {r[0]: r for r in rows}
    for year, headcount, headcount_yoy, rate, rate_yoy in rows:
        before = by_year.get(year - 1)
        if before is None or before[1] is None or headcount is None:
            assert headcount_yoy is None, year
        else:
            assert headcount_yoy == headcount - before[1], year
        if before is not None and before[3] is not None and rate is not None:
            assert rate_yoy == pytest.approx(rate - before[3]), year
    assert by_year[2021][4] is None, "no attendance was collected in 2020"


def test_the_export_asset_rewrites_identical_tables_in_seconds(built, tmp_path):
    """Materialised on its own against a copy of the build: the same tables, row for row, and fast."""
    warehouse = Warehouse(built[0].warehouse_dir)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(warehouse.published, copy)
    definitions = saved_query_export_definitions()
    started = time.perf_counter()
    result = dg.materialize(
        list(definitions.assets),
        resources={"warehouse": WarehouseResource(database=str(copy), dbt_artifacts_dir=str(warehouse.dbt_artifacts))},
    )
    seconds = time.perf_counter() - started
    assert result.success
    metadata = {m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("saved_query_exports")}
    assert sorted(metadata) == sorted(SAVED_QUERIES)
    assert "weighted" in metadata["metrics_by_year"]["headline"].value
    assert metadata["metrics_by_year"]["rows per saved query"].value == {
        t: metadata[t]["rows"].value for t in SAVED_QUERIES
    }
    with duckdb.connect(str(copy), read_only=True) as rebuilt, warehouse.connect_read_only() as published:
        for table in SAVED_QUERIES:
            digest = f"select md5(string_agg(t::varchar, '|')) from semantic.{table} as t"
            assert rebuilt.execute(digest).fetchone() == published.execute(digest).fetchone(), table
    assert seconds < 15, f"the export took {seconds:.1f} s"


def test_the_readmes_mf_recipe_queries_the_published_warehouse_beside_a_reader(built, con, tmp_path):
    """README "Querying with mf", as written, in a copy of the project (dbt parse rewrites transform/target), while
    this test holds the published file open read-only: mf connects read-only too, so neither blocks the other."""
    root = copy_project(tmp_path / "clone")
    published = Warehouse(built[0].warehouse_dir).published
    env = {
        **os.environ,
        "DBT_PROJECT_DIR": "transform",
        "DBT_PROFILES_DIR": "transform",
        "NSW_DOE_DUCKDB_PATH": str(published),
        "NSW_DOE_DUCKDB_ACCESS_MODE": "read_only",
    }
    bin_dir = Path(sys.executable).parent

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    run(str(bin_dir / "dbt"), "parse", "--quiet")
    out = run(
        str(bin_dir / "mf"),
        "query",
        "--metrics",
        "attendance_rate,attendance_rate_unweighted",
        "--group-by",
        "metric_time__year",
        "--order",
        "metric_time__year",
    )
    printed = [
        (int(m[1]), float(m[2]), float(m[3]))
        for m in re.finditer(r"^(\d{4})-01-01T00:00:00\s+([\d.]+)\s+([\d.]+)\s*$", out, re.MULTILINE)
    ]
    exported = con.execute(
        "select calendar_year, attendance_rate, attendance_rate_unweighted from semantic.metrics_by_year "
        "where attendance_rate is not null order by 1"
    ).fetchall()
    assert len(printed) == len(exported) >= 11, out
    for (year, weighted, unweighted), (e_year, e_weighted, e_unweighted) in zip(printed, exported, strict=True):
        assert year == e_year and weighted == pytest.approx(e_weighted, abs=1e-3)
        assert unweighted == pytest.approx(e_unweighted, abs=1e-3)
    # The same read-only connection can touch no file but the warehouse: a filter that reads a file is refused.
    reads_a_file = f"(select count(*) from read_csv('{published.with_name('build_summary.json')}')) > 0"
    probe = subprocess.run(
        [
            str(bin_dir / "mf"),
            "query",
            "--metrics",
            "headcount",
            "--group-by",
            "metric_time__year",
            "--where",
            reads_a_file,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "file system operations are disabled by configuration" in probe.stdout + probe.stderr
