"""The attendance models of the reporting layer against the build: the state rates are the semantic layer's metrics
(the semantic layer owns them; the reporting model only joins the facts the same way), every attendance year is a
row, and the distributions and status counts cover every row of the fact once."""

import math

import pytest


def test_the_state_rates_equal_the_semantic_metrics_every_year(con):
    rows = con.execute(
        """
        select
            calendar_year,
            report.attendance_rate, semantic.attendance_rate,
            report.attendance_rate_unweighted, semantic.attendance_rate_unweighted,
            report.schools_reporting_attendance, semantic.schools_reporting_attendance
        from reporting.rpt__state_attendance_rate as report
        left join semantic.metrics_by_year as semantic using (calendar_year)
        order by calendar_year
        """
    ).fetchall()
    compared = 0
    for year, weighted, metric, unweighted, unweighted_metric, schools, schools_metric in rows:
        if metric is None:
            assert weighted is None and unweighted is None and schools is None, year
            continue
        assert math.isclose(weighted, metric, rel_tol=0, abs_tol=1e-9), (year, weighted, metric)
        assert math.isclose(unweighted, unweighted_metric, rel_tol=0, abs_tol=1e-9), (year, unweighted)
        assert schools == schools_metric, year
        compared += 1
    assert compared == 11  # 2011-2022 but 2020


def test_every_attendance_year_is_a_row_and_2020_is_empty(con):
    years = con.execute(
        "select calendar_year, attendance_collection, attendance_rate, published_attendance_rate "
        "from reporting.rpt__state_attendance_rate order by calendar_year"
    ).fetchall()
    assert [row[0] for row in years] == list(range(2011, 2023))
    by_year = {row[0]: row[1:] for row in years}
    assert by_year[2020] == ("not_collected", None, None)
    assert by_year[2021][0] == by_year[2022][0] == "national_standard_2021"
    assert all(
        rate is not None and published is not None for year, (_, rate, published) in by_year.items() if year != 2020
    )


def test_the_published_rate_is_the_latest_edition_s_state_row(con):
    differs = con.execute(
        """
        select count(*) from reporting.rpt__state_attendance_rate as report
        left join (
            select calendar_year, arg_max(measure_value, edition_year) as published
            from marts.fct__statewide_total where source_dataset = 'attendance' and measure = 'attendance_rate'
            group by calendar_year
        ) as total using (calendar_year)
        where report.published_attendance_rate is distinct from total.published
        """
    ).fetchone()[0]
    assert differs == 0


@pytest.mark.parametrize("dimension", ["remoteness", "icsea"])
def test_each_dimension_counts_every_reported_school_year_once(con, dimension):
    """Each reported school-year is in exactly one group of each dimension."""
    differs = con.execute(
        """
        select count(*) from (
            select calendar_year, count(*) as schools from marts.fct__attendance
            where attendance_status = 'reported' group by all
        ) as fact
        full join (
            select calendar_year, sum(schools) as schools from reporting.rpt__attendance_distribution
            where dimension = ? group by all
        ) as report using (calendar_year)
        where fact.schools is distinct from report.schools
        """,
        [dimension],
    ).fetchone()[0]
    assert differs == 0


def test_the_status_counts_add_up_to_the_fact(con):
    differs = con.execute(
        """
        select count(*) from (
            select calendar_year, attendance_status, count(*) as schools from marts.fct__attendance group by all
        ) as fact
        full join (
            select calendar_year, attendance_status, sum(schools) as schools
            from reporting.rpt__attendance_status_count group by all
        ) as report using (calendar_year, attendance_status)
        where fact.schools is distinct from report.schools
        """
    ).fetchone()[0]
    assert differs == 0


def test_the_edition_differences_cover_the_overlap_of_the_two_editions(con):
    rows = con.execute(
        "select older_edition, latest_edition, sum(school_years), any_value(edition_school_years), "
        "sum(school_years) filter (is_different), any_value(edition_different_school_years) "
        "from reporting.rpt__attendance_edition_difference group by all"
    ).fetchall()
    assert len(rows) == 1
    older, latest, overlap, overlap_column, different, different_column = rows[0]
    assert (older, latest) == (2017, 2022)
    assert overlap == overlap_column and different == different_column and 0 < different < overlap
