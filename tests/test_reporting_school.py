"""The school reporting models on the shared build: reporting.rpt__school_current is each school's latest
dim__school version, and reporting.rpt__school_attribute_change lists what started each version."""


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
