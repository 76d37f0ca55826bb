"""What changed, and when: the school's versions (marts.dim__school) with the changes of its tracked attributes
(reporting.rpt__school_attribute_change) as a timeline."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.profile.text import date_text, value_text

CHANGES_SQL = """
select change_date, attribute_position, attribute, attribute_label, value_before, value_after, moved_km
from reporting.rpt__school_attribute_change
where school_code = ?
order by change_date, attribute_position
"""
COORDINATES = ("latitude", "longitude")


def _shown(value) -> str:
    return layout.MISSING if layout.is_missing(value) else value


def change_phrases(changes: pd.DataFrame) -> list[str]:
    """One version's changes (rows of rpt__school_attribute_change) as 'ICSEA 1115 → 1111', in the tracked list's
    order, and a change of coordinates last, as one move."""
    attributes = changes[~changes["attribute"].isin(COORDINATES)].sort_values("attribute_position")
    found = [
        f"{row.attribute_label} {_shown(row.value_before)} → {_shown(row.value_after)}"
        for row in attributes.itertuples(index=False)
    ]
    location = changes[changes["attribute"].isin(COORDINATES)]
    if not location.empty:
        moved = location["moved_km"].dropna()
        if not moved.empty:
            found.append(f"Location moved {moved.iloc[0]:,.2f} km")
        else:
            published = location["value_after"].notna().all()
            found.append("Location → " + ("published" if published else layout.MISSING))
    return found


def timeline(versions: pd.DataFrame, changes: pd.DataFrame, in_first_list: bool) -> pd.DataFrame:
    """One row per event of the school's type-2 history: first listed, what changed and when, gaps, closing."""
    rows = []
    for i in range(len(versions)):
        version = versions.iloc[i]
        if i == 0:
            when = "in the first school list here" if in_first_list else "first listed"
            what = f"Listed ({when}) as {version['school_name']}, {value_text(version['level_of_schooling'])}"
        else:
            previous = versions.iloc[i - 1]
            if previous["valid_to"] != version["valid_from"]:
                rows.append((previous["valid_to"], version["valid_from"], "Missing from the school lists"))
            on_the_day = changes[pd.to_datetime(changes["change_date"]) == pd.Timestamp(version["valid_from"])]
            what = "; ".join(change_phrases(on_the_day)) or "No visible change (only letter case or spacing)"
        rows.append((version["valid_from"], version["valid_to"], what))
    last = versions.iloc[-1]
    if not layout.is_missing(last["valid_to"]):
        rows.append((last["valid_to"], None, "No longer in the school list (closed, merged or renamed)"))
    frame = pd.DataFrame(rows, columns=["valid_from", "valid_to", "what_changed"])
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def by_attribute(versions: pd.DataFrame) -> pd.DataFrame:
    """The versions side by side: a row per attribute of marts.dim__school, a column per version (named by the date
    it starts), so that a change reads along a row."""
    shown = versions.drop(columns=["school_sk"]).map(_shown).astype(str).T
    shown.columns = [f"From {date_text(start)}" for start in versions["valid_from"]]
    return shown.rename_axis("Attribute").reset_index()


def show(versions: pd.DataFrame, in_first_list: bool) -> None:
    st.header("What changed, and when")
    code = int(versions["school_code"].iloc[0])
    events = timeline(versions, query(CHANGES_SQL, code), in_first_list)
    st.markdown("\n".join(f"- **{date_text(row.valid_from)}**: {row.what_changed}" for row in events.itertuples()))
    layout.download(events, f"History of school {code}")
    st.caption(
        "Each row is a version of the school in the master dataset's type-2 history (marts.dim__school): it starts "
        "on the date of the school list in which a tracked attribute first took a new value, and lasts until the "
        "next change. Lists were published on a few dates a year or less, so a change happened on or before the date "
        "shown, after the previous list."
    )
    with st.expander("Every version, every attribute"):
        layout.static_table(
            by_attribute(versions), f"Versions of school {code}", data=versions.drop(columns=["school_sk"])
        )
