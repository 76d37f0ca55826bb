"""The school reporting models on the shared build: reporting.rpt__school_current is each school's latest
dim__school version, reporting.rpt__school_attribute_change lists what started each version, and
reporting.rpt__school_fte dates the school list's FTE by the census it counts."""

import pandas as pd


def test_the_current_school_is_the_latest_version_of_every_school(con):
    wrong = con.execute(
        "select count(*) from (select school_code, max(valid_from) as valid_from from marts.dim__school "
        "where school_code != -1 group by 1) as latest "
        "full join reporting.rpt__school_current as r using (school_code) "
        "where r.valid_from is distinct from latest.valid_from"
    ).fetchone()[0]
    assert wrong == 0
    bands = con.execute(
        "select icsea_band, min(icsea_value), max(icsea_value) from reporting.rpt__school_current group by 1"
    ).fetchall()
    assert {band for band, *_ in bands} == {"Below 900", "900-999", "1000-1099", "1100 and above", "No ICSEA"}
    assert con.execute(
        "select remoteness_order from reporting.rpt__school_current where school_code = 1921"  # Lord Howe Island
    ).fetchone() == (5,)


def test_every_version_after_the_first_starts_with_a_change_unless_it_follows_a_gap(con):
    """A version that follows the previous one without a gap started because a tracked attribute changed (the hash
    of prep__school_vintage), so it has at least one row here; the same macro lists the attributes for both."""
    unexplained = con.execute(
        "with versions as ("
        "  select school_code, valid_from, "
        "    lag(valid_to) over (partition by school_code order by valid_from) as prev_to "
        "  from marts.dim__school where not is_inferred and school_code != -1) "
        "select count(*) from versions where prev_to = valid_from and not exists ("
        "  select 1 from reporting.rpt__school_attribute_change as c "
        "  where c.school_code = versions.school_code and c.change_date = versions.valid_from)"
    ).fetchone()[0]
    assert unexplained == 0
    assert con.execute(
        "select value_before, value_after from reporting.rpt__school_attribute_change "
        "where school_code = 1001 and change_date = date '2023-08-18' and attribute = 'icsea_value'"
    ).fetchone() == ("1115", "1111")


def test_the_school_fte_is_each_school_s_latest_vintage_of_the_year_after_its_census(con):
    """rpt__school_fte recomputed from prep__school_vintage: per school and extraction year, the latest vintage
    that gives an FTE, dated a year earlier, beside that year's headcount."""
    vintages = con.execute(
        "select school_code, vintage_date, latest_year_enrolment_fte as fte from prep.prep__school_vintage "
        "where latest_year_enrolment_fte is not null"
    ).df()
    vintages["fte_year"] = pd.to_datetime(vintages["vintage_date"]).dt.year - 1
    expected = vintages.sort_values("vintage_date").groupby(["school_code", "fte_year"]).tail(1)
    headcount = con.execute("select school_code, calendar_year as fte_year, headcount from marts.fct__enrolment").df()
    expected = expected.merge(headcount, on=["school_code", "fte_year"], how="left")
    table = con.execute(
        "select school_code, fte_year, vintage_date, fte, headcount from reporting.rpt__school_fte"
    ).df()
    keys = ["school_code", "fte_year"]
    expected = expected[table.columns].sort_values(keys, ignore_index=True)
    table = table.sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_the_fte_of_a_vintage_is_the_previous_year_s_census(con):
    """The rule rpt__school_fte rests on, measured over every school-year with both (2017-2023): the FTE of the
    vintage extracted in year Y equals the headcount of Y - 1 for most schools and nearly every primary school (whose
    students are all full-time), and rarely the headcount of Y itself."""
    pairs = con.execute(
        "select f.level_of_schooling, f.fte, f.headcount as previous_census, e.headcount as same_year "
        "from reporting.rpt__school_fte as f left join marts.fct__enrolment as e "
        "on e.school_code = f.school_code and e.calendar_year = f.fte_year + 1 where f.headcount > 0"
    ).df()
    assert len(pairs) > 5000
    assert (pairs["fte"] == pairs["previous_census"]).mean() > 0.8
    primary = pairs[pairs["level_of_schooling"] == "Primary School"]
    assert (primary["fte"] == primary["previous_census"]).mean() > 0.99
    same = pairs.dropna(subset=["same_year"])
    assert (same["fte"] == same["same_year"]).mean() < 0.1
    ratio = (pairs["fte"] / pairs["previous_census"]).groupby(pairs["level_of_schooling"]).median()
    assert ratio["Primary School"] == 1 and 0.99 < ratio["Secondary School"] <= 1
