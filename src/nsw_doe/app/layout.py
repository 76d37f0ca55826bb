"""How the pages show things: numbers formatted for people, charts and tables that offer their data as CSV, and
the build and source vintages every page states."""

from __future__ import annotations

import re
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app.data import query

ATTRIBUTION = "NSW Department of Education, via Data.NSW, CC BY 4.0"
# How every missing value reads, number or text (the one word the pages use: the source did not publish it).
MISSING = "not published"


# The status of a published value (attendance_status, headcount_status, ... in the marts), defined once: the name
# the pages show, and what it means (said where a page lists a school's statuses).
STATUS_LABELS = {
    "reported": "Reported",
    "suppressed": "Suppressed",
    "not_applicable": "Not applicable",
    "not_reported": "Not reported",
    "invalid": "Invalid",
}
STATUS_MEANINGS = {
    "suppressed": "too few students to publish",
    "not_applicable": "e.g. no students in the collection",
    "not_reported": "the department published no value",
    "invalid": "the published value could not be read; it is in quarantine",
}


# A column of counts, with thousands separators.
COUNT_COLUMN = st.column_config.NumberColumn(format="localized")


def status_label(status: str, explained: bool = False) -> str:
    """A status as people read it ('Suppressed'), with what it means when `explained` ('Suppressed (too few
    students to publish)'); a status the project does not know reads as itself."""
    label = STATUS_LABELS.get(status, status)
    meaning = STATUS_MEANINGS.get(status) if explained else None
    return f"{label} ({meaning})" if meaning else label


def is_missing(value) -> bool:
    """None, NaN, NA or NaT (any missing value a query hands back; a string never is)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def count(value) -> str:
    """A whole number with thousands separators."""
    return MISSING if is_missing(value) else f"{round(value):,}"


def rate(value, suffix: str = "%") -> str:
    """A rate with one decimal."""
    return MISSING if is_missing(value) else f"{value:,.1f}{suffix}"


def change(value, unit: str = "") -> str | None:
    """A signed change for st.metric's delta (None hides the delta when unknown)."""
    if is_missing(value):
        return None
    text = f"{value:+,.1f}" if unit else f"{round(value):+,}"
    return text + unit


def count_metric(container, label: str, value, delta, since_year: int, help: str | None = None) -> None:
    """A count in a bordered st.metric with its change since `since_year` (neither good nor bad: not coloured)."""
    container.metric(
        label,
        count(value),
        change(delta),
        delta_color="off",
        delta_description=f"on {since_year}",
        help=help,
        border=True,
    )


def _file_name(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") + ".csv"


def download(frame: pd.DataFrame, title: str, key: str | None = None) -> None:
    """A button that downloads `frame` as CSV, named after what it shows."""
    st.download_button(
        f"Download the data (CSV): {title}",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=_file_name(title),
        mime="text/csv",
        key=key or f"download_{_file_name(title)}",
        icon=":material/download:",
    )


def chart_description(title: str, frame: pd.DataFrame) -> str:
    """The text alternative of a chart titled `title` that draws `frame`: what it is and where its numbers are (each
    mark also carries its values as a label of its own: Vega's ARIA output)."""
    rows = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    return f"Chart: {title}. Its data ({rows}) download as CSV with the button below it."


def chart(figure: alt.Chart, frame: pd.DataFrame, title: str) -> None:
    """An Altair chart (titled `title`, which also names its CSV) with a text alternative and its data offered for
    download. Vega-Lite's `description` becomes the chart's aria-label (on its container, role graphics-document),
    which screen readers read."""
    st.altair_chart(figure.properties(title=title, description=chart_description(title, frame)), width="stretch")
    download(frame, title)


def small_multiples(
    frame: pd.DataFrame,
    by: str,
    groups: list[str],
    panel: Callable[[pd.DataFrame, bool], alt.Chart],
    title: str,
    per_row: int = 3,
) -> None:
    """One small chart per group of `frame` (`panel(the group's rows, whether it is the first panel)`), `per_row` to a
    row on a wide screen and one under another on a phone: Streamlit stacks columns on a narrow screen, which a
    Vega-Lite facet (a fixed width per panel) cannot do. One title, each panel's text alternative names it, and the
    data is offered once for download."""
    st.markdown(f"**{title}**")
    for start in range(0, len(groups), per_row):
        row = groups[start : start + per_row]
        for column, group in zip(st.columns(per_row)[: len(row)], row, strict=True):
            rows = frame[frame[by] == group]
            figure = panel(rows, start == 0 and group == row[0])
            described = figure.properties(
                title=group,
                description=chart_description(f"{title}: {group}", rows),
                autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),  # the plot keeps its height
            )
            column.altair_chart(described, width="stretch")
    download(frame, title)


def trend_description(label: str, years: pd.Series, values: pd.Series, value_format) -> str:
    """A yearly series in words (its first, lowest, highest and latest years), for a chart too small for axes."""
    series = pd.Series(list(values), index=[int(year) for year in years]).dropna()
    points = {
        "from": series.index[0],
        "lowest": series.idxmin(),
        "highest": series.idxmax(),
        "latest": series.index[-1],
    }
    said = "; ".join(f"{word} {value_format(series[year])} in {year}" for word, year in points.items())
    return f"{label} by year, {series.index[0]}-{series.index[-1]}: {said}."


def sparkline(years: pd.Series, values: pd.Series, label: str, value_format) -> None:
    """A small area chart of a yearly series, without axes, whose text alternative says its trend in words (see
    trend_description); hovering a year shows its value."""
    frame = pd.DataFrame({"calendar_year": list(years), "value": list(values)})
    frame["shown"] = frame["value"].map(value_format)
    figure = (
        alt.Chart(frame)
        # The description says the trend; marks labelled one by one would repeat it year by year, field names too.
        .mark_area(line=True, opacity=0.25, point=alt.OverlayMarkDef(size=12), aria=False)
        .encode(
            x=alt.X("calendar_year:Q", axis=None),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False), stack=None),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("shown:N", title=label),
            ],
        )
        .properties(height=56, description=trend_description(label, years, values, value_format))
        .configure_view(strokeWidth=0)
    )
    st.altair_chart(figure, width="stretch")


def static_table(
    frame: pd.DataFrame, title: str, formats: dict[str, str] | None = None, data: pd.DataFrame | None = None
) -> None:
    """A short table drawn as HTML (st.table) with its data offered for download (`data` when that is not the
    table drawn, e.g. a transposed one). It draws in a fraction of the time of st.dataframe's canvas grid, and is
    real table markup for screen readers; cells may hold Markdown links (`school_links`). `formats` maps a column to
    a format string; a missing value reads as MISSING. For a long list a reader sorts or scrolls, `table`."""
    styled = frame.style.format(formats or {}, na_rep=MISSING).hide(axis="index")
    st.table(styled, alt=title)
    download(frame if data is None else data, title)


def table(frame: pd.DataFrame, title: str, **dataframe_args):
    """A table with its data offered for download; returns what st.dataframe returns (a selection if asked for)."""
    shown = st.dataframe(frame, hide_index=True, width="stretch", **dataframe_args)
    download(frame, title)
    return shown


def school_url(school_code) -> str:
    """The link to a school's profile page, relative to the page it is on (so it holds under any base URL path)."""
    return f"school?school={school_code}"


SCHOOL_CHOICES_SQL = """
select
    school_code,
    school_name,
    concat_ws(', ', town_suburb, lga) as place,
    is_current
from reporting.rpt__school_current
where is_current or not ?
order by school_name, school_code
"""


def school_choices(current_only: bool = False) -> dict[int, str]:
    """Every school (or every school open today) by code, as a school picker lists it: 'name — suburb, LGA (code)',
    with ' · closed' after a school no longer listed. Streamlit's picker matches the typed letters in order within
    this text. No postcode: typing a school's code would list the schools of the same postcode first."""
    return {
        int(row.school_code): f"{row.school_name} — {row.place or 'place unknown'} ({row.school_code})"
        + ("" if row.is_current else " · closed")
        for row in query(SCHOOL_CHOICES_SQL, current_only).itertuples(index=False)
    }


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+|!~-])")


def school_links(names: pd.Series, codes: pd.Series) -> list[str]:
    """Schools' names as Markdown links to their profiles (for `static_table`), Markdown characters escaped."""
    escaped = names.str.replace(MARKDOWN_SPECIAL, r"\\\1", regex=True)
    return [f"[{name}]({school_url(code)})" for name, code in zip(escaped, codes, strict=True)]


def school_link_column() -> st.column_config.LinkColumn:
    """A table column of `school_url` links, shown as "Open profile"."""
    return st.column_config.LinkColumn("Profile", display_text="Open profile", help="The school's page in this app")


def has_table(qualified: str, *columns: str) -> bool:
    """Whether the published build holds `schema.table` (with these columns): older builds lack the newer tables."""
    schema, name = qualified.split(".")
    found = query(
        "select column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        schema,
        name,
    )["column_name"]
    return not found.empty and set(columns) <= set(found)


def rebuild_to_see(what: str) -> None:
    """Say that the published build predates `what`, and how to get it."""
    st.info(f"This warehouse was built by an earlier version, without {what}: run `make run` to see it here.")


def build_caption() -> str:
    """Which build the page shows (its time and commit) and how recent its sources are."""
    built_at, commit = query("select built_at, code_version from audit.build").iloc[0]
    datasets, school_list = query(
        "select count(distinct dataset_id), max(vintage) filter (dataset_id = 'master_dataset') "
        "from audit.source_files where loaded"
    ).iloc[0]
    when = pd.Timestamp(built_at).tz_convert("UTC").strftime("%d %b %Y %H:%M UTC")
    code = f" (commit `{commit}`)" if commit else ""
    return (
        f"Built {when}{code} from {datasets} public datasets; school list extracted {school_list}. Every source's "
        f"vintage is on the Data quality page. Data: {ATTRIBUTION}."
    )
