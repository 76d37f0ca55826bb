"""Freshness of the sources: the rule at frozen dates, the manifest's publication fields, the Dagster policies, and
the content check's results in the shared build (audit.source_freshness, audit.asset_checks)."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from nsw_doe.defs.quality.freshness import CHECK_NAME, assess_dataset, assessed, check_result
from nsw_doe.freshness import (
    FRESH,
    NOT_EXPECTED,
    NOT_SUPPLIED,
    OVERDUE,
    Period,
    assess,
    describe,
    latest_period,
    parse_period,
)
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import CatalogError, Publication, load_manifest, save_manifest

HEADCOUNT = Publication(cadence="annual", appears_month=6, lag_years=1, basis="test")
ENTRY_SCORES = Publication(cadence="annual", appears_month=9, lag_years=0, basis="test")
DECEMBER = Publication(cadence="annual", appears_month=12, lag_years=1, basis="test")
MASTER = Publication(cadence="continuous", period_column="date_extracted", basis="test")


def year(value: int) -> Period:
    return parse_period(str(value))


# --- the rule, at frozen dates ---------------------------------------------------------------------------------------


def test_an_annual_edition_is_on_time_to_the_end_of_its_month_and_overdue_the_day_after():
    on_the_last_day = assess(HEADCOUNT, year(2024), date(2026, 6, 30))
    assert (on_the_last_day.status, on_the_last_day.expected_period, on_the_last_day.editions_behind) == (
        FRESH,
        "2024",
        0,
    )
    the_day_after = assess(HEADCOUNT, year(2024), date(2026, 7, 1))
    assert the_day_after.status == OVERDUE
    assert (the_day_after.expected_period, the_day_after.editions_behind, the_day_after.days_overdue) == ("2025", 1, 1)


def test_editions_and_days_count_from_the_first_missing_edition():
    today = date(2026, 12, 7)
    freshness = assess(HEADCOUNT, year(2023), today)
    # 2024's edition was due by 30 June 2025, 525 days before 7 Dec 2026; 2025's by 30 June 2026.
    assert (freshness.expected_period, freshness.editions_behind, freshness.days_overdue) == ("2025", 2, 525)
    assert describe(HEADCOUNT, freshness, today) == (
        "Latest year in the data is 2023; 2025 should be out by 7 Dec 2026 (annual, appears around June): "
        "2 editions overdue."
    )


def test_data_newer_than_expected_is_fresh():
    freshness = assess(HEADCOUNT, year(2026), date(2026, 12, 7))
    assert (freshness.status, freshness.editions_behind, freshness.days_overdue) == (FRESH, 0, 0)


def test_an_edition_in_the_year_it_covers_and_one_in_december():
    assert assess(ENTRY_SCORES, year(2025), date(2026, 9, 30)).status == FRESH
    assert assess(ENTRY_SCORES, year(2025), date(2026, 10, 1)).expected_period == "2026"
    assert assess(DECEMBER, year(2023), date(2025, 12, 31)).status == FRESH
    assert assess(DECEMBER, year(2023), date(2026, 1, 1)).editions_behind == 1


def test_a_continuous_dataset_is_overdue_once_its_latest_date_is_more_than_92_days_old():
    latest = parse_period("2026-05-05")
    assert assess(MASTER, latest, date(2026, 8, 5)).status == FRESH  # exactly 92 days
    late = assess(MASTER, latest, date(2026, 8, 6))
    assert (late.status, late.latest_period, late.expected_period, late.days_overdue) == (
        OVERDUE,
        "2026-05-05",
        "2026-05-06",
        1,
    )
    assert late.editions_behind is None


@pytest.mark.parametrize("cadence", ["ceased", "one_off"])
def test_a_ceased_or_one_off_series_expects_nothing(cadence):
    freshness = assess(Publication(cadence=cadence, basis="test"), year(2017), date(2026, 12, 7))
    assert (freshness.status, freshness.latest_period, freshness.expected_period) == (NOT_EXPECTED, "2017", None)
    assert freshness.editions_behind is None and freshness.days_overdue is None


def test_no_data_is_not_supplied_yet_says_what_is_expected():
    freshness = assess(HEADCOUNT, None, date(2026, 12, 7))
    assert (freshness.status, freshness.latest_period, freshness.expected_period) == (NOT_SUPPLIED, None, "2025")
    assert describe(HEADCOUNT, freshness, date(2026, 12, 7)).startswith("Not supplied")


def test_periods_as_sources_write_them():
    assert latest_period(["2010-2017", "2004-2023", None, " "]) == Period(date(2023, 12, 31), year_only=True)
    assert latest_period(["2017", "2022"]).end.year == 2022
    assert latest_period(["20230307", "20260331"]) == Period(date(2026, 3, 31), year_only=False)
    assert parse_period("2026-05-05").end == date(2026, 5, 5)
    assert latest_period([None]) is None
    with pytest.raises(ValueError, match="'May 2026' is not a year"):
        parse_period("May 2026")


# --- the manifest ----------------------------------------------------------------------------------------------------


@pytest.fixture
def manifest_text() -> str:
    return load_settings().manifest_path.read_text(encoding="utf-8")


def test_every_dataset_states_a_valid_publication():
    manifest = load_manifest(load_settings().manifest_path)
    for dataset in manifest.datasets:
        assert dataset.publication is not None and dataset.publication.problems() == [], dataset.id
    cadences = {d.id: d.publication.cadence for d in manifest.datasets}
    assert cadences["master_dataset"] == "continuous"
    assert cadences["enrolment_headcount"] == "annual"
    assert {cadences["acara_school_profile"], cadences["acara_school_location"]} == {"annual"}


def write_with(tmp_path: Path, manifest_text: str, dataset_id: str, publication) -> Path:
    document = yaml.safe_load(manifest_text)
    if publication is None:
        del document["datasets"][dataset_id]["publication"]
    else:
        document["datasets"][dataset_id]["publication"] = publication
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("publication", "named"),
    [
        ({"cadence": "weekly", "basis": "x"}, "publication.cadence: 'weekly'"),
        ({"cadence": "annual", "appears_month": 13, "lag_years": 1, "basis": "x"}, "publication.appears_month: 13"),
        ({"cadence": "annual", "appears_month": 6, "basis": "x"}, "publication.lag_years: None"),
        ({"cadence": "annual", "appears_month": 6, "lag_years": 1}, "publication.basis"),
        ({"cadence": "ceased", "appears_month": 6, "basis": "x"}, "publication.appears_month: only an annual"),
        ({"cadence": "annual", "month": 6, "basis": "x"}, "unexpected keyword argument 'month'"),
        (None, "has no publication"),
    ],
)
def test_a_malformed_publication_names_its_dataset_and_field(tmp_path, manifest_text, publication, named):
    path = write_with(tmp_path, manifest_text, "composite_classes", publication)
    with pytest.raises(CatalogError, match="Dataset 'composite_classes'") as error:
        load_manifest(path)
    assert named in str(error.value)


def test_save_manifest_round_trips_the_publication_fields(tmp_path, manifest_text):
    original = load_manifest(load_settings().manifest_path)
    path = tmp_path / "manifest.yml"
    save_manifest(original, path)
    assert path.read_text(encoding="utf-8") == manifest_text  # the committed file is what save_manifest writes
    again = load_manifest(path)
    assert [d.publication for d in again.datasets] == [d.publication for d in original.datasets]


# --- Dagster: the policies and the check -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asset_graph():
    from nsw_doe.dbt_project import prepare

    prepare()
    from nsw_doe.definitions import defs

    return defs().resolve_asset_graph()


def test_each_raw_asset_has_the_freshness_policy_of_its_cadence(asset_graph):
    for dataset in load_manifest(load_settings().manifest_path).datasets:
        node = asset_graph.get(dg.AssetKey(["raw", dataset.raw_table]))
        policy, publication = node.freshness_policy, dataset.publication
        assert dg.AssetCheckKey(node.key, CHECK_NAME) in asset_graph.asset_check_keys, dataset.id
        if publication.cadence == "annual":
            # due at the end of the month the edition appears in: midnight on the first of the next
            assert policy.deadline_cron == f"0 0 1 {publication.appears_month % 12 + 1} *", dataset.id
        elif publication.cadence == "continuous":
            assert policy.fail_window.to_timedelta().days == 92, dataset.id
        else:
            assert policy is None, f"{dataset.id}: no new edition is expected, so Dagster reports it not applicable"


def test_an_external_dataset_left_empty_reports_that_it_was_not_supplied(tmp_path):
    dataset = load_manifest(load_settings().manifest_path).get("acara_school_profile")
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("create schema raw")
        con.execute("create table raw.acara_school_profile (calendar_year varchar, _vintage varchar)")
        freshness = assess_dataset(con, dataset, date(2026, 12, 7))
    result = check_result(dataset, freshness, date(2026, 12, 7))
    assert result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description.startswith("Not supplied (its raw table is empty)")
    assert result.metadata["status"].value == NOT_SUPPLIED


# --- the shared build ------------------------------------------------------------------------------------------------

# The latest period of a dataset, computed from the marts (apart from the code under test, which reads raw).
LATEST_FROM_MARTS = {
    "enrolment_headcount": "select max(calendar_year)::varchar from marts.fct__enrolment",
    "attendance": "select max(calendar_year)::varchar from marts.fct__attendance",
    "composite_classes": "select max(calendar_year)::varchar from marts.fct__composite_class",
    "enrolment_by_grade": "select max(calendar_year)::varchar from marts.fct__enrolment_by_grade",
    "statewide_attendance_by_level": "select max(calendar_year)::varchar from marts.fct__statewide_attendance_by_level",
    "selective_entry_scores": "select max(calendar_year)::varchar from marts.fct__selective_entry_score",
    "master_dataset": "select max(date_extracted::date)::varchar from raw.master_dataset",
}


def test_the_build_records_a_row_per_dataset_whose_latest_period_agrees_with_the_marts(built, con):
    datasets = load_manifest(built[0].manifest_path).datasets
    rows = con.execute(
        "select dataset_id, cadence, latest_period, expected_period, status, editions_behind, checked_on "
        "from audit.source_freshness"
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    assert sorted(by_id) == sorted(d.id for d in datasets) and len(rows) == len(datasets)
    for dataset_id, sql in LATEST_FROM_MARTS.items():
        assert by_id[dataset_id][2] == con.execute(sql).fetchone()[0], dataset_id
    for dataset_id, cadence, latest, expected, status, behind, _ in rows:
        if cadence == "annual" and latest is not None:
            assert behind == max(int(expected) - int(latest), 0), dataset_id
            assert (status == OVERDUE) == (behind > 0), dataset_id
    # checked on the day the build ran (which a run across midnight makes other than today)
    built_on = con.execute("select cast(built_at at time zone 'UTC' as date) from audit.build").fetchall()[0][0]
    assert {row[6] for row in rows} == {built_on}


def test_each_period_column_is_a_raw_column_holding_periods(built, con):
    for dataset in load_manifest(built[0].manifest_path).datasets:
        column = dataset.publication.period_column
        if column is None:
            continue
        columns = con.execute(
            "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ?",
            [dataset.raw_table],
        ).fetchall()
        assert (column,) in columns, dataset.id
        values = con.execute(f"select distinct {column} from raw.{dataset.raw_table} where {column} is not null")
        assert all(parse_period(value).end.year >= 2000 for (value,) in values.fetchall()), dataset.id


def test_most_sources_are_overdue_on_the_snapshot(con):
    statuses = dict(con.execute("select status, count(*) from audit.source_freshness group by status").fetchall())
    assert statuses[OVERDUE] > sum(statuses.values()) / 2


@pytest.mark.acara
def test_the_acara_profiles_latest_year_agrees_with_the_mart(acara, con):
    latest = con.execute("select latest_period from audit.source_freshness where dataset_id = 'acara_school_profile'")
    assert (
        latest.fetchone()[0]
        == con.execute("select max(calendar_year)::varchar from marts.fct__school_profile").fetchone()[0]
    )


def test_the_content_check_warns_per_dataset_and_the_build_still_publishes(built, con):
    datasets = load_manifest(built[0].manifest_path).datasets
    status = dict(con.execute("select dataset_id, status from audit.source_freshness").fetchall())
    checks = {
        asset_key: (passed, severity, description)
        for asset_key, passed, severity, description in con.execute(
            "select asset_key, passed, severity, description from audit.asset_checks where check_name = ?", [CHECK_NAME]
        ).fetchall()
    }
    assert sorted(checks) == sorted(f"raw/{d.raw_table}" for d in datasets)
    for dataset in datasets:
        passed, severity, description = checks[f"raw/{dataset.raw_table}"]
        assert severity == "WARN", dataset.id
        assert passed == (status[dataset.id] != OVERDUE), dataset.id
        assert description.endswith(".") and description[0].isupper(), dataset.id
    summary = built[1]  # published: every failed check was a warning
    assert not summary.checks_failed
    assert sum(CHECK_NAME in warned for warned in summary.checks_warned) == list(status.values()).count(OVERDUE)


def test_a_period_the_rule_cannot_read_is_a_warning_naming_the_column_and_value():
    dataset = load_manifest(load_settings().manifest_path).get("master_dataset")
    with duckdb.connect() as con:
        con.execute("create schema raw")
        con.execute("create table raw.master_dataset as select * from (values ('2026-05-05'), ('May 2026')) t(x)")
        con.execute(f"alter table raw.master_dataset rename x to {dataset.publication.period_column}")
        result = assessed(con, dataset, date(2026, 12, 7))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description.startswith(f"raw.master_dataset.{dataset.publication.period_column}: 'May 2026'")
    assert result.metadata["status"].value == "unreadable"
