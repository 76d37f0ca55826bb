"""The reporting models behind the Overview and Enrolments pages against the build: the headcount the overview's
finding sums is the semantic metric, the grade and change tables hold what the facts sum to, and the forecasts' "latest
version of a school" (reporting.rpt__school_current) gives the segments the earlier query over dim__school gave."""

import pytest

from tests.conftest import state_attendance


def test_the_overview_finding_is_one_row_whose_headcount_is_the_semantic_metric(con):
    # Made it fail by summing the headcount of the latest year's schools only, and by taking the peak's first year.
    (rows,) = con.execute("select count(*) from reporting.rpt__overview_finding").fetchone()
    assert rows == 1
    found = con.execute("select * from reporting.rpt__overview_finding").df().iloc[0]
    semantic = con.execute(
        "select calendar_year, headcount from semantic.metrics_by_year where headcount is not null order by 1"
    ).df()
    peak = semantic.loc[semantic["headcount"].idxmax()]
    assert (found.headcount_peak_year, found.headcount_peak) == (peak.calendar_year, peak.headcount)
    latest = semantic.iloc[-1]
    assert (found.headcount_latest_year, found.headcount_latest) == (latest.calendar_year, latest.headcount)
    assert found.headcount_years == len(semantic)
    assert found.headcount_change_on_peak == latest.headcount - peak.headcount


def test_the_overview_finding_s_attendance_figures_are_the_state_rates(con):
    found = con.execute("select * from reporting.rpt__overview_finding").df().iloc[0]
    rates = state_attendance(con).dropna(subset=["weighted", "published"]).set_index("calendar_year")
    unweighted_gap = (rates["unweighted"] - rates["published"]).abs()
    assert found.weighted_max_gap == pytest.approx((rates["weighted"] - rates["published"]).abs().max())
    assert found.unweighted_max_gap == pytest.approx(unweighted_gap.max())
    assert found.unweighted_worst_year == unweighted_gap.idxmax()
    assert found.attendance_year == rates.index.max() == 2022
    assert found.latest_attendance_rate == pytest.approx(rates["weighted"].iat[-1])
    assert found.attendance_change_since_pre_pandemic == pytest.approx(
        rates["weighted"].iat[-1] - rates.loc[2019, "weighted"]
    )
    assert list(found.years_not_collected) == [2020]
    assert found.new_collection_since == 2021


def test_the_coverage_lists_each_fact_s_years_schools_and_gaps(con):
    coverage = con.execute("select * from reporting.rpt__coverage").df().set_index("dataset")
    first, last, schools, years = con.execute(
        "select min(calendar_year), max(calendar_year), count(distinct school_code), list(distinct calendar_year) "
        "from marts.fct__attendance"
    ).fetchone()
    row = coverage.loc["Attendance (semester 1)"]
    assert (row.first_year, row.last_year, row.schools) == (first, last, schools)
    assert list(row.missing_years) == [y for y in range(first, last + 1) if y not in years] == [2020]
    assert list(coverage.loc["Enrolments (headcount)", "missing_years"]) == []


def test_the_grade_table_sums_the_fact(con):
    differs = con.execute(
        """
        select count(*) from reporting.rpt__enrolment_by_grade_state as report
        full join (
            select calendar_year, grade, sum(enrolment_fte) as fte, count(*) as schools
            from marts.fct__enrolment_by_grade group by all
        ) as fact using (calendar_year, grade)
        where report.fte is distinct from fact.fte or report.schools is distinct from fact.schools
        """
    ).fetchone()[0]
    assert differs == 0


def test_the_change_table_holds_every_school_with_a_count_in_both_years_named_by_its_latest_version(con):
    # Made it fail by naming a school by its first version, and by keeping schools with no count in the latest year.
    expected = con.execute(
        """
        select first.school_code, first.calendar_year, names.school_name, last.headcount - first.headcount
        from marts.fct__enrolment as first
        join marts.fct__enrolment as last
            on last.school_code = first.school_code
            and last.calendar_year = (select max(calendar_year) from marts.fct__enrolment)
        left join (
            select school_code, school_name from marts.dim__school where school_code <> -1
            qualify row_number() over (partition by school_code order by is_current desc, valid_from desc) = 1
        ) as names on names.school_code = first.school_code
        where first.calendar_year < last.calendar_year and first.headcount is not null and last.headcount is not null
        order by all
        """
    ).fetchall()
    shown = con.execute(
        "select school_code, first_year, school_name, headcount_change from reporting.rpt__enrolment_change "
        "order by all"
    ).fetchall()
    assert shown == expected
    assert {year for _, year, _, _ in shown} == set(range(2004, 2023))


def test_the_forecasts_current_segments_equal_the_earlier_latest_non_blank_values(con):
    # The forecasts read rpt__school_current; before, they took each attribute's latest non-blank value over the
    # versions. On this snapshot the two agree for every school.
    from nsw_doe.defs.ml.forecast import CURRENT_SEGMENTS_SQL

    earlier = """
        select
            school_code,
            arg_max(level_of_schooling, valid_from) filter (where level_of_schooling is not null),
            arg_max(operational_directorate, valid_from) filter (where operational_directorate is not null),
            arg_max(asgs_remoteness, valid_from) filter (where asgs_remoteness is not null),
            bool_or(is_current)
        from marts.dim__school
        where school_code != -1 and not is_inferred
        group by school_code
        order by school_code
    """
    now = con.execute(CURRENT_SEGMENTS_SQL).fetchall()
    assert now == con.execute(earlier).fetchall()
    assert len(now) > 2000
