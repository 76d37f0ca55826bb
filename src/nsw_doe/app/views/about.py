"""About: where the data comes from and under which licence, how to run the app, how its numbers are computed (the
numbers quoted are read from this build), and what the app does not do."""

import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.attendance_series import attendance_series, largest_gaps
from nsw_doe.app.data import query
from nsw_doe.ml.forecast import SERIES_KINDS

DOE_LICENCE = "CC-BY-4.0"
DATASET_COLUMNS = {
    "dataset_title": "Dataset",
    "vintages": "Vintages",
    "files": "Files",
    "rows": "Rows",
    "licence": "Licence",
    "portal_page": "Portal page",
    "attribution": "Attribution",
    "publisher": "Publisher",
    "loaded": "Loaded",
    "dataset_id": "Dataset id",
}

DATASETS_SQL = """
select
    dataset_title,
    publisher,
    licence,
    attribution,
    coalesce(portal_page, '') as portal_page,
    string_agg(distinct vintage, ', ' order by vintage) as vintages,
    count(*) as files,
    sum(rows) as rows,
    bool_and(loaded) as loaded,
    dataset_id
from audit.source_files
group by dataset_id, dataset_title, publisher, licence, attribution, portal_page
order by licence != ?, dataset_title
"""

SCHOOL_HISTORY_SQL = """
select
    count(distinct school_code) filter (where school_code != -1) as schools,
    count(*) filter (where school_code != -1) as versions,
    count(distinct school_code) filter (where is_inferred) as inferred
from marts.dim__school
"""

YEARS_SQL = """
select 'headcount' as fact, min(calendar_year) as first_year, max(calendar_year) as last_year
from marts.fct__enrolment
union all
select 'fte', min(calendar_year), max(calendar_year)
from marts.fct__enrolment_by_grade
"""

# Each kind of series and the method its backtest chose (ml.forecast_method_choice), beside the naive baseline's
# score over horizons 1-3.
FORECAST_SQL = """
select
    chosen.series_kind,
    chosen.method,
    chosen.mean_mape as mape,
    naive.mean_mape as naive_mape,
    accuracy.n as predictions,
    (select min(origin_year) from ml.forecast_backtest) as first_origin,
    (select max(origin_year) from ml.forecast_backtest) as last_origin,
    (select min(calendar_year) from ml.enrolment_forecast) as first_forecast_year,
    (select max(calendar_year) from ml.enrolment_forecast) as last_forecast_year
from ml.forecast_method_choice as chosen
left join ml.forecast_method_choice as naive on naive.series_kind = chosen.series_kind and naive.method = 'naive'
left join ml.forecast_accuracy as accuracy
    on accuracy.series_kind = chosen.series_kind and accuracy.method = chosen.method and accuracy.horizon = 1
where chosen.chosen
order by list_position(?, chosen.series_kind)
"""

RISK_SQL = """
select
    evaluation.model,
    evaluation.metric,
    evaluation.value,
    (select max(calendar_year) from ml.attendance_risk) as label_year,
    (select count(*) from ml.attendance_risk) as schools,
    (select count(distinct fold) from ml.attendance_model_eval) as folds
from ml.attendance_model_eval as evaluation
where evaluation.fold is null
"""


def sources() -> None:
    st.header("Sources and licences")
    datasets = query(DATASETS_SQL, DOE_LICENCE)
    doe = datasets[datasets["licence"] == DOE_LICENCE]
    others = datasets[datasets["licence"] != DOE_LICENCE]
    st.markdown(
        f"""
The NSW Department of Education's data (the {len(doe)} datasets below licensed {DOE_LICENCE}) is © State of New
South Wales (Department of Education), licensed under the Creative Commons Attribution 4.0 licence. Attribute it as:

> **NSW Department of Education, via Data.NSW**, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)

The files were read from a pinned snapshot of public copies; each dataset's page on the portal is listed below
(as text: the app fetches nothing from the internet).
"""
    )
    for (licence, attribution), group in others.groupby(["licence", "attribution"]):
        titles = ", ".join(group["dataset_title"])
        if group["loaded"].all():
            st.markdown(
                f"**{titles}** ({group['publisher'].iloc[0]}) are used under **{licence}**, not CC BY: attribute "
                f"them as *{attribution}*. They are read from a directory the user supplies (`NSW_DOE_ACARA_DIR`) "
                "and never copied into the repository; do not redistribute what this app shows of them beyond "
                "what those terms allow."
            )
        else:
            st.markdown(
                f"**{titles}** ({licence}) were not supplied to this build, so nothing from them is shown. With "
                "the workbooks, point `NSW_DOE_ACARA_DIR` at their directory and build again."
            )
    layout.table(
        datasets.rename(columns=DATASET_COLUMNS)[list(DATASET_COLUMNS.values())],
        "Datasets",
        height="content",
        column_config={
            "Rows": st.column_config.NumberColumn(format="localized"),
            "Portal page": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Every file's vintage, age, rows and checksum are on the Data quality page. A blank portal page: the "
        "dataset's page on the portal is not known (the manifest, data/sources/manifest.yml, says where each file "
        "came from)."
    )


def running() -> None:
    st.header("Running it yourself")
    st.markdown(
        """
```bash
make run                      # build the warehouse from the pinned snapshot (about a minute)
make app                      # this app on http://127.0.0.1:8501 (APP_PORT=... to change the port)
uv run nsw-doe app --port 8502
uv run nsw-doe query "select * from semantic.metrics_by_year order by calendar_year"
```

The app reads the published warehouse (`warehouse/nsw_doe.duckdb`, or `$NSW_DOE_WAREHOUSE_DIR`) read-only. A new
build is picked up on the next click, without restarting the app. Every chart and table offers its data as CSV.
"""
    )


def attendance_method() -> None:
    series = attendance_series()
    weighted_gap, unweighted_gap = largest_gaps(series)
    first, last = int(series["calendar_year"].min()), int(series["calendar_year"].max())
    st.subheader("Attendance: weighted by headcount")
    st.markdown(
        f"""
A state attendance rate is the share of all student-days attended, so each school's rate counts in proportion to
its students: the sum of rate x headcount over the schools that reported both, divided by their headcount. From
{first} to {last} this lands within **{weighted_gap:.2f} points** of the state figure the department publishes in
the same file, every year; the plain mean of school rates misses it by up to **{unweighted_gap:.2f} points**. Both
are in `semantic.metrics_by_year` (`attendance_rate`, `attendance_rate_unweighted`); the Attendance page compares
them year by year.
"""
    )


def enrolment_method() -> None:
    years = query(YEARS_SQL).set_index("fact")
    headcount, fte = years.loc["headcount"], years.loc["fte"]
    st.subheader("Enrolments: headcount and FTE")
    st.markdown(
        f"""
**Headcount** ({headcount.first_year}-{headcount.last_year}) counts students: one student is one, whatever their
load. **FTE** (full-time equivalent, {fte.first_year}-{fte.last_year}, by grade) counts load: a part-time student
counts as a fraction. They answer different questions and are never added together. A suppressed headcount (too
few students to publish) is missing, never zero: it adds nothing to a sum.
"""
    )


def school_history_method() -> None:
    history = query(SCHOOL_HISTORY_SQL).iloc[0]
    editions = query("select count(*) from audit.source_files where dataset_id = 'master_dataset'").iat[0, 0]
    st.subheader("Schools over time: attributes of that year")
    st.markdown(
        f"""
The department republishes its school list (the master dataset) from time to time; this build reads
the {editions} editions of it in the snapshot. `marts.dim__school` keeps a **type-2 history**: a new version of a school
whenever its attributes (remoteness, directorate, ICSEA, level, ...) change, each valid from one date to the next
({layout.count(history.versions)} versions of {layout.count(history.schools)} schools, including
{layout.count(history.inferred)} known only from the enrolment or attendance files). A fact of year Y points to the
version valid on 1 July of Y, or the nearest one (the first list, from 2018, for earlier years). So a number grouped by
remoteness or directorate uses **the attributes of that year**: a school that moved directorate counts in its old
one before the move.
"""
    )


def forecast_method() -> None:
    forecasts = query(FORECAST_SQL, list(SERIES_KINDS))
    first = forecasts.iloc[0]
    school = forecasts[forecasts["series_kind"] == "school"]
    st.subheader("Enrolment forecasts and their backtest")
    st.markdown(
        f"""
Headcount is forecast for {first.first_forecast_year}-{first.last_forecast_year} for the state, each level,
directorate and remoteness area, and each school with enough history. Each kind of series uses the method that
predicted best in a **rolling-origin backtest**: from every origin year {first.first_origin}-{first.last_origin},
each method is fitted on the years up to the origin and predicts the next three, which are then compared with what
happened (MAPE: the mean absolute error in percent of the actual). The **naive baseline** (next year = this
year) is one of the candidates, so a method is chosen only where it beats it.
"""
    )
    if not school.empty and school["method"].iloc[0] == "naive":
        st.markdown(
            "For schools nothing beat the naive baseline: a school's recent trend does not persist well enough, "
            "so a school's forecast is its last headcount, with an interval from how far schools moved in the backtest "
            "(its measured coverage is on the Enrolments page, from `ml.forecast_interval_coverage`)."
        )
    layout.table(
        forecasts[["series_kind", "method", "mape", "naive_mape", "predictions"]].rename(
            columns={
                "series_kind": "Series",
                "method": "Method chosen",
                "mape": "MAPE (%)",
                "naive_mape": "Naive baseline MAPE (%)",
                "predictions": "Predictions (1 year ahead)",
            }
        ),
        "Forecast methods and their backtest error",
        height="content",
        column_config={
            "MAPE (%)": st.column_config.NumberColumn(format="%.2f"),
            "Naive baseline MAPE (%)": st.column_config.NumberColumn(format="%.2f"),
            "Predictions (1 year ahead)": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption("MAPE averaged over 1, 2 and 3 years ahead (ml.forecast_accuracy).")


def risk_method() -> None:
    evaluation = query(RISK_SQL)
    scores = evaluation.pivot_table(index="model", columns="metric", values="value")
    first = evaluation.iloc[0]
    model, baseline, gap = (scores.loc[name] for name in ("logistic_regression", "baseline", "baseline_gap"))
    st.subheader("Attendance risk model")
    st.markdown(
        f"""
A school-level early-warning score: the probability that a school's attendance in {first.label_year} falls below
the state's (weighted) rate, from what was known before that year (its earlier attendance, ICSEA, remoteness,
level, size, and its shares of Indigenous and LBOTE students). A logistic regression, scored with
{first.folds}-fold cross-validation: every score comes from a model that did not see the school. Over
{layout.count(first.schools)} schools its **ROC AUC is {model.roc_auc:.3f}** (1 is perfect, 0.5 a coin toss) and
its Brier score {model.brier:.3f} (lower is better), against {baseline.roc_auc:.3f} and {baseline.brier:.3f} for
the **baseline** "last year below the state rate: yes or no", and an AUC of {gap.roc_auc:.3f} for last year's gap
to the state rate alone. Attendance is persistent: most of what the model knows is last year's standing. It flags
schools to look at; it is not a verdict on a school (`ml.attendance_risk`, `ml.attendance_model_eval`).
"""
    )


def limits() -> None:
    st.header("What this app does not do")
    st.markdown(
        """
- **No telemetry, and no external requests.** It serves on 127.0.0.1 only, with Streamlit's usage statistics off;
  the pages load no external fonts, images or scripts, and the warehouse is opened read-only with DuckDB's access
  to other files and URLs switched off.
- **The map's basemap is optional, and off unless asked for.** The maps draw the schools over an outline of NSW that
  ships with the app (Natural Earth, public domain). Whoever runs the app can set `NSW_DOE_BASEMAP=on` for a street
  basemap (CARTO's tiles, fetched from the internet by each reader's browser).
- **No personal data.** Every number is the department's published school or state figure, or computed from them;
  suppressed values stay suppressed, never filled in.
- **No live data.** It shows the pinned snapshot this build read (see the sources' ages on the Data quality page);
  `nsw-doe sources refresh` fetches newer files from the portal, and the next build shows them.
"""
    )


st.title("About")
st.markdown(
    "An explorer of the NSW Department of Education's open data on public schools: enrolments, attendance, "
    "composite classes and the school list over time, built into a DuckDB warehouse by an open-source data "
    "platform (dlt, dbt, Dagster, MetricFlow) and shown here with Streamlit."
)
sources()
running()
st.header("How the numbers are computed")
attendance_method()
enrolment_method()
school_history_method()
forecast_method()
risk_method()
limits()
