"""Schools like this one: the school's like group (reporting.rpt__like_school and rpt__like_school_member), its
attendance against the group's and the state's (rpt__like_school_attendance) and its enrolment change against the
group's (rpt__like_school_enrolment). docs/like_schools.md defines the group."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.profile import attendance

LIKE_SQL = "select * from reporting.rpt__like_school where school_code = ?"
ATTENDANCE_SQL = """
select calendar_year, attendance_rate, like_group_attendance_rate, like_group_schools_reporting, state_attendance_rate
from reporting.rpt__like_school_attendance
where school_code = ?
order by calendar_year
"""
ENROLMENT_SQL = """
select calendar_year, base_year, headcount, base_headcount, headcount_change_pct, like_group_headcount_change_pct,
    like_group_matched_schools
from reporting.rpt__like_school_enrolment
where school_code = ?
order by calendar_year
"""
MEMBERS_SQL = """
select s.school_code, s.school_name, s.town_suburb, s.asgs_remoteness, s.icsea_value, s.latest_headcount
from reporting.rpt__like_school_member as m
inner join reporting.rpt__school_current as s on s.school_code = m.member_school_code
where m.school_code = ?
order by s.school_name, s.school_code
"""
LIKE_SCHOOLS = "Schools like it"
LIKE_COLOUR = "#0072B2"
# A level of schooling as a noun: (one school, several).
LEVEL_NOUNS = {
    "Primary School": ("primary school", "primary schools"),
    "Secondary School": ("secondary school", "secondary schools"),
    "Infants School": ("infants school", "infants schools"),
    "Central/Community School": ("central or community school", "central or community schools"),
    "Schools for Specific Purposes": ("school for specific purposes", "schools for specific purposes"),
    "Environmental Education Centre": ("environmental education centre", "environmental education centres"),
}
WIDENED = {
    "broad_remoteness": "schools {place} are taken together",
    "any_remoteness": "schools of any remoteness are included",
    "level_only": "every school of its level is included, whatever its remoteness and ICSEA",
}


def like_group(code: int) -> pd.Series | None:
    """The school's rpt__like_school row, or None for a school not in the latest school list."""
    found = query(LIKE_SQL, code)
    return None if found.empty else found.iloc[0]


def schools(n: int, level: str) -> str:
    """'15 other primary schools', 'one other primary school'."""
    one, several = LEVEL_NOUNS.get(level, (f"school ({level})", f"schools ({level})"))
    return f"one other {one}" if n == 1 else f"{n:,} other {several}"


def place(remoteness: str) -> str:
    """Where the group's schools are: 'in remote or very remote NSW', 'in NSW's major cities', 'anywhere in NSW'."""
    if remoteness == "any remoteness":
        return "anywhere in NSW"
    if remoteness == "Major Cities of Australia":
        return "in NSW's major cities"
    return f"in {remoteness.removesuffix(' Australia').lower()} NSW"


def icsea(band: str) -> str:
    if band == "any ICSEA":
        return "whatever their ICSEA"
    if band == "No ICSEA":
        return "with no ICSEA published"
    return f"with ICSEA {band[:1].lower()}{band[1:]}"


def group_phrase(like: pd.Series) -> str:
    """'the 15 other primary schools in remote or very remote NSW with ICSEA below 900'."""
    size = int(like["like_group_size"])
    return " ".join(
        ["the", schools(size, like["level_group"]), place(like["remoteness_group"]), icsea(like["icsea_group"])]
    )


def widened_note(like: pd.Series) -> str | None:
    """Why the group is wider than the school's own cell (None when it is not), and a warning when it stays small."""
    if not like["is_fallback"]:
        return None
    exact = int(like["exact_group_size"])
    note = (
        f"Only {exact:,} other school{'' if exact == 1 else 's'} share its level, remoteness class and ICSEA band, "
        "fewer than five, so the group was widened: "
        + WIDENED[like["like_group_method"]].format(place=place(like["remoteness_group"]))
        + "."
    )
    if like["is_small_group"]:
        note += (
            f" Even so, the group holds only {schools(int(like['like_group_size']), like['level_group'])}: its "
            "figures say more about that school than about schools like this one."
        )
    return note


def plotted(rates: pd.DataFrame) -> pd.DataFrame:
    """The school's, the like group's and the state's rate by year, long (calendar_year, series, rate)."""
    series = {
        "attendance_rate": attendance.SERIES[0],
        "like_group_attendance_rate": LIKE_SCHOOLS,
        "state_attendance_rate": attendance.SERIES[1],
    }
    return rates.melt(id_vars="calendar_year", value_vars=list(series), var_name="series", value_name="rate").assign(
        series=lambda frame: frame["series"].map(series)
    )


def attendance_sentence(rates: pd.DataFrame) -> str:
    """The latest year in which the school reported a rate, against its group and the state, in words."""
    reported = rates.dropna(subset=["attendance_rate"])
    if reported.empty:
        return "The school has no reported attendance rate to compare."
    row = reported.iloc[-1]
    group = layout.rate(row["like_group_attendance_rate"])
    reporting = int(row["like_group_schools_reporting"])
    return (
        f"In {int(row['calendar_year'])} its attendance rate was {layout.rate(row['attendance_rate'])}; schools like "
        f"it {group} (over the {reporting:,} that reported a rate) and all government schools "
        f"{layout.rate(row['state_attendance_rate'])}."
    )


def change_words(pct) -> str:
    """'fell 18.8%', 'rose 2.4%', 'was unchanged'."""
    if round(pct, 1) == 0:
        return "was unchanged"
    return f"{'rose' if pct > 0 else 'fell'} {abs(pct):.1f}%"


def enrolment_sentence(enrolment: pd.DataFrame) -> str:
    """The school's headcount change since its base year against its group's, in words (the table's latest row)."""
    if enrolment.empty:
        return "The school has no published headcount in the last ten years to compare."
    row = enrolment.iloc[-1]
    base, year = int(row["base_year"]), int(row["calendar_year"])
    if layout.is_missing(row["headcount_change_pct"]):
        school = f"Its {year} headcount was not published, so its change since {base} is not known"
    else:
        school = (
            f"Since {base} its enrolment {change_words(row['headcount_change_pct'])}, from "
            f"{layout.count(row['base_headcount'])} to {layout.count(row['headcount'])} students in {year}"
        )
    matched = int(row["like_group_matched_schools"])
    if layout.is_missing(row["like_group_headcount_change_pct"]):
        return f"{school}; no school like it published a headcount in both {base} and {year}."
    return (
        f"{school}; over the same years the enrolment of schools like it "
        f"{change_words(row['like_group_headcount_change_pct'])} (the {matched:,} that published a headcount in both "
        "years)."
    )


def members_table(members: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "School": layout.school_links(members["school_name"], members["school_code"]),
            "Suburb": members["town_suburb"],
            "Remoteness": members["asgs_remoteness"],
            "ICSEA": members["icsea_value"],
            "Students": members["latest_headcount"],
        }
    )


def show(code: int) -> None:
    st.header("Schools like this one")
    like = like_group(code)
    if like is None:
        st.caption("Like schools are formed among the schools in the latest school list only.")
        return
    st.markdown(f"This school is compared with {group_phrase(like)} (group: {like['like_group_label']}).")
    if note := widened_note(like):
        (st.warning if like["is_small_group"] else st.info)(note, icon=":material/info:")
    rates = query(ATTENDANCE_SQL, code)
    st.markdown(attendance_sentence(rates))
    series = plotted(rates)
    colours = dict(zip(series["series"].unique(), (attendance.THIS_SCHOOL, LIKE_COLOUR, attendance.STATE), strict=True))
    title = "Attendance against schools like it and the state"
    layout.chart(attendance.rate_chart(series, colours), series.dropna(subset=["rate"]), title)
    st.markdown(enrolment_sentence(query(ENROLMENT_SQL, code)))
    members = query(MEMBERS_SQL, code)
    with st.expander(f"The {len(members):,} schools like this one"):
        layout.static_table(
            members_table(members), f"Schools like school {code}", formats={"ICSEA": "{:.0f}", "Students": "{:,.0f}"}
        )
    st.caption(
        "Schools like this one: the schools open today with the same level of schooling, remoteness class and ICSEA "
        "band, widened step by step until there are at least five. The group's attendance rate leaves this school "
        "out and weights each school's rate by its headcount, as the state rate does; the group's enrolment change "
        "compares the same schools in both years. Students: each school's latest published headcount."
    )
