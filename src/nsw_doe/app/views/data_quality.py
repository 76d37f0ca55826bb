"""Data quality: which build this is, how old every source file is, how the build's asset checks went and which
source values were quarantined instead of loaded."""

import json

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query

ALL_LAYERS = "All layers"
NOT_APPLICABLE = "\u2013"  # an en dash: nothing due, nothing behind
COUNT = st.column_config.NumberColumn(format="localized")

SOURCES_SQL = """
select dataset_title, dataset_id, vintage, rows, licence, left(sha256, 12) as sha256, loaded, file_path
from audit.source_files
order by dataset_id, vintage desc, file_path
"""

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

CHECKS_SQL = """
select
    split_part(asset_key, '/', 1) as layer,
    asset_key,
    check_name,
    passed,
    severity,
    case when passed then 'passed' when severity = 'WARN' then 'WARNING' else 'FAILED' end as result,
    failed_rows,
    description
from audit.asset_checks
order by passed, severity, asset_key, check_name
"""

WARNINGS_SQL = """
select asset_key, check_name, coalesce(description, 'see the table of checks below') as description
from audit.asset_checks
where not passed and severity = 'WARN' and check_name <> 'source_freshness'  -- overdue sources have their section
order by asset_key, check_name
"""

QUARANTINE_SQL = """
select
    source_model,
    reason,
    source_file,
    source_row_number,
    source_column,
    source_value,
    cast(row_json as varchar) as row_json
from quarantine.quarantine__rejected_rows
order by source_model, source_file, source_row_number, source_column
"""


def this_build() -> None:
    build = query("select built_at, code_version, destination from audit.build").iloc[0]
    built = pd.Timestamp(build.built_at).tz_convert("UTC")
    commit = f"commit `{build.code_version}`" if build.code_version else "an unknown commit (not a git checkout)"
    st.markdown(f"This warehouse was built on **{built:%d %b %Y at %H:%M} UTC** from {commit} ({build.destination}).")
    results = query(CHECKS_SQL)["result"].value_counts()
    passed_column, warned_column, failed_column, quarantined_column = st.columns(4)
    passed_column.metric("Checks passed", layout.count(results.get("passed", 0)))
    warned_column.metric("Warnings", layout.count(results.get("WARNING", 0)))
    failed_column.metric("Checks failed", layout.count(results.get("FAILED", 0)))
    quarantined = query("select count(*) from quarantine.quarantine__rejected_rows").iat[0, 0]
    quarantined_column.metric("Rows in quarantine", layout.count(quarantined))
    warned = query(WARNINGS_SQL)
    if not warned.empty:
        lines = [f"- **{row.asset_key}:{row.check_name}**: {row.description}" for row in warned.itertuples()]
        st.warning(
            f"This build published with {len(warned)} warning(s) besides the overdue sources: checks that found "
            "something to look at without stopping the build.\n\n" + "\n".join(lines),
            icon=":material/warning:",
        )


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


def sources() -> None:
    st.header("Source files")
    files = query(SOURCES_SQL)
    if layout.has_table("audit.source_freshness"):
        status = query("select dataset_id, status from audit.source_freshness").set_index("dataset_id")["status"]
        files["status"] = files["dataset_id"].map(status)
    else:
        files["status"] = None
    st.markdown(
        "Each source file has a **vintage**: the day the department extracted it, or the years it covers. Older "
        "vintages of a dataset are kept too, because the school history is built from all of them."
    )
    layout.table(
        pd.DataFrame(
            {
                "Dataset": files["dataset_title"],
                "Vintage": files["vintage"],
                "Freshness": files["status"].str.replace("_", " "),
                "Rows": files["rows"],
                "Licence": files["licence"],
                "sha256": files["sha256"],
                "Loaded": files["loaded"],
                "File": files["file_path"],
                "Dataset id": files["dataset_id"],
            }
        ),
        "Source files",
        column_config={
            "Rows": COUNT,
            "Freshness": st.column_config.TextColumn(help="The dataset's status in the table above"),
            "sha256": st.column_config.TextColumn(help="The first 12 hex digits of the file's sha256"),
            "Loaded": st.column_config.CheckboxColumn(help="False for a licensed dataset the user did not supply"),
        },
    )
    st.caption("One row per file of the pinned snapshot (audit.source_files); rows as the manifest records them.")


def checks() -> None:
    st.header("Asset checks")
    frame = query(CHECKS_SQL)
    failed = int((~frame["passed"]).sum())
    st.markdown(
        "Every dbt test (uniqueness, relationships, accepted values, row counts against the manifest, ...) and every "
        "Python check runs as a Dagster asset check on each build; a local build with a failed check is not "
        "published, so a published warehouse normally shows none (warnings excepted). The layer is the first part of "
        "the asset's name."
    )
    by_layer = (
        frame.groupby("layer", as_index=False)
        .agg(
            checks=("check_name", "size"),
            passed=("result", lambda r: (r == "passed").sum()),
            warned=("result", lambda r: (r == "WARNING").sum()),
            failed=("result", lambda r: (r == "FAILED").sum()),
        )
        .rename(
            columns={"layer": "Layer", "checks": "Checks", "passed": "Passed", "warned": "Warnings", "failed": "Failed"}
        )
    )
    layout.table(
        by_layer,
        "Asset checks by layer",
        height="content",
        column_config={name: COUNT for name in ("Checks", "Passed", "Warnings", "Failed")},
    )
    left, right = st.columns(2)
    layer = left.selectbox("Layer", [ALL_LAYERS, *by_layer["Layer"]], key="check_layer")
    failures_only = right.toggle("Show failures and warnings only", value=failed > 0, key="failures_only")
    shown = frame if layer == ALL_LAYERS else frame[frame["layer"] == layer]
    if failures_only:
        shown = shown[~shown["passed"]]
    if shown.empty:
        st.success("No check failed here.", icon=":material/check_circle:")
        return
    layout.table(
        pd.DataFrame(
            {
                "Result": shown["result"],
                "Asset": shown["asset_key"],
                "Check": shown["check_name"],
                "Severity": shown["severity"],
                "Failing rows": shown["failed_rows"],
                "What it measured": shown["description"],
            }
        ),
        "Asset checks",
        column_config={"Failing rows": COUNT, "Check": st.column_config.TextColumn(width="large")},
    )
    st.caption(
        "Failing rows: how many rows the check found failing, where the check counts them (dbt tests do). A warning "
        "(severity WARN) lists known exceptions, such as the intake zones that name a school the latest school list "
        "lacks; the build is published with it. What it measured: the sentence a Python check reports."
    )


def quarantine() -> None:
    st.header("Quarantine")
    st.markdown(
        "A source value that cannot be typed (a headcount of `7x4`, a rate above 100, an unknown marker) or a row "
        "that cannot be keyed to a school is not dropped and does not stop the build: it is kept in "
        "`quarantine.quarantine__rejected_rows` with the file, row and column it came from and the reason."
    )
    rows = query(QUARANTINE_SQL)
    if rows.empty:
        st.success("No rows were quarantined in this build.", icon=":material/check_circle:")
        return
    summary = (
        rows.groupby(["source_model", "reason"], as_index=False)
        .size()
        .rename(columns={"source_model": "Model", "reason": "Reason", "size": "Rows"})
        .sort_values(["Rows", "Model"], ascending=[False, True])
    )
    layout.table(summary, "Quarantined rows by model and reason", height="content", column_config={"Rows": COUNT})
    models = ["All models", *sorted(rows["source_model"].unique())]
    model = st.selectbox("Model", models, key="quarantine_model")
    shown = rows if model == models[0] else rows[rows["source_model"] == model]
    layout.table(
        pd.DataFrame(
            {
                "Model": shown["source_model"],
                "File": shown["source_file"],
                "Row": shown["source_row_number"],
                "Column": shown["source_column"],
                "Value": shown["source_value"],
                "Reason": shown["reason"],
                "Whole row (JSON)": shown["row_json"],
            }
        ),
        "Quarantined rows",
        column_config={"Row": st.column_config.NumberColumn(format="%d", help="Data row of the file (1 = first)")},
    )


st.title("Data quality")
st.markdown(
    "What this warehouse was built from and how far to trust it: the build and what changed in it, how up to date "
    "every source is, the result of every check the build ran, and every source value that was set aside."
)
this_build()
changes()
freshness()
sources()
checks()
quarantine()
