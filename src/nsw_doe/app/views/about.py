"""About: where the data comes from and under which licence, how to run the app, where the methods are written down
(the repository's docs/, named here rather than repeated), how well this build's forecasts did and how often their
ranges held the actual (ml.forecast_method_choice, ml.forecast_interval_coverage), and what the app does not do."""

import streamlit as st

from nsw_doe.app import about_content as content
from nsw_doe.app import layout
from nsw_doe.app.data import query
from nsw_doe.app.forecast_coverage import interval_coverage
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

# This build's figures beside the documents that explain them.
GAPS_SQL = "select weighted_max_gap, unweighted_max_gap from reporting.rpt__overview_finding"
RISK_SQL = """
select metric, value from ml.attendance_model_eval where fold is null and model = 'logistic_regression'
"""


def sources() -> None:
    st.header("Sources and licences")
    datasets = query(DATASETS_SQL, DOE_LICENCE)
    doe = datasets[datasets["licence"] == DOE_LICENCE]
    others = datasets[datasets["licence"] != DOE_LICENCE]
    st.markdown(
        f"""
The NSW Department of Education's data (the {len(doe)} datasets below licensed {DOE_LICENCE}) is © State of New
South Wales (Department of Education), licensed under the Creative Commons Attribution 4.0 licence. Attribute it as
**NSW Department of Education, via Data.NSW**, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).

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


def methods() -> None:
    st.header("How the numbers are computed")
    gaps = query(GAPS_SQL).iloc[0]
    risk = query(RISK_SQL).set_index("metric")["value"]
    st.markdown(content.DOCS_INTRO + "\n" + "\n".join(content.doc_lines(gaps, risk)))


def forecast_method() -> None:
    forecasts = query(FORECAST_SQL, list(SERIES_KINDS))
    first = forecasts.iloc[0]
    st.subheader("This build's forecasts and their backtest")
    st.markdown(content.forecast_summary(first))
    shown = content.forecast_table(forecasts, interval_coverage())
    layout.table(
        shown,
        "Forecast methods, their backtest error and how often their ranges held",
        height="content",
        column_config={
            "MAPE (%)": st.column_config.NumberColumn(format="%.2f"),
            "Naive baseline MAPE (%)": st.column_config.NumberColumn(format="%.2f"),
            "Predictions (1 year ahead)": st.column_config.NumberColumn(format="localized"),
            **{name: st.column_config.NumberColumn(format="%.0f%%") for name in shown.columns if "held" in name},
        },
    )
    st.caption(content.FORECAST_CAPTION)


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
methods()
forecast_method()
limits()
