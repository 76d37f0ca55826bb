"""The Attendance page's Altair charts, as pure functions of the frames the page reads from the reporting layer:
the state rate three ways with the breaks in the series, the spread of school rates in a year, the schools without
a rate, and the department's own statewide tables."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nsw_doe.app.attendance_text import SERIES_LABELS


def year_axis() -> alt.X:
    return alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1))


def state_rate_long(series: pd.DataFrame) -> pd.DataFrame:
    """The three state series in long form (calendar_year, series label, rate): what the chart draws."""
    return series.melt(
        id_vars=["calendar_year"], value_vars=list(SERIES_LABELS), var_name="series", value_name="rate"
    ).assign(series=lambda frame: frame["series"].map(SERIES_LABELS))


def state_rate_chart(series: pd.DataFrame) -> alt.LayerChart:
    """The published, weighted and unweighted state rate by year, over the breaks in the series."""
    lines = (
        alt.Chart(state_rate_long(series))
        .mark_line(point=True)
        .encode(
            x=year_axis(),
            y=alt.Y("rate:Q", title="Attendance rate (%)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=list(SERIES_LABELS.values()), range=["#333333", "#1f77b4", "#ff7f0e"]),
                legend=alt.Legend(orient="bottom", labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("rate:Q", title="Rate (%)", format=".2f"),
            ],
        )
    )
    return lines + breaks_layer(series)


def breaks_layer(series: pd.DataFrame) -> alt.LayerChart:
    """A shaded band over each year with no collection, and a dashed rule where the national standard starts."""
    missing = series.loc[series["attendance_collection"] == "not_collected", ["calendar_year"]].assign(
        start=lambda frame: frame["calendar_year"] - 0.5, end=lambda frame: frame["calendar_year"] + 0.5
    )
    standard = series.loc[series["attendance_collection"] == "national_standard_2021", "calendar_year"].min() - 0.5
    labels = pd.DataFrame(
        {
            "x": [*missing["calendar_year"], standard + 0.2],
            "label": ["No collection (COVID-19)"] * len(missing) + ["New national standard"],
        }
    )
    band = alt.Chart(missing).mark_rect(opacity=0.15, color="grey").encode(x="start:Q", x2="end:Q")
    rule = alt.Chart(pd.DataFrame({"x": [standard]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q")
    text = alt.Chart(labels).mark_text(angle=270, align="right", y=6, color="grey").encode(x="x:Q", text="label:N")
    return band + rule + text


def box_chart(groups: pd.DataFrame, title: str, state_rate: float) -> alt.LayerChart:
    """Boxes from the lower to the upper quartile, whiskers from the 10th to the 90th percentile, a white tick at
    the median, one per group (in the frame's order), and a dashed line at the state rate."""
    order = list(groups["grp"])
    base = alt.Chart(groups).encode(y=alt.Y("grp:N", sort=order, title=title, axis=alt.Axis(labelLimit=220)))
    tooltip = [
        alt.Tooltip("grp:N", title=title),
        alt.Tooltip("schools:Q", title="Schools", format=","),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
        alt.Tooltip("median:Q", title="Median", format=".1f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"),
        alt.Tooltip("weighted:Q", title="Weighted rate", format=".1f"),
    ]
    whisker = base.mark_rule().encode(
        x=alt.X("p10:Q", title="School attendance rate (%)", scale=alt.Scale(zero=False)), x2="p90:Q"
    )
    box = base.mark_bar(size=16).encode(x="q1:Q", x2="q3:Q", tooltip=tooltip)
    median = base.mark_tick(color="white", size=16, thickness=2).encode(x="median:Q", tooltip=tooltip)
    state = (
        alt.Chart(pd.DataFrame({"rate": [state_rate]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="rate:Q")
    )
    return whisker + box + median + state


def status_chart(without: pd.DataFrame, statuses: list[str]) -> alt.Chart:
    """Stacked bars of the schools without a rate by year, one colour per status (in `statuses`' order)."""
    return (
        alt.Chart(without)
        .mark_bar()
        .encode(
            x=alt.X("Year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Schools:Q", title="Schools without a rate"),
            color=alt.Color(
                "Status:N",
                title="Status",
                scale=alt.Scale(domain=statuses, range=["#f28e2b", "#76b7b2", "#bab0ac", "#e15759"]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
            tooltip=["Year:O", "Status:N", alt.Tooltip("Schools:Q", format=",")],
        )
    )


def published_panel(shown: pd.DataFrame, breakdown: str, rates: tuple[float, float], legend: bool) -> alt.Chart:
    """One category's statewide rates by year, one line per cohort, on the scale all the panels share (`rates`); the
    legend on the first panel only."""
    return (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=year_axis(),
            y=alt.Y("attendance_rate:Q", title="Attendance rate (%)", scale=alt.Scale(domain=list(rates))),
            color=alt.Color("cohort:N", title="Students", legend=alt.Legend(orient="bottom") if legend else None),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("category:N", title=breakdown),
                alt.Tooltip("cohort:N", title="Students"),
                alt.Tooltip("attendance_rate:Q", title="Rate (%)", format=".1f"),
            ],
        )
        .properties(height=180)
    )
