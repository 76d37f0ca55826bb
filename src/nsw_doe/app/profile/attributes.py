"""The school as its latest version in the school list describes it (reporting.rpt__school_current)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.profile.text import date_text, value_text

CONTACTS = ("Website", "Email")
# What the offer section (profile/offer.py) shows for a school in the latest school list, so not listed here again.
OFFERED = ("Selective", "Opportunity classes", "Students", *CONTACTS)


def details(now: pd.Series) -> dict[str, object]:
    """The attributes listed under the headline figures, by the label people read (for a current school, without
    those the offer section shows)."""
    postcode = "" if layout.is_missing(now["postcode"]) else now["postcode"]
    listed = {
        "Level of schooling": now["level_of_schooling"],
        "Years": now["school_subtype"],
        "Suburb": f"{value_text(now['town_suburb'])} {postcode}",
        "Local government area": now["lga"],
        "State electorate": now["electorate"],
        "Operational directorate": now["operational_directorate"],
        "Principal network": now["principal_network"],
        "Remoteness": now["asgs_remoteness"],
        "Selective": now["selective_school"],
        "Opportunity classes": {"Y": "Yes", "N": "No"}.get(now["opportunity_class"], now["opportunity_class"]),
        "Students": now["school_gender"],
        "Enrolment (FTE, school list)": now["latest_year_enrolment_fte"],
        "Website": now["website"],
        "Email": now["school_email"],
    }
    return {label: value for label, value in listed.items() if not (now["is_current"] and label in OFFERED)}


def detail_lines(now: pd.Series) -> list[str]:
    """Markdown lines 'Label: value'; contact details in code style, shown as text, never as links to follow."""
    return [
        f"**{label}**: " + (f"`{value}`" if label in CONTACTS and not layout.is_missing(value) else value_text(value))
        for label, value in details(now).items()
    ]


def show(now: pd.Series) -> None:
    icsea, students, indigenous, lbote = st.columns(4)
    icsea.metric(
        "ICSEA",
        value_text(now["icsea_value"], "icsea_value"),
        help="Index of Community Socio-Educational Advantage: "
        "1000 is the national average, higher means more advantaged.",
    )
    year = now["latest_headcount_year"]
    students.metric(
        "Students (headcount)" if layout.is_missing(year) else f"Students ({int(year)} headcount)",
        layout.count(now["latest_headcount"]),
    )
    indigenous.metric(
        "Aboriginal students",
        layout.rate(now["indigenous_pct"], "%"),
        help=f"Share of Aboriginal and/or Torres Strait Islander students; {layout.MISSING} when suppressed.",
    )
    lbote.metric(
        "LBOTE",
        layout.rate(now["lbote_pct"], "%"),
        help="Share of students with a language background other than English.",
    )
    lines = detail_lines(now)
    third = -(-len(lines) // 3)
    for column, start in zip(st.columns(3), range(0, len(lines), third), strict=True):
        column.markdown("  \n".join(lines[start : start + third]))
    as_of = "listed today" if now["is_current"] else f"last listed until {date_text(now['valid_to'])}"
    st.caption(
        f"From the NSW public schools master dataset, version valid from {date_text(now['valid_from'])} ({as_of}). "
        "ICSEA, the percentages and the FTE enrolment are the values that list published; the headcount is the "
        "enrolment file's."
        + ("" if now["is_current"] else " Website and email are shown as text, not links: the school has closed.")
    )
