"""What a current school offers and how to reach it (reporting.rpt__school_offer), with its selective entry scores
(marts.fct__selective_entry_score). The compare page lists the same lines for each school it compares."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.profile.text import date_text, value_text

OFFER_SQL = "select * from reporting.rpt__school_offer where school_code = ?"
SCORES_SQL = """
select calendar_year, minimum_entry_score
from marts.fct__selective_entry_score
where school_code = ?
order by calendar_year
"""


def offer(code: int) -> pd.Series | None:
    """The school's rpt__school_offer row, or None for a school not in the latest school list."""
    found = query(OFFER_SQL, code)
    return None if found.empty else found.iloc[0]


def entry_scores(code: int) -> pd.DataFrame:
    return query(SCORES_SQL, code)


def yes_no(flag) -> str:
    return layout.MISSING if layout.is_missing(flag) else ("Yes" if flag else "No")


def link(text, url: str) -> str:
    """A Markdown link, or MISSING when there is nothing to link to."""
    return layout.MISSING if layout.is_missing(text) else f"[{text}]({url})"


def support_class_text(offer: pd.Series) -> str:
    """'3 — Autism (Au); ...', 'None' when the school list of that year had the school with none, MISSING when the
    school was not listed that year."""
    count = offer["support_class_count"]
    if layout.is_missing(count):
        return layout.MISSING
    if count == 0:
        return "None"
    return f"{count:,.0f} — {offer['support_classes']}"


def entry_score_text(scores: pd.DataFrame) -> str:
    """The minimum entry score of each year, '2015: 194 · 2016: 197', or MISSING."""
    if scores.empty:
        return layout.MISSING
    return " · ".join(
        f"{int(row.calendar_year)}: {row.minimum_entry_score:.0f}" for row in scores.itertuples(index=False)
    )


def contact(offer: pd.Series) -> dict[str, str]:
    """How to reach the school, label -> Markdown (email and website as links)."""
    place = " ".join(value_text(offer[c]) for c in ("town_suburb", "postcode") if not layout.is_missing(offer[c]))
    email = offer["school_email"]
    return {
        "Address": ", ".join(part for part in (value_text(offer["street"]), place) if part) or layout.MISSING,
        "Phone": value_text(offer["phone"]),
        "Email": link(email, f"mailto:{email}"),
        "Website": link(offer["website_url"], offer["website_url"]),
    }


def offers(offer: pd.Series, scores: pd.DataFrame) -> dict[str, str]:
    """What the school offers, label -> text."""
    return {
        "Students": value_text(offer["school_gender"]),
        "Preschool": yes_no(offer["has_preschool"]),
        "Opportunity classes": yes_no(offer["has_opportunity_class"]),
        "Selective": value_text(offer["selective_school"]),
        "Selective entry scores (minimum)": entry_score_text(scores),
        "Intensive English centre": yes_no(offer["has_intensive_english_centre"]),
        "Distance education": value_text(offer["distance_education"]),
        f"Support classes ({offer['support_class_year']:.0f})": support_class_text(offer),
    }


def lines(details: dict[str, str]) -> str:
    """'**Label**: value' lines as one Markdown block."""
    return "  \n".join(f"**{label}**: {value}" for label, value in details.items())


def show(code: int) -> None:
    st.header("What the school offers")
    found = offer(code)
    if found is None:
        st.caption("What a school offers is listed for the schools in the latest school list only.")
        return
    reach, offered = st.columns(2)
    reach.markdown(lines(contact(found)))
    offered.markdown(lines(offers(found, entry_scores(code))))
    year = f"{found['support_class_year']:.0f}"
    st.caption(
        f"From the school list of {date_text(found['listed_on'])}; the support classes are the department's {year} "
        "list, the latest published. Selective entry scores: the lowest score that won a place, 2015-2018, for "
        "selective schools only. Phone numbers without an area code are 02 numbers."
    )
