"""School profile (`/school?school=<code>`): one government school's attributes now and what it offers, how they
changed and when, its headcount with its forecast, its attendance against the state's, how it compares with schools
like it, composite classes, its attendance-risk score and what drives it, and the nearest schools. Each section is a
module of nsw_doe.app.profile."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from nsw_doe.app import compare_content, layout
from nsw_doe.app.data import query
from nsw_doe.app.profile import (
    attendance,
    attributes,
    composite,
    enrolment,
    history,
    like_schools,
    nearby,
    offer,
    risk,
)
from nsw_doe.app.profile.text import date_text

FIND_A_SCHOOL = "views/schools.py"

SCHOOL_SQL = "select * from reporting.rpt__school_current where school_code = ?"
VERSIONS_SQL = """
select *
from marts.dim__school
where school_code = ?
order by valid_from
"""


def school_picker(label: str) -> None:
    """A searchable list of every school; choosing one opens its profile (and puts its code in the URL)."""
    names = layout.school_choices()

    def open_chosen() -> None:
        chosen = st.session_state.pop("school_picker", None)
        if chosen is not None:
            st.query_params.from_dict({"school": str(chosen)})

    st.selectbox(
        label,
        list(names),
        index=None,
        format_func=names.get,
        key="school_picker",
        placeholder="Type a school's name, suburb or code",
        on_change=open_chosen,
    )


def school(text: str | None) -> tuple[pd.Series | None, str | None]:
    """The school the URL names (its rpt__school_current row), or None and why it names no school (None when the URL
    has no code)."""
    if text is None:
        return None, None
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):  # not str.isdigit(): it accepts "²", which int() refuses
        return None, f'"{text}" is not a school code: codes are whole numbers, such as 1001.'
    found = query(SCHOOL_SQL, int(text))
    if found.empty:
        return None, f"There is no government school with code {int(text)} in the warehouse."
    return found.iloc[0], None


def show_profile(now: pd.Series) -> None:
    code = int(now["school_code"])
    st.title(now["school_name"])
    st.markdown(
        " · ".join(
            [str(now[c]) for c in ("level_of_schooling", "town_suburb") if not layout.is_missing(now[c])]
            + [f"school code {code}"]
            + ([] if now["is_current"] else ["**no longer in the school list**"])
        )
    )
    if now["is_inferred"]:
        st.warning(
            "This school closed before the first school list here (April 2018): it is known only from the "
            "enrolment and attendance files, so it has no attributes, history or location.",
            icon=":material/history:",
        )
    elif not now["is_current"]:
        st.warning(
            f"This school is not in the latest school list: its last version ended on {date_text(now['valid_to'])}. "
            "The attributes below are from that version.",
            icon=":material/history:",
        )
    if now["is_current"]:
        compare_content.add_button(code)
    rates = attendance.attendance(code)
    if not now["is_inferred"]:
        attributes.show(now)
        offer.show(code)
        history.show(query(VERSIONS_SQL, code), bool(now["is_in_first_school_list"]))
    enrolment.show(enrolment.headcount(code))
    attendance.show(rates)
    like_schools.show(code)
    composite.show(composite.composite(code))
    risk.show(code, rates)
    if not now["is_inferred"]:
        nearby.show(now)


now, problem = school(st.query_params.get("school"))
if now is None:
    st.title("School profile")
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        st.markdown(
            "One government school in depth: what it is like now, how it changed, its students and attendance over "
            "the years, and its neighbours. Choose a school, or find one on the map."
        )
    school_picker("Choose a school")
    st.page_link(FIND_A_SCHOOL, label="Find a school on the map", icon=":material/map:")
else:
    show_profile(now)
    st.divider()
    school_picker("Another school")
