"""Headcount forecasts as Dagster assets: the rolling-origin backtest, its accuracy per method, the method chosen
for each kind of series, the measured coverage of the intervals, and the forecast (5 years, 80% intervals). The
logic is in `nsw_doe.ml.forecast` (frames in, frames out); this module reads the marts and the reporting layer (its
SQL), writes schema `ml` and says what the tables hold (descriptions, headlines)."""

import time

import dagster as dg
import duckdb
import pandas as pd

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.ml import forecast as fc
from nsw_doe.table_comments import registry_table, registry_typed_columns, sql_literal, write_frame

SCHEMA = "ml"
GROUP = "ml"
BACKTEST = dg.AssetKey([SCHEMA, "forecast_backtest"])
ACCURACY = dg.AssetKey([SCHEMA, "forecast_accuracy"])
CHOICE = dg.AssetKey([SCHEMA, "forecast_method_choice"])
COVERAGE = dg.AssetKey([SCHEMA, "forecast_interval_coverage"])
FORECAST = dg.AssetKey([SCHEMA, "enrolment_forecast"])
NEWER_EVIDENCE = dg.AssetKey([SCHEMA, "forecast_newer_evidence"])
UPSTREAM = [dg.AssetKey(["marts", "fct__enrolment"]), dg.AssetKey(["reporting", "rpt__school_current"])]
SCHOOL_FTE = dg.AssetKey(["reporting", "rpt__school_fte"])

# One row per school and year (headcount null when suppressed or invalid).
ENROLMENT_SQL = """
select school_code, calendar_year, headcount
from marts.fct__enrolment
order by school_code, calendar_year
"""

CURRENT_SEGMENTS_SQL = """
-- Each school's current segment: its latest version (reporting.rpt__school_current, the one definition of it): the
-- current one for a school in today's school list, the last one that listed a closed school. Schools known only from
-- fact files (closed before the first school list, 2018) have none and belong to no segment.
select
    school_code,
    level_of_schooling,
    operational_directorate,
    asgs_remoteness,
    -- In the latest school list: a school that is not has closed (or merged) since, and is not forecast.
    is_current
from reporting.rpt__school_current
where not is_inferred
order by school_code
"""

# The school list's FTE per school and the census year it counts (the newer evidence a school's forecast is held
# against).
FTE_SQL = """
select school_code, fte_year, vintage_date, fte
from reporting.rpt__school_fte
order by school_code, fte_year
"""

# The tables this asset writes are described (with each column's SQL type) in
# transform/models/sources/_python_tables.yml.
ORDER_BY = {
    "forecast_backtest": "series_kind_order, series, method, origin_year, horizon",
    "forecast_accuracy": "series_kind_order, method_order, method, horizon",
    "forecast_method_choice": "series_kind_order, rank",
    "forecast_interval_coverage": "series_kind_order, method_order, method, horizon",
    "enrolment_forecast": "series_kind_order, series, calendar_year",
    "forecast_newer_evidence": "school_code, calendar_year",
}


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> int:
    """Replace ml.<name> with `frame` (typed as the registry and ordered as ORDER_BY say), commented."""
    description, _ = registry_table(SCHEMA, name)
    columns = registry_typed_columns(SCHEMA, name)
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
    return con.execute(ENROLMENT_SQL).df(), con.execute(CURRENT_SEGMENTS_SQL).df()


def _mape_by_method(result: fc.ForecastRun, kind: str) -> str:
    rows = result.accuracy[result.accuracy["series_kind"] == kind]
    parts = []
    for method, group in rows.groupby("method", sort=False):
        by_h = group.set_index("horizon")["mape"]
        parts.append(f"{method} " + "/".join(f"{v:.2f}" for v in by_h.to_numpy()))
    return "; ".join(parts)


def mape_of(accuracy_table: pd.DataFrame, kind: str, method: str, horizon: int) -> float:
    match = accuracy_table[
        (accuracy_table["series_kind"] == kind)
        & (accuracy_table["method"] == method)
        & (accuracy_table["horizon"] == horizon)
    ]
    return float(match["mape"].iloc[0]) if len(match) else float("nan")


def accuracy_markdown(accuracy_table: pd.DataFrame, chosen: dict[str, str]) -> str:
    """MAPE per kind and method at each backtest horizon, as a Markdown table (the chosen method in bold)."""
    horizons = sorted(accuracy_table["horizon"].unique())
    lines = [
        "| series kind | method | " + " | ".join(f"MAPE h{h}" for h in horizons) + " | n (h1) |",
        "|---|---|" + "---:|" * (len(horizons) + 1),
    ]
    for (kind, method), group in accuracy_table.groupby(["series_kind", "method"], sort=False):
        by_h = group.set_index("horizon")
        name = f"**{method}**" if chosen.get(kind) == method else method
        cells = " | ".join(f"{by_h.loc[h, 'mape']:.2f}%" if h in by_h.index else "" for h in horizons)
        n = int(by_h.loc[horizons[0], "n"]) if horizons[0] in by_h.index else 0
        lines.append(f"| {kind} | {name} | {cells} | {n:,} |")
    return "\n".join(lines)


def verdict(choice: pd.DataFrame) -> str:
    """One line: where Prophet stands against the method chosen, by mean MAPE over horizons 1-3."""
    parts = []
    for kind, rows in choice.groupby("series_kind", sort=False):
        score = rows.set_index("method")["mean_mape"]
        if "prophet" not in score.index:
            continue
        method = rows.loc[rows["chosen"], "method"].iat[0]
        if method == "prophet":
            parts.append(f"{kind}: prophet best ({score['prophet']:.2f}%)")
        else:
            parts.append(f"{kind}: {method} {score[method]:.2f}% beats prophet {score['prophet']:.2f}%")
    return "mean MAPE h1-3 - " + "; ".join(parts)


def headline(accuracy_table: pd.DataFrame, chosen: dict[str, str]) -> str:
    """One line: the method per kind and its MAPE at horizon 1, against the naive baseline."""
    parts = []
    for kind, method in chosen.items():
        mape = mape_of(accuracy_table, kind, method, 1)
        if method == "naive":
            parts.append(f"{kind}: naive {mape:.1f}%")
        else:
            parts.append(f"{kind}: {method} {mape:.1f}% (naive {mape_of(accuracy_table, kind, 'naive', 1):.1f}%)")
    return "forecast MAPE h1 - " + "; ".join(parts)


def coverage_headline(coverage: pd.DataFrame, chosen: dict[str, str]) -> str:
    """One line: the measured coverage of the chosen method's 80% intervals per kind at horizons 1/2/3."""
    parts = []
    for kind, method in chosen.items():
        rows = coverage[(coverage["series_kind"] == kind) & (coverage["method"] == method)]
        cells = "/".join(f"{100 * v:.0f}" for v in rows["covered"])
        parts.append(f"{kind} {cells}% (n {'/'.join(str(int(n)) for n in rows['n'])})")
    return "80% intervals cover, out of sample h1/h2/h3 - " + "; ".join(parts)


def _spec(key: dg.AssetKey, deps: list, kinds: set[str] | None = None) -> dg.AssetSpec:
    """One table of the forecast asset, described as the registry describes it."""
    return dg.AssetSpec(
        key,
        deps=deps,
        group_name=GROUP,
        kinds=kinds or {"python", "duckdb"},
        description=registry_table(SCHEMA, key.path[-1])[0],
    )


@dg.definitions
def forecast_definitions() -> dg.Definitions:
    @dg.multi_asset(
        specs=[
            _spec(BACKTEST, UPSTREAM),
            _spec(ACCURACY, [BACKTEST]),
            _spec(CHOICE, [ACCURACY]),
            _spec(COVERAGE, [BACKTEST]),
            _spec(FORECAST, [*UPSTREAM, CHOICE, COVERAGE], kinds={"python", "prophet", "duckdb"}),
            _spec(NEWER_EVIDENCE, [FORECAST, SCHOOL_FTE]),
        ],
        name="enrolment_forecast_assets",
        can_subset=False,
    )
    def enrolment_forecast_assets(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        started = time.perf_counter()
        with duckdb.connect(warehouse.database) as con:
            enrolment, segments = read_inputs(con)
            result = fc.run(enrolment, segments)
            evidence = fc.newer_evidence(result.forecast, con.execute(FTE_SQL).df())
            con.execute(f"create schema if not exists {SCHEMA}")
            table = result.backtest[result.backtest["horizon"] <= fc.BACKTEST_HORIZON]
            backtest_rows = write_table(con, "forecast_backtest", table)
            accuracy_rows = write_table(con, "forecast_accuracy", result.accuracy)
            choice_rows = write_table(con, "forecast_method_choice", result.choice)
            coverage_rows = write_table(con, "forecast_interval_coverage", result.coverage)
            forecast_rows = write_table(con, "enrolment_forecast", result.forecast)
            evidence_rows = write_table(con, "forecast_newer_evidence", evidence)
        seconds = time.perf_counter() - started
        context.log.info(f"forecasts: {seconds:.1f} s")

        accuracy_md = accuracy_markdown(result.accuracy, result.chosen)
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
                "headline": dg.MetadataValue.text(verdict(result.choice)),
            },
        )
        yield dg.MaterializeResult(
            asset_key=CHOICE,
            metadata={
                "rows": dg.MetadataValue.int(choice_rows),
                "method per kind": dg.MetadataValue.json(result.chosen),
            },
        )
        yield dg.MaterializeResult(
            asset_key=COVERAGE,
            metadata={
                "rows": dg.MetadataValue.int(coverage_rows),
                "headline": dg.MetadataValue.text(coverage_headline(result.coverage, result.chosen)),
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
                "headline": dg.MetadataValue.text(headline(result.accuracy, result.chosen)),
            },
        )

        another_way = evidence[evidence["points_another_way"]]
        yield dg.MaterializeResult(
            asset_key=NEWER_EVIDENCE,
            metadata={
                "rows": dg.MetadataValue.int(evidence_rows),
                "schools whose FTE points another way, by year and direction": dg.MetadataValue.json(
                    {
                        f"{year} {direction}": len(rows)
                        for (year, direction), rows in another_way.groupby(["calendar_year", "direction"])
                    }
                ),
                "headline": dg.MetadataValue.text(
                    f"newer evidence: {another_way['school_code'].nunique():,} of "
                    f"{evidence['school_code'].nunique():,} forecast schools have a school-list FTE outside "
                    "their forecast's 80% interval"
                ),
            },
        )

    return dg.Definitions(assets=[enrolment_forecast_assets])
