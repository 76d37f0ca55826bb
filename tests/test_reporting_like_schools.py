"""The like-school, offer and search models of the reporting layer against the build: a like group is what its
definition says on the schools' own attributes, its figures add up from the marts, and search finds schools by any
order of the words of their name, town or LGA."""

import math
import re

import pytest

REMOTE = {"Remote Australia", "Very Remote Australia"}


def normalised(text: str) -> str:
    """A query as the app normalises it (docs/like_schools.md): lower case, apostrophes dropped, other punctuation a
    space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", re.sub("['\u2019`]", "", text.lower())).split())


def school_code(con, name: str) -> int:
    return con.execute(
        "select school_code from reporting.rpt__school_current where school_name = ?", [name]
    ).fetchone()[0]


def test_a_very_remote_school_with_few_like_it_is_compared_with_remote_primaries_of_its_icsea_band(con):
    code = school_code(con, "Enngonia Public School")
    method, size, exact_size, label = con.execute(
        "select like_group_method, like_group_size, exact_group_size, like_group_label "
        "from reporting.rpt__like_school where school_code = ?",
        [code],
    ).fetchone()
    assert exact_size < 5 and method == "broad_remoteness" and size >= 5
    assert label == "Primary School, Remote or Very Remote Australia, ICSEA below 900"
    members = con.execute(
        "select school.level_of_schooling, school.asgs_remoteness, school.icsea_value, school.is_current "
        "from reporting.rpt__like_school_member as member "
        "inner join reporting.rpt__school_current as school on member.member_school_code = school.school_code "
        "where member.school_code = ?",
        [code],
    ).fetchall()
    assert len(members) == size
    assert all(
        level == "Primary School" and remoteness in REMOTE and icsea < 900 and current
        for level, remoteness, icsea, current in members
    )
    # Every current primary school that fits the description is in the group.
    fitting = con.execute(
        "select count(*) from reporting.rpt__school_current where is_current "
        "and level_of_schooling = 'Primary School' and icsea_value < 900 "
        "and asgs_remoteness in ('Remote Australia', 'Very Remote Australia') and school_code != ?",
        [code],
    ).fetchone()[0]
    assert fitting == size


def test_exact_groups_share_level_remoteness_and_icsea_band_and_fallbacks_are_rare(con):
    mismatched, schools, fallbacks = con.execute(
        """
        select
            count(*) filter (
                where like_school.like_group_method = 'exact' and (
                    school.level_of_schooling != member.level_of_schooling
                    or school.asgs_remoteness != member.asgs_remoteness
                    or school.icsea_band != member.icsea_band
                )
            ),
            count(distinct like_school.school_code),
            count(distinct like_school.school_code) filter (where like_school.is_fallback)
        from reporting.rpt__like_school as like_school
        inner join reporting.rpt__like_school_member as pair using (school_code)
        inner join reporting.rpt__school_current as school on like_school.school_code = school.school_code
        inner join reporting.rpt__school_current as member on pair.member_school_code = member.school_code
        """
    ).fetchone()
    current = con.execute("select count(*) from reporting.rpt__school_current where is_current").fetchone()[0]
    assert mismatched == 0 and schools == current
    assert 0 < fallbacks < current * 0.05  # docs/like_schools.md: about 3% of schools need a wider group


def test_a_like_group_rate_is_the_members_headcount_weighted_rate(con):
    code = school_code(con, "Enngonia Public School")
    rows = con.execute(
        "select attendance.attendance_rate, attendance.headcount "
        "from reporting.rpt__like_school_member as member "
        "inner join marts.fct__attendance as attendance on member.member_school_code = attendance.school_code "
        "where member.school_code = ? and attendance.calendar_year = 2022 "
        "and attendance.attendance_status = 'reported'",
        [code],
    ).fetchall()
    weighted = [(rate, headcount) for rate, headcount in rows if headcount is not None]
    expected = sum(rate * headcount for rate, headcount in weighted) / sum(headcount for _, headcount in weighted)
    rate, schools, state = con.execute(
        "select like_group_attendance_rate, like_group_schools_reporting, state_attendance_rate "
        "from reporting.rpt__like_school_attendance where school_code = ? and calendar_year = 2022",
        [code],
    ).fetchone()
    assert math.isclose(rate, expected, abs_tol=1e-9) and schools == len(rows)
    assert (
        state
        == con.execute(
            "select attendance_rate from reporting.rpt__state_attendance_rate where calendar_year = 2022"
        ).fetchone()[0]
    )


def test_enrolment_changes_start_at_zero_in_the_base_year_within_the_last_ten_years(con):
    last_year = con.execute("select max(calendar_year) from marts.fct__enrolment").fetchone()[0]
    rows = con.execute(
        "select min(base_year), max(calendar_year), "
        "count(*) filter (where calendar_year = base_year and (headcount_change_pct != 0 "
        "or like_group_headcount_change_pct != 0)) "
        "from reporting.rpt__like_school_enrolment"
    ).fetchone()
    assert rows == (last_year - 9, last_year, 0)
    code = school_code(con, "Enngonia Public School")
    headcount, first = con.execute(
        "select headcount, (select headcount from marts.fct__enrolment where school_code = ? and calendar_year = ?) "
        "from marts.fct__enrolment where school_code = ? and calendar_year = ?",
        [code, last_year - 9, code, last_year],
    ).fetchone()
    change = con.execute(
        "select headcount_change_pct from reporting.rpt__like_school_enrolment "
        "where school_code = ? and calendar_year = ?",
        [code, last_year],
    ).fetchone()[0]
    assert math.isclose(change, 100 * (headcount - first) / first)


def search(con, query: str) -> set[str]:
    words = normalised(query).split()
    return {
        name
        for name, text in con.execute("select school_name, search_text from reporting.rpt__school_search").fetchall()
        if set(words) <= set(text.split())
    }


@pytest.mark.parametrize("query", ["parramatta north", "North Parramatta", "NORTH,  parramatta!"])
def test_search_matches_every_word_in_any_order(con, query):
    assert "Parramatta North Public School" in search(con, query)


def test_search_for_an_lga_finds_every_current_school_in_it(con):
    in_lga = {
        name
        for (name,) in con.execute(
            "select school_name from reporting.rpt__school_current where is_current and lga = 'Parramatta'"
        ).fetchall()
    }
    found = search(con, "Parramatta")
    assert len(in_lga) > 40 and in_lga <= found


def test_the_offer_holds_every_current_school_with_a_link_for_each_website(con):
    schools, links, preschools = con.execute(
        "select count(*), count(*) filter (where website_url like 'https://%' or website_url like 'http://%'), "
        "count(*) filter (where has_preschool) from reporting.rpt__school_offer"
    ).fetchone()
    assert schools == con.execute("select count(*) from reporting.rpt__school_current where is_current").fetchone()[0]
    assert links == con.execute("select count(website_url) from reporting.rpt__school_offer").fetchone()[0]
    latest_flags = con.execute(
        "select count(*) filter (where preschool_ind = 'Y') from prep.prep__school_vintage "
        "where vintage_date = (select max(vintage_date) from prep.prep__school_vintage)"
    ).fetchone()[0]
    assert preschools == latest_flags
