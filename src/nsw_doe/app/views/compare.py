"""Compare schools (`/compare?schools=1001,2840,8135`): up to four current schools side by side - what they are and
offer, their headcount with its forecast, their attendance against the state and against schools like each, their
composite classes. The URL holds the schools, so a comparison can be shared. Each section puts the schools in columns,
which a phone stacks: one block per school."""

import pandas as pd
import streamlit as st

from nsw_doe.app import compare_content as compare
from nsw_doe.app import layout
from nsw_doe.app.data import query, scalar
from nsw_doe.app.profile import attendance, enrolment, like_schools, offer

PICKER = "compare_picker"
OFFERS_SQL = "select * from reporting.rpt__school_offer where list_contains(?::integer[], school_code)"
SCORES_SQL = """
select school_code, calendar_year, minimum_entry_score
from marts.fct__selective_entry_score
where list_contains(?::integer[], school_code)
order by calendar_year
"""
LIKE_SQL = "select * from reporting.rpt__like_school where list_contains(?::integer[], school_code)"
RATES_SQL = """
select school_code, calendar_year, attendance_rate, like_group_attendance_rate, like_group_schools_reporting,
    state_attendance_rate
from reporting.rpt__like_school_attendance
where list_contains(?::integer[], school_code)
order by calendar_year
"""
ENROLMENT_SQL = """
select school_code, calendar_year, base_year, headcount, base_headcount, headcount_change_pct,
    like_group_headcount_change_pct, like_group_matched_schools
from reporting.rpt__like_school_enrolment
where list_contains(?::integer[], school_code)
order by calendar_year
"""


def rows_of(frame: pd.DataFrame, code: int) -> pd.DataFrame:
    return frame[frame["school_code"] == code]


def picker(choices: dict[int, str]) -> list[int]:
    """The schools to compare: first those the URL names (else the session's list), then as the reader changes
    them; the URL and the session's list follow."""
    if PICKER not in st.session_state:
        named = compare.parse_codes(st.query_params.get(compare.PARAMETER)) or st.session_state.get(compare.CHOSEN, [])
        unknown = [code for code in named if code not in choices]
        if unknown:
            st.warning(
                f"No school open today has the code {', '.join(map(str, unknown))}: left out.", icon=":material/error:"
            )
        known = [code for code in named if code in choices]
        if len(known) > compare.LIMIT:
            st.info(f"The page compares {compare.LIMIT} schools at most: the first {compare.LIMIT} are shown.")
        st.session_state[PICKER] = known[: compare.LIMIT]
    chosen = st.multiselect(
        f"Schools to compare (up to {compare.LIMIT})",
        list(choices),
        key=PICKER,
        format_func=choices.get,
        max_selections=compare.LIMIT,
        placeholder="Type a school's name, suburb or code",
    )
    st.session_state[compare.CHOSEN] = chosen
    if chosen:
        st.query_params[compare.PARAMETER] = compare.codes_text(chosen)
    else:
        st.query_params.pop(compare.PARAMETER, None)
    return chosen


def side_by_side(schools: pd.DataFrame, names: dict[int, str], show) -> None:
    """One column per school, headed by its name (a link to its profile), filled by `show(code)`."""
    for column, code in zip(st.columns(len(schools)), schools["school_code"], strict=True):
        with column:
            st.markdown(f"**[{names[code]}]({layout.school_url(code)})**")
            show(int(code))


def headcount(code: int) -> None:
    """The school's headcount with its forecast, and its change against schools like it."""
    frame = enrolment.headcount(code)
    if frame.empty:
        st.caption("No headcount in the enrolment file.")
    else:
        figure = compare.without_legend(enrolment.headcount_chart(frame)).properties(height=220)
        layout.chart(figure, frame, f"Headcount, school {code}")
    st.markdown(like_schools.enrolment_sentence(rows_of(changes, code)))


st.title("Compare schools")
st.markdown(
    f"Up to {compare.LIMIT} government schools open today, side by side: what they are and offer, their students, "
    "their attendance against the state and against schools like each of them. The address bar keeps the schools, so "
    "you can share the comparison. On a school's profile, **Add to compare** adds it here."
)
codes = picker(layout.school_choices(current_only=True))
if not codes:
    st.info("Choose two or more schools above to compare them.", icon=":material/compare_arrows:")
    st.stop()

schools = compare.schools(codes)
names = compare.series_names(schools)
offers = query(OFFERS_SQL, codes).set_index("school_code")
scores = query(SCORES_SQL, codes)
likes = query(LIKE_SQL, codes).set_index("school_code")
rates = query(RATES_SQL, codes)
changes = query(ENROLMENT_SQL, codes)
composite = compare.composite(codes)
by_code = schools.set_index("school_code")
glances = {code: compare.glance(by_code.loc[code]) for code in schools["school_code"]}
offered = {code: offer.offers(offers.loc[code], rows_of(scores, code)) for code in schools["school_code"]}
composite_year = int(scalar("select max(calendar_year) from marts.fct__composite_class"))
composites = {code: compare.composite_text(rows_of(composite, code)) for code in schools["school_code"]}

st.header("The schools")
side_by_side(schools, names, lambda code: st.markdown(offer.lines(glances[code])))

st.header("What they offer")
side_by_side(schools, names, lambda code: st.markdown(offer.lines(offered[code])))
with st.expander("How to reach them"):
    side_by_side(schools, names, lambda code: st.markdown(offer.lines(offer.contact(offers.loc[code]))))

st.header("Students enrolled")
side_by_side(schools, names, headcount)
st.caption(
    "Headcount in each year's census (2004-2023), a dark line, and the forecast, light and dashed, with its 80% range "
    "shaded (the last headcount carried forward: see the Enrolments page). Each school's change since a base year is "
    "set against that of schools like it."
)

st.header("Attendance")
series = compare.attendance_series(rates, names)
colours = {names[code]: colour for code, colour in zip(schools["school_code"], compare.COLOURS, strict=False)}
layout.chart(
    attendance.rate_chart(series, {**colours, compare.STATE: attendance.STATE}),
    series.dropna(subset=["rate"]),
    "Attendance rate of the schools and the state",
)
side_by_side(
    schools,
    names,
    lambda code: st.markdown(
        f"Compared with {like_schools.group_phrase(likes.loc[code])}. "
        + like_schools.attendance_sentence(rows_of(rates, code))
    ),
)
st.caption(
    "Semester 1 attendance; there is no 2020, and from 2021 the collection follows the national standard. Schools "
    "like each one: the schools open today with its level, remoteness class and ICSEA band, widened until there are "
    "at least five (see a school's profile); their rate leaves the school out and weights each rate by headcount."
)

st.header("Composite classes")
side_by_side(schools, names, lambda code: st.markdown(composites[code]))
st.caption(
    f"Classes mixing two or more school years in {composite_year}, the latest year of the multi-age classes file "
    f"(primary classes only: {layout.MISSING} for a school it does not list)."
)

st.divider()
facts = {
    names[code]: {**glances[code], **offered[code], f"Composite classes ({composite_year})": composites[code]}
    for code in schools["school_code"]
}
layout.download(compare.comparison(facts), "Compared schools")
