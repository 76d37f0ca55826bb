"""The data-quality page's sections about this build against the ones before it and the world: what changed (the
release notes, the tables that differ, the changelog) and how up to date each source is. All from the audit tables
the build wrote; a warehouse built before they existed says to rebuild."""

import json

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query

NOT_APPLICABLE = "\u2013"  # an en dash: nothing due, nothing behind
COUNT = layout.COUNT_COLUMN

FRESHNESS_SQL = """
select *
from audit.source_freshness
order by status = 'overdue' desc, status, days_overdue desc nulls last, dataset_id
"""

NOTES_SQL = """
select built_at, code_version, note_order, topic, sentence
from audit.release_notes
order by built_at desc, note_order
"""

DIFF_SQL = """
select table_name, status, rows_old, rows_new, added, removed, changed, summary, changed_columns, examples
from audit.build_diff
where differs
order by table_name
"""


def behind(row) -> str | None:
    """How far an overdue source is behind, in editions (annual) or days (continuous)."""
    if row.status != "overdue":
        return None
    if pd.notna(row.editions_behind):
        return f"{int(row.editions_behind)} edition(s)"
    return f"{int(row.days_overdue):,} days"


def freshness() -> None:
    st.header("Is the data up to date?")
    if not layout.has_table("audit.source_freshness"):
        layout.rebuild_to_see("the freshness of its sources")
        return
    frame = query(FRESHNESS_SQL)
    checked = pd.Timestamp(frame["checked_on"].max())
    overdue = frame[frame["status"] == "overdue"]
    st.markdown(
        "Each dataset states how often the department publishes it and when in the year a new edition appears "
        "(`data/sources/manifest.yml`). The build compared the latest period in the data with what should be out "
        f"by the day it ran, {checked:%d %b %Y}: a source is **overdue** when the portal has not published an "
        "edition that is due. Figures from an overdue source describe the past, not today's schools."
    )
    if overdue.empty:
        st.success("Every source is as recent as its publication cadence says.", icon=":material/check_circle:")
    else:
        names = "\n".join(f"- {row.title}: {behind(row)} behind" for row in overdue.itertuples())
        st.warning(
            f"**{len(overdue)} of {len(frame)} sources are overdue**: the portal has not published what their "
            f"cadence says is due.\n\n{names}",
            icon=":material/history:",
        )
    months = {m: pd.Timestamp(2001, m, 1).strftime("%B") for m in range(1, 13)}
    appears = frame["appears_month"].map(months).where(frame["cadence"] != "continuous", "through the year")
    # a grid, not a static table: seven columns scroll inside it on a phone rather than past the screen
    layout.table(
        pd.DataFrame(
            {
                "Dataset": frame["title"],
                "Cadence": frame["cadence"].str.replace("_", "-"),
                "Appears in": appears,
                "Latest in the data": frame["latest_period"].fillna("none loaded"),
                "Due by now": frame["expected_period"],
                "Status": frame["status"].str.replace("_", " "),
                "Behind by": [behind(row) for row in frame.itertuples()],
            }
        ).fillna(NOT_APPLICABLE),
        "Source freshness",
        height="content",
    )
    st.caption(
        "From audit.source_freshness. Cadence: annual, continuous (refreshed through the year), ceased or one-off "
        "(no new edition expected). Due by now: the year that should be out, or the oldest date "
        "still fresh. Not supplied: a licensed dataset the user did not point the build at."
    )


def changes() -> None:
    st.header("What changed in this build")
    if not (layout.has_table("audit.release_notes") and layout.has_table("audit.build_diff", "differs")):
        layout.rebuild_to_see("its comparison with the build before it")
        return
    notes = query(NOTES_SQL)
    latest = notes[notes["built_at"] == notes["built_at"].max()]
    st.markdown(
        "Every build is compared, table by table on each table's key, with the build it replaced (`nsw-doe diff`); "
        "the release notes say what changed in words, and are kept across builds as the data's changelog "
        "(`nsw-doe notes`)."
    )
    st.markdown("\n".join(f"- {sentence}" for sentence in latest["sentence"]))
    differing = query(DIFF_SQL)
    if not differing.empty:
        layout.table(
            pd.DataFrame(
                {
                    "Table": differing["table_name"],
                    "Status": differing["status"].str.replace("_", " "),
                    "Rows before": differing["rows_old"],
                    "Rows now": differing["rows_new"],
                    "Rows": differing["summary"],
                    "Columns that changed": differing["changed_columns"].map(changed_columns),
                }
            ),
            "Tables that changed",
            height="content",
            column_config={"Rows before": COUNT, "Rows now": COUNT},
        )
        st.caption("From audit.build_diff (one row per table; the unchanged tables are left out here).")
    earlier = notes[notes["built_at"] < notes["built_at"].max()]
    if earlier.empty:
        return
    builds = list(earlier.groupby("built_at", sort=False))
    with st.expander(f"Changelog: the {len(builds)} earlier build(s)"):
        for built, rows in builds:
            commit = rows["code_version"].iloc[0]
            st.markdown(
                f"**{pd.Timestamp(built).tz_convert('UTC'):%d %b %Y %H:%M} UTC**"
                + (f" (commit `{commit}`)" if commit else "")
                + "\n"
                + "\n".join(f"- {sentence}" for sentence in rows["sentence"])
            )


def changed_columns(counts: str | None) -> str:
    """`principal_network 12, icsea_value 3` from the JSON map of column -> changed rows."""
    values = json.loads(counts) if counts else {}
    return ", ".join(f"{column} {n:,}" for column, n in sorted(values.items(), key=lambda item: -item[1]))
