"""Composite (multi-age) classes of the school by year (marts.fct__composite_class)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query

COMPOSITE_SQL = """
select calendar_year, composite_class_count, composite_class_students, pct_composite_classes,
    pct_composite_class_students
from marts.fct__composite_class
where school_code = ?
order by calendar_year
"""


def composite(code: int) -> pd.DataFrame:
    return query(COMPOSITE_SQL, code)


def show(composite: pd.DataFrame) -> None:
    st.header("Composite classes")
    if composite.empty:
        st.caption(
            "No composite (multi-age) class rows for this school: the source (2014-2022, no 2020) lists primary "
            "classes only, so secondary schools and schools that did not report are absent."
        )
        return
    table = composite.rename(
        columns={
            "calendar_year": "Year",
            "composite_class_count": "Composite classes",
            "composite_class_students": "Students in them",
            "pct_composite_classes": "Share of classes (%)",
            "pct_composite_class_students": "Share of students (%)",
        }
    )
    figure = (
        alt.Chart(composite)
        .mark_bar()
        .encode(
            alt.X("calendar_year:O", title="Year"),
            alt.Y("pct_composite_classes:Q", title="Classes that are composite (%)"),
            tooltip=[
                alt.Tooltip("calendar_year:O", title="Year"),
                alt.Tooltip("composite_class_count:Q", title="Composite classes"),
                alt.Tooltip("pct_composite_classes:Q", title="Share of classes (%)", format=".1f"),
            ],
        )
    )
    chart_column, table_column = st.columns(2)
    with chart_column:
        layout.chart(figure, composite, "Share of classes that are composite")
    with table_column:
        layout.static_table(
            table,
            "Composite classes by year",
            formats={"Share of classes (%)": "{:.1f}", "Share of students (%)": "{:.1f}"},
        )
    st.caption(
        "A composite class mixes students of two or more school years (e.g. Years 3 and 4). From the department's "
        "multi-age classes file; there is no 2020."
    )
