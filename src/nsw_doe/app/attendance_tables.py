"""The Attendance page's tables, reshaped from the reporting layer's rows for people to read (pure: frames in,
frames out). No figure is computed here beyond a row total; the warehouse forms them."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app.attendance_text import DISTRIBUTION_COLUMNS, PUBLISHED_LABELS, STATUS_LABELS, collection_label

ALL_LEVELS = "All levels of schooling"


def three_ways_table(series: pd.DataFrame) -> pd.DataFrame:
    """The state rate three ways by year, as the page shows it (rpt__state_attendance_rate's columns)."""
    return pd.DataFrame(
        {
            "Year": series["calendar_year"],
            "Published": series["published"],
            "Weighted": series["weighted"],
            "Unweighted": series["unweighted"],
            "Weighted - published": series["weighted_minus_published"],
            "Unweighted - published": series["unweighted_minus_published"],
            "Schools": series["schools_reporting_attendance"],
            "Collection": series["attendance_collection"].map(collection_label),
        }
    )


def distribution_numbers(groups: pd.DataFrame, title: str) -> pd.DataFrame:
    """One dimension's rows of rpt__attendance_distribution with the page's column names (the group as `title`)."""
    return groups.rename(columns={"grp": title, **DISTRIBUTION_COLUMNS})


def status_table(counts: pd.DataFrame, level: str = ALL_LEVELS) -> pd.DataFrame:
    """Schools by year (rows) and status (columns, every status even when none has it), with a total, for one level
    of schooling or all of them (`counts` is rpt__attendance_status_count)."""
    shown = counts if level == ALL_LEVELS else counts[counts["level_of_schooling"] == level]
    return (
        shown.pivot_table(
            index="calendar_year", columns="attendance_status", values="schools", aggfunc="sum", fill_value=0
        )
        .reindex(columns=list(STATUS_LABELS), fill_value=0)
        .rename(columns=STATUS_LABELS)
        .assign(Total=lambda frame: frame.sum(axis=1))
        .rename_axis(index="Year", columns=None)
        .reset_index()
    )


def without_rate(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The schools without a rate in long form (Year, Status, Schools, order) for the stacked bars, and the statuses
    in their order."""
    statuses = [label for key, label in STATUS_LABELS.items() if key != "reported"]
    long = table.melt(id_vars="Year", value_vars=statuses, var_name="Status", value_name="Schools")
    long["order"] = long["Status"].map(statuses.index)
    return long, statuses


def first_reported(counts: pd.DataFrame, level: str) -> tuple[int, int] | None:
    """The first year schools of `level` reported a rate, and how many did, or None if they never did."""
    rows = counts[(counts["level_of_schooling"] == level) & (counts["attendance_status"] == "reported")]
    reported = rows.groupby("calendar_year")["schools"].sum()
    if reported.empty:
        return None
    first = int(reported.index.min())
    return first, int(reported.loc[first])


def edition_table(different: pd.DataFrame, older: int, latest: int) -> pd.DataFrame:
    """The school-years the two editions disagree on, by the status each gives them."""
    return different.assign(
        older_status=different["older_status"].map(STATUS_LABELS),
        latest_status=different["latest_status"].map(STATUS_LABELS),
    )[["older_status", "latest_status", "school_years", "schools", "first_year", "last_year"]].rename(
        columns={
            "older_status": f"In the {older} edition",
            "latest_status": f"In the {latest} edition",
            "school_years": "School-years",
            "schools": "Schools",
            "first_year": "From",
            "last_year": "To",
        }
    )


def label_published(frame: pd.DataFrame) -> pd.DataFrame:
    """The statewide tables' categories and cohorts as people read them."""
    return frame.assign(
        category=frame["category"].map(PUBLISHED_LABELS).fillna(frame["category"]),
        cohort=frame["cohort"].map(PUBLISHED_LABELS).fillna(frame["cohort"]),
    )


def publication_gap(whole_state: pd.DataFrame, series: pd.DataFrame) -> tuple[float | None, ...]:
    """How far the statewide tables' all-students rate is from the attendance file's published state row in the
    years both cover: (smallest gap, largest gap, first year, last year), all None if no year is in both."""
    both = whole_state[whole_state["cohort"] == "All students"].merge(series, on="calendar_year")
    if both.empty:
        return None, None, None, None
    gap = (both["published"] - both["attendance_rate"]).abs()
    return gap.min(), gap.max(), int(both["calendar_year"].min()), int(both["calendar_year"].max())
