"""Headcount forecasts as Dagster assets: the rolling-origin backtest, its accuracy per method, and the forecast
(5 years, 80% intervals) with the method the backtest chose for each kind of series. The logic is in
`nsw_doe.ml.forecast`; this module reads the marts and writes schema `ml`."""

import time

import dagster as dg
import duckdb
import pandas as pd

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.ml import forecast as fc
from nsw_doe.table_comments import sql_literal, write_frame

SCHEMA = "ml"
GROUP = "ml"
BACKTEST = dg.AssetKey([SCHEMA, "forecast_backtest"])
ACCURACY = dg.AssetKey([SCHEMA, "forecast_accuracy"])
FORECAST = dg.AssetKey([SCHEMA, "enrolment_forecast"])
UPSTREAM = [dg.AssetKey(["marts", "fct__enrolment"]), dg.AssetKey(["marts", "dim__school"])]

SERIES_KIND_DOC = (
    "statewide, level (level of schooling), directorate (operational directorate), remoteness (ASGS remoteness "
    "area) or school. Schools count in a segment by their current attributes (latest master-dataset vintage)."
)

# Each table: its description, and (name, SQL type, description) for every column, in order.
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "forecast_backtest": (
        "Rolling-origin backtest of the headcount forecasts: for every origin year t from 2012 to the last actual "
        "year minus 1, each method is fitted on years <= t and predicts t+1..t+3. One row per prediction whose "
        "target year has an actual (sum of fct__enrolment.headcount).",
        [
            ("series", "varchar", "Series name: 'statewide', the segment's value, or the school code as text."),
            ("series_kind", "varchar", "Kind of series: " + SERIES_KIND_DOC),
            ("school_code", "integer", "School code for school series; null otherwise."),
            ("method", "varchar", "Forecasting method: naive, linear_trend, damped_trend, prophet, ..."),
            ("origin_year", "integer", "Last actual year the method was fitted on."),
            ("calendar_year", "integer", "Year predicted."),
            ("horizon", "integer", "Years ahead of the origin (calendar_year - origin_year), 1-3."),
            ("actual", "bigint", "Actual headcount of the series that year (suppressed school cells are missing)."),
            ("yhat", "double", "Predicted headcount (floored at zero)."),
        ],
    ),
    "forecast_accuracy": (
        "Accuracy of each forecasting method in the rolling-origin backtest, per series kind and horizon. The "
        "forecast uses, for each kind, the method with the lowest mean MAPE over horizons 1-3.",
        [
            ("series_kind", "varchar", "Kind of series: " + SERIES_KIND_DOC),
            ("method", "varchar", "Forecasting method (naive and linear_trend are the baselines)."),
            ("horizon", "integer", "Years ahead of the origin, 1-3."),
            (
                "mape",
                "double",
                "Mean absolute percentage error, in percent (0-100 scale): mean of |yhat - actual| / actual over "
                "the backtest predictions with an actual above zero.",
            ),
            ("n", "bigint", "Number of predictions the MAPE averages."),
        ],
    ),
    "enrolment_forecast": (
        "Headcount forecast for the 5 years after the last actual year, with an 80% interval, for the state, "
        "each level of schooling, operational directorate and remoteness area, and every school with at least 8 "
        "years of headcount history open in the last actual year. Future years only; each kind of series uses "
        "the method its backtest chose (ml.forecast_accuracy).",
        [
            ("series", "varchar", "Series name: 'statewide', the segment's value, or the school code as text."),
            ("series_kind", "varchar", "Kind of series: " + SERIES_KIND_DOC),
            ("school_code", "integer", "School code for school series; null otherwise."),
            ("calendar_year", "integer", "Forecast year (after the last actual year)."),
            ("yhat", "double", "Forecast headcount."),
            (
                "yhat_lower",
                "double",
                "Lower bound of the 80% interval: Prophet's own, or for other methods the 10th percentile of the "
                "backtest's errors at that horizon (scaled by the series' last actual) added to yhat.",
            ),
            (
                "yhat_upper",
                "double",
                "Upper bound of the 80% interval (Prophet's own, or the 90th percentile of the backtest's errors).",
            ),
            ("method", "varchar", "Method that produced the forecast: the one the backtest chose for this kind."),
        ],
    ),
}

ORDER_BY = {
    "forecast_backtest": "series_kind_order, series, method, origin_year, horizon",
    "forecast_accuracy": "series_kind_order, method_order, method, horizon",
    "enrolment_forecast": "series_kind_order, series, calendar_year",
}


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> int:
    """Replace ml.<name> with `frame` (typed and ordered as TABLES and ORDER_BY say), commented."""
    description, columns = TABLES[name]
    kind_order = ", ".join(sql_literal(k) for k in fc.SERIES_KINDS)
    method_order = ", ".join(sql_literal(m.name) for m in fc.METHODS)
    select = ", ".join(f"cast({column} as {sql_type}) as {column}" for column, sql_type, _ in columns)
    order_by = (
        ORDER_BY[name]
        .replace("series_kind_order", f"list_position([{kind_order}], series_kind)")
        .replace("method_order", f"coalesce(list_position([{method_order}], method), 99)")
    )
    described = [(column, text) for column, _, text in columns]
    return write_frame(con, f"{SCHEMA}.{name}", frame, description, described, select, order_by)


def read_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    return con.execute(fc.ENROLMENT_SQL).df(), con.execute(fc.CURRENT_SEGMENTS_SQL).df()


def _mape_by_method(result: fc.ForecastRun, kind: str) -> str:
    rows = result.accuracy[result.accuracy["series_kind"] == kind]
    parts = []
    for method, group in rows.groupby("method", sort=False):
        by_h = group.set_index("horizon")["mape"]
        parts.append(f"{method} " + "/".join(f"{v:.2f}" for v in by_h.to_numpy()))
    return "; ".join(parts)


@dg.definitions
def forecast_definitions() -> dg.Definitions:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                BACKTEST,
                deps=UPSTREAM,
                group_name=GROUP,
                kinds={"python", "duckdb"},
                description=TABLES["forecast_backtest"][0],
            ),
            dg.AssetSpec(
                ACCURACY,
                deps=[BACKTEST],
                group_name=GROUP,
                kinds={"python", "duckdb"},
                description=TABLES["forecast_accuracy"][0],
            ),
            dg.AssetSpec(
                FORECAST,
                deps=[*UPSTREAM, ACCURACY],
                group_name=GROUP,
                kinds={"python", "prophet", "duckdb"},
                description=TABLES["enrolment_forecast"][0],
            ),
        ],
        name="enrolment_forecast_assets",
        can_subset=False,
    )
    def enrolment_forecast_assets(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        started = time.perf_counter()
        with duckdb.connect(warehouse.database) as con:
            enrolment, segments = read_inputs(con)
            result = fc.run(enrolment, segments)
            con.execute(f"create schema if not exists {SCHEMA}")
            table = result.backtest[result.backtest["horizon"] <= fc.BACKTEST_HORIZON]
            backtest_rows = write_table(con, "forecast_backtest", table)
            accuracy_rows = write_table(con, "forecast_accuracy", result.accuracy)
            forecast_rows = write_table(con, "enrolment_forecast", result.forecast)
        seconds = time.perf_counter() - started
        context.log.info(f"forecasts: {seconds:.1f} s")

        headline = fc.headline(result.accuracy, result.chosen)
        accuracy_md = fc.accuracy_markdown(result.accuracy, result.chosen)
        chosen_md = "\n".join(
            f"- {kind}: **{method}** (MAPE h1-h3 {_mape_by_method(result, kind)})"
            for kind, method in result.chosen.items()
        )
        beaten = [
            f"{kind}: {result.chosen[kind]} beat prophet"
            for kind in fc.SEGMENT_KINDS
            if kind in result.chosen and result.chosen[kind] != "prophet"
        ]
        origins = table["origin_year"]
        yield dg.MaterializeResult(
            asset_key=BACKTEST,
            metadata={
                "rows": dg.MetadataValue.int(backtest_rows),
                "origins": dg.MetadataValue.text(f"{origins.min()}-{origins.max()}"),
                "series per kind (last origin)": dg.MetadataValue.json(
                    table[table["origin_year"] == origins.max()].groupby("series_kind")["series"].nunique().to_dict()
                ),
                "methods": dg.MetadataValue.md(
                    "\n".join(f"- `{m.name}`: {m.description} ({', '.join(m.kinds)})" for m in fc.METHODS)
                ),
                "seconds (read, backtest, forecast, write)": dg.MetadataValue.float(round(seconds, 2)),
                "seconds per method": dg.MetadataValue.json({k: round(v, 2) for k, v in result.seconds.items()}),
                "headline": dg.MetadataValue.text(
                    f"backtest: {backtest_rows:,} predictions, origins {origins.min()}-{origins.max()}, h1-3"
                ),
            },
        )
        yield dg.MaterializeResult(
            asset_key=ACCURACY,
            metadata={
                "rows": dg.MetadataValue.int(accuracy_rows),
                "MAPE by kind, method and horizon": dg.MetadataValue.md(accuracy_md),
                "chosen method per kind": dg.MetadataValue.md(chosen_md),
                "prophet beaten by a simpler method": dg.MetadataValue.text("; ".join(beaten) or "no"),
                "headline": dg.MetadataValue.text(fc.verdict(result.accuracy, result.chosen)),
            },
        )
        future = result.forecast["calendar_year"]
        yield dg.MaterializeResult(
            asset_key=FORECAST,
            metadata={
                "rows": dg.MetadataValue.int(forecast_rows),
                "years": dg.MetadataValue.text(f"{future.min()}-{future.max()}"),
                "series per kind": dg.MetadataValue.json(
                    result.forecast.groupby("series_kind", sort=False)["series"].nunique().to_dict()
                ),
                "method per kind": dg.MetadataValue.json(result.chosen),
                "headline": dg.MetadataValue.text(headline),
            },
        )

    return dg.Definitions(assets=[enrolment_forecast_assets])
