"""What the Compare schools page (`/compare?schools=1001,2840,8135`) reads and says: the schools the URL names, the
list the session keeps (which a profile's "Add to compare" button adds to), and each school's facts side by side."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.profile import attendance
from nsw_doe.app.profile.text import value_text

PAGE = "views/compare.py"
PARAMETER = "schools"  # ?schools=1001,2840,8135
LIMIT = 4
CHOSEN = "compare_chosen"  # the session's compare list, kept across pages (a widget's own state is not)
# One colour per compared school, in the order chosen (Okabe-Ito, distinct for colour-blind readers).
COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")
STATE = attendance.SERIES[1]

SCHOOLS_SQL = """
select s.school_code, s.school_name, s.level_of_schooling, s.town_suburb, s.postcode, s.asgs_remoteness,
    s.icsea_value, s.icsea_band, s.latest_headcount, s.latest_headcount_year
from reporting.rpt__school_current as s
where s.is_current and list_contains(?::integer[], s.school_code)
"""
COMPOSITE_SQL = """
select school_code, calendar_year, composite_class_count, composite_class_students, pct_composite_classes,
    pct_composite_class_students
from marts.fct__composite_class
where list_contains(?::integer[], school_code)
    and calendar_year = (select max(calendar_year) from marts.fct__composite_class)
"""


def parse_codes(text: str | None) -> list[int]:
    """The school codes of a `schools` URL parameter ('1001,2840 8135'), in order, each once."""
    codes = [int(code) for code in re.findall(r"[0-9]{1,9}", text or "")]
    return list(dict.fromkeys(codes))


def codes_text(codes: list[int]) -> str:
    return ",".join(str(code) for code in codes)


def added(codes: list[int], code: int) -> list[int]:
    """The compare list with `code` added last: the latest LIMIT schools chosen."""
    return [*[c for c in codes if c != code], code][-LIMIT:]


def add_button(code: int) -> None:
    """A button that opens Compare schools with this school added to the session's list."""
    chosen = st.session_state.get(CHOSEN, [])
    if st.button(
        "Add to compare",
        icon=":material/compare_arrows:",
        help=f"Compare this school side by side with up to {LIMIT - 1} others (the ones you chose before stay).",
    ):
        st.switch_page(PAGE, query_params={PARAMETER: codes_text(added(chosen, code))})


def schools(codes: list[int]) -> pd.DataFrame:
    """The current schools among `codes` (rpt__school_current), in the order of `codes`."""
    found = query(SCHOOLS_SQL, codes).set_index("school_code")
    return found.reindex([code for code in codes if code in found.index]).reset_index()


def composite(codes: list[int]) -> pd.DataFrame:
    """The schools' rows of the latest year of marts.fct__composite_class (a school without one has none)."""
    return query(COMPOSITE_SQL, codes)


def glance(school: pd.Series) -> dict[str, str]:
    """A school at a glance, label -> text."""
    year = school["latest_headcount_year"]
    band = "" if layout.is_missing(school["icsea_band"]) else f" ({school['icsea_band']})"
    return {
        "Level": value_text(school["level_of_schooling"]),
        "Suburb": " ".join(value_text(school[c]) for c in ("town_suburb", "postcode")),
        "Remoteness": value_text(school["asgs_remoteness"]),
        "ICSEA": value_text(school["icsea_value"], "icsea_value") + band,
        "Students" + ("" if layout.is_missing(year) else f" ({int(year)} headcount)"): layout.count(
            school["latest_headcount"]
        ),
    }


def composite_text(rows: pd.DataFrame) -> str:
    """A school's composite classes in its row of the latest year, in words, or MISSING when it has no row."""
    if rows.empty:
        return layout.MISSING
    row = rows.iloc[0]
    return (
        f"{layout.count(row['composite_class_count'])} composite classes "
        f"({layout.rate(row['pct_composite_classes'])} of its classes), "
        f"{layout.count(row['composite_class_students'])} students in them "
        f"({layout.rate(row['pct_composite_class_students'])})"
    )


def without_legend(figure: alt.LayerChart) -> alt.LayerChart:
    """A copy of a layered chart with no colour legend: small multiples say what their colours are once, in a
    caption, and keep their narrow width for the plot."""
    figure = figure.copy(deep=True)
    for layer in figure.layer:
        if "color" in layer.encoding.to_dict():
            layer.encoding.color.legend = None
    return figure


def series_names(schools: pd.DataFrame) -> dict[int, str]:
    """The name each school's line goes by: its name, with its code where two compared schools share a name."""
    shared = schools["school_name"].duplicated(keep=False)
    return {
        int(row.school_code): f"{row.school_name} ({row.school_code})" if twin else row.school_name
        for row, twin in zip(schools.itertuples(index=False), shared, strict=True)
    }


def attendance_series(rates: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Each school's rate by year (rpt__like_school_attendance rows) and the state's, long (calendar_year, series,
    rate), the state once per year."""
    state = rates.drop_duplicates("calendar_year")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "calendar_year": rates["calendar_year"],
                    "series": rates["school_code"].map(names),
                    "rate": rates["attendance_rate"],
                }
            ),
            pd.DataFrame(
                {"calendar_year": state["calendar_year"], "series": STATE, "rate": state["state_attendance_rate"]}
            ),
        ],
        ignore_index=True,
    )


def comparison(facts: dict[str, dict[str, str]]) -> pd.DataFrame:
    """School -> (label -> text) as one table, the attribute first and a column per school (the page's CSV)."""
    return pd.DataFrame(facts).rename_axis("Attribute").reset_index()
