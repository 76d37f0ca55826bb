"""The Attendance, Data quality and About pages of the report app, against the test build: what they show equals
what the warehouse holds, read here with SQL of our own."""

import math
import shutil

import duckdb
import pandas as pd
import pytest

from nsw_doe.warehouse import Warehouse
from tests.conftest import open_page

ATTENDANCE_STATUSES = {
    "reported": "Reported",
    "suppressed": "Suppressed",
    "not_applicable": "Not applicable",
    "not_reported": "Not reported",
    "invalid": "Invalid",
}


def frame_with(app, *columns: str) -> pd.DataFrame:
    """The one table on the page (a grid or a static table) with these columns."""
    elements = [*app.dataframe, *app.table]
    frames = [element.value for element in elements if set(columns) <= set(element.value.columns)]
    assert len(frames) == 1, f"{len(frames)} tables with columns {columns}"
    return frames[0]


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def page_text(app) -> str:
    """The text of the page itself (not the sidebar, whose caption every page shares)."""
    page = app.main
    return "\n".join(element.value for element in [*page.markdown, *page.caption, *page.warning, *page.success])


def same(left, right) -> bool:
    if left is None or pd.isna(left):
        return right is None or pd.isna(right)
    return math.isclose(left, right, abs_tol=1e-9)


@pytest.fixture
def changed_warehouse(built, tmp_path, monkeypatch):
    """A function that copies the shared build into a warehouse of the test's own, changes it with SQL, and points
    the app at it."""

    def change(sql: str) -> None:
        warehouse = Warehouse(tmp_path / "warehouse")
        warehouse.directory.mkdir()
        shutil.copy(Warehouse(built[0].warehouse_dir).published, warehouse.published)
        with duckdb.connect(str(warehouse.published)) as con:
            con.execute(sql)
        monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(warehouse.directory))

    return change


@pytest.mark.parametrize(
    ("page", "title"), [("attendance", "Attendance"), ("data_quality", "Data quality"), ("about", "About")]
)
def test_every_page_renders(built, page, title):
    app = open_page(page)
    assert [element.value for element in app.title] == [title]
    assert app.dataframe, "every page shows at least one table"


# --- Attendance -------------------------------------------------------------------------------------------------


def reporting(con, table: str, where: str = "", *params) -> pd.DataFrame:
    return con.execute(f"select * from reporting.{table} {where}", list(params)).df()


def test_the_three_state_series_equal_the_reporting_table(built, con):
    expected = reporting(con, "rpt__state_attendance_rate").set_index("calendar_year")
    shown = frame_with(open_page("attendance"), "Weighted").set_index("Year")
    assert 2020 in shown.index and pd.isna(shown.loc[2020, "Weighted"]), "the year with no collection is shown empty"
    assert list(shown.index) == list(expected.index)
    columns = {
        "Published": "published_attendance_rate",
        "Weighted": "attendance_rate",
        "Unweighted": "attendance_rate_unweighted",
        "Weighted - published": "weighted_minus_published",
        "Unweighted - published": "unweighted_minus_published",
        "Schools": "schools_reporting_attendance",
    }
    for year in expected.index:
        for label, column in columns.items():
            assert same(shown.loc[year, label], expected.loc[year, column]), (year, label)
    assert expected["weighted_minus_published"].abs().max() < 0.2


def test_the_headline_is_the_latest_weighted_rate(built, con):
    year, weighted, change = con.execute(
        """
        select calendar_year, attendance_rate, attendance_rate_yoy
        from semantic.metrics_by_year where attendance_rate is not null order by calendar_year desc limit 1
        """
    ).fetchone()
    metric = next(m for m in open_page("attendance").metric if m.label == f"State attendance rate, {year}")
    assert metric.value == f"{weighted:.1f}%"
    assert metric.delta == f"{change:+.1f} pts"


def test_the_year_selector_changes_the_distributions(built, con):
    app = open_page("attendance")
    years = app.selectbox(key="year").options
    assert "2020" not in years and "2011" in years
    shown = {}
    for year in (2022, 2011):
        app.selectbox(key="year").set_value(year).run()
        assert not app.exception
        for dimension, title in (("remoteness", "Remoteness"), ("icsea", "ICSEA band")):
            expected = reporting(
                con,
                "rpt__attendance_distribution",
                "where calendar_year = ? and dimension = ? order by group_order",
                year,
                dimension,
            )
            table = frame_with(app, title)
            assert list(table[title]) == list(expected["group_label"])
            assert list(table["Schools"]) == list(expected["schools"])
            for label, column in (
                ("10th pct", "p10_rate"),
                ("Median", "median_rate"),
                ("Weighted (%)", "weighted_rate"),
            ):
                assert list(table[label]) == pytest.approx(list(expected[column])), (year, dimension, label)
        shown[year] = frame_with(app, "Remoteness").set_index("Remoteness")
    assert not shown[2022]["Median"].equals(shown[2011]["Median"])
    icsea = frame_with(app, "ICSEA band")["ICSEA band"]
    assert set(icsea) <= {"Below 900", "900-999", "1000-1099", "1100 and above", "No ICSEA"}


def test_the_year_in_the_url_selects_the_year(built):
    app = open_page("attendance", year="2019")
    assert app.selectbox(key="year").value == 2019
    assert "reported a rate in 2019" in page_text(app)


def test_the_status_counts_equal_the_reporting_table(built, con):
    app = open_page("attendance")
    expected = reporting(con, "rpt__attendance_status_count")
    shown = frame_with(app, "Not reported").set_index("Year")
    by_status = expected.groupby(["calendar_year", "attendance_status"])["schools"].sum()
    for (year, status), schools in by_status.items():
        assert shown.loc[year, ATTENDANCE_STATUSES[status]] == schools, (year, status)
    assert shown[list(ATTENDANCE_STATUSES.values())].to_numpy().sum() == expected["schools"].sum()

    level = "Schools for Specific Purposes"
    app.selectbox(key="status_level").set_value(level).run()
    reported = expected[(expected["level_of_schooling"] == level) & (expected["attendance_status"] == "reported")]
    shown = frame_with(app, "Not reported").set_index("Year")
    assert {year: shown.loc[year, "Reported"] for year in reported["calendar_year"]} == dict(
        zip(reported["calendar_year"], reported["schools"], strict=True)
    )


def test_the_edition_differences_equal_the_reporting_table(built, con):
    app = open_page("attendance")
    order = "order by older_edition, school_years desc, older_status, latest_status"
    expected = reporting(con, "rpt__attendance_edition_difference", f"where is_different {order}")
    first = expected.iloc[0]
    table = frame_with(app, "School-years", "From")
    assert list(table["School-years"]) == list(expected["school_years"])
    assert list(table["Schools"]) == list(expected["schools"])
    assert list(table["From"]) == list(expected["first_year"]) and list(table["To"]) == list(expected["last_year"])
    text = page_text(app)
    assert f"editions both cover {int(first.edition_school_years):,} school-years" in text
    assert f"They differ on **{int(first.edition_different_school_years):,}** of them" in text


# --- Data quality -----------------------------------------------------------------------------------------------


def test_data_quality_counts_equal_the_audit_tables(built, con):
    app = open_page("data_quality")
    passed, warned, failed = con.execute(
        "select count(*) filter (where passed), count(*) filter (where not passed and severity = 'WARN'), "
        "count(*) filter (where not passed and severity = 'ERROR') from audit.asset_checks"
    ).fetchone()
    quarantined = con.execute("select count(*) from quarantine.quarantine__rejected_rows").fetchone()[0]
    shown = metrics(app)
    assert shown["Checks passed"] == f"{passed:,}"
    assert shown["Warnings"] == f"{warned:,}"
    assert shown["Checks failed"] == f"{failed:,}"
    assert shown["Rows in quarantine"] == f"{quarantined:,}"

    layers = con.execute(
        "select split_part(asset_key, '/', 1), count(*) from audit.asset_checks group by all"
    ).fetchall()
    assert frame_with(app, "Layer").set_index("Layer")["Checks"].to_dict() == dict(layers)

    reasons = con.execute(
        "select source_model, reason, count(*) from quarantine.quarantine__rejected_rows group by all"
    ).fetchall()
    summary = frame_with(app, "Model", "Reason", "Rows")
    assert sorted(summary.itertuples(index=False, name=None)) == sorted(reasons)


def test_data_quality_lists_every_source_file_and_the_freshness_of_each_dataset(built, con):
    app = open_page("data_quality")
    files = con.execute("select dataset_id, file_path from audit.source_files").fetchall()
    status = dict(con.execute("select dataset_id, replace(status, '_', ' ') from audit.source_freshness").fetchall())
    shown = frame_with(app, "Vintage")
    assert sorted(zip(shown["Dataset id"], shown["File"], strict=True)) == sorted(files)
    assert list(shown["Freshness"]) == list(shown["Dataset id"].map(status))

    freshness = frame_with(app, "Due by now")
    overdue = con.execute(
        "select title, latest_period, expected_period from audit.source_freshness where status = 'overdue'"
    ).fetchall()
    assert len(freshness) == len(status) and len(overdue) >= 10, "most sources are overdue on the pinned snapshot"
    rows = freshness[freshness["Status"] == "overdue"]
    assert sorted(zip(rows["Dataset"], rows["Latest in the data"], rows["Due by now"], strict=True)) == sorted(overdue)
    (warning,) = [w.value for w in app.main.warning if "sources are overdue" in w.value]
    assert f"**{len(overdue)} of {len(status)} sources are overdue**" in warning
    assert all(title in warning for title, *_ in overdue)


def test_data_quality_shows_a_failed_check_and_a_quarantined_row(changed_warehouse):
    changed_warehouse(
        """
        -- the one warning left is the intake zones' (the overdue sources have their own test, test_freshness)
        delete from audit.asset_checks where check_name = 'source_freshness';
        insert into quarantine.quarantine__rejected_rows values
            ('stg__doe__enrolment_headcount', 'enrolments/test.csv.gz', 41, 'headcount_2019', '7x4',
             'expected a whole number >= 0 (or sp/np/na/blank)', '{"school_code": "1001"}');
        insert into audit.asset_checks values
            ('staging/stg__doe__enrolment_headcount', 'test_headcount_is_typed', false, 'ERROR', 7, null);
        """
    )
    app = open_page("data_quality")
    assert (metrics(app)["Checks failed"], metrics(app)["Warnings"]) == ("1", "1")
    assert app.toggle(key="failures_only").value, "failures are shown first when there are any"
    failures = frame_with(app, "Failing rows")
    assert failures[["Result", "Check", "Failing rows"]].values.tolist() == [
        ["FAILED", "test_headcount_is_typed", 7],
        ["WARNING", "assert_current_intake_zones_name_a_listed_school", 5],
    ]
    assert frame_with(app, "Layer").set_index("Layer").loc["staging", "Failed"] == 1

    rows = frame_with(app, "Whole row (JSON)")
    row = rows[rows["Model"] == "stg__doe__enrolment_headcount"]
    assert row[["File", "Row", "Column", "Value", "Reason"]].values.tolist() == [
        ["enrolments/test.csv.gz", 41, "headcount_2019", "7x4", "expected a whole number >= 0 (or sp/np/na/blank)"]
    ]

    app.toggle(key="failures_only").set_value(False).run()
    assert len(frame_with(app, "Failing rows")) > 1


def test_data_quality_says_when_nothing_was_quarantined(changed_warehouse):
    changed_warehouse("delete from quarantine.quarantine__rejected_rows")
    app = open_page("data_quality")
    assert metrics(app)["Rows in quarantine"] == "0"
    assert "No rows were quarantined" in page_text(app)
    assert not [frame for frame in app.dataframe if "Whole row (JSON)" in frame.value.columns]


# --- About ------------------------------------------------------------------------------------------------------


def test_about_shows_the_attribution_and_every_dataset(built, con):
    app = open_page("about")
    text = page_text(app)
    assert "NSW Department of Education, via Data.NSW" in text and "CC BY 4.0" in text
    datasets = con.execute("select distinct dataset_id, dataset_title, licence, loaded from audit.source_files").df()
    shown = frame_with(app, "Portal page")
    assert sorted(shown["Dataset id"]) == sorted(datasets["dataset_id"])
    assert sorted(shown["Dataset"]) == sorted(datasets["dataset_title"])
    for licence, loaded in datasets[datasets["licence"] != "CC-BY-4.0"][["licence", "loaded"]].values:
        expected = f"used under **{licence}**" if loaded else f"({licence}) were not supplied"
        assert expected in text


def test_about_quotes_the_numbers_of_this_build(built, con):
    text = page_text(open_page("about"))
    auc, brier = con.execute(
        """
        select max(value) filter (where metric = 'roc_auc'), max(value) filter (where metric = 'brier')
        from ml.attendance_model_eval where fold is null and model = 'logistic_regression'
        """
    ).fetchone()
    assert f"ROC AUC is {auc:.3f}" in text and f"Brier score {brier:.3f}" in text
    weighted_gap = con.execute(
        """
        select max(abs(m.attendance_rate - t.measure_value))
        from semantic.metrics_by_year as m
        join marts.fct__statewide_total as t using (calendar_year)
        where t.measure = 'attendance_rate'
            and t.edition_year = (select max(edition_year) from marts.fct__statewide_total)
        """
    ).fetchone()[0]
    assert f"within **{weighted_gap:.2f} points**" in text


def test_data_quality_reads_a_warehouse_built_before_the_freshness_and_diff_tables(changed_warehouse):
    changed_warehouse(
        "drop table audit.source_freshness; drop table audit.release_notes; alter table audit.build_diff drop differs"
    )
    app = open_page("data_quality")
    told = [i.value for i in app.info if "built by an earlier version" in i.value]
    assert len(told) == 2 and all("make run" in text for text in told)
    assert set(frame_with(app, "Vintage")["Freshness"].isna()) == {True}
