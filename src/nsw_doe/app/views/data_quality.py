"""Data quality: which build this is, how old every source file is, how the build's asset checks went and which
source values were quarantined instead of loaded."""

import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.build_changes import changes, freshness
from nsw_doe.app.data import query

ALL_LAYERS = "All layers"
COUNT = layout.COUNT_COLUMN

SOURCES_SQL = """
select dataset_title, dataset_id, vintage, rows, licence, left(sha256, 12) as sha256, loaded, file_path
from audit.source_files
order by dataset_id, vintage desc, file_path
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
