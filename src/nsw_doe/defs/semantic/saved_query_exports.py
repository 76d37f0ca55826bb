"""The semantic layer's saved queries as Dagster assets: one table per MetricFlow saved query in schema `semantic`,
rewritten on every build. MetricFlow compiles each saved query in-process from the semantic manifest the dbt
assets just wrote (`semantic_manifest.json` among dbt's artefacts); DuckDB runs the SQL on the run's warehouse. The
logic is in `nsw_doe.semantic`; dbt itself never runs saved queries (its exports are a dbt Cloud feature)."""

import time
from pathlib import Path

import dagster as dg
import duckdb

from nsw_doe.defs.resources import WarehouseResource

SCHEMA = "semantic"
GROUP = "semantic"
# The saved queries of transform/models/semantic/saved_queries.yml (contracts: the report reads these tables). The
# asset fails if the project's saved queries differ, so a new one cannot be left without its table.
SAVED_QUERIES = (
    "metrics_by_year",
    "metrics_by_year_level",
    "metrics_by_year_remoteness",
    "metrics_by_year_directorate",
    "metrics_by_year_lga",
    "metrics_by_year_school",
)
UPSTREAM = [
    dg.AssetKey(["marts", "fct__enrolment"]),
    dg.AssetKey(["marts", "fct__enrolment_by_grade"]),
    dg.AssetKey(["marts", "fct__attendance"]),
    dg.AssetKey(["marts", "fct__composite_class"]),
    dg.AssetKey(["marts", "dim__school"]),
    dg.AssetKey(["marts", "fct__statewide_total"]),
    dg.AssetKey([SCHEMA, "metricflow_time_spine"]),
]


def semantic_manifest_path(warehouse: WarehouseResource) -> Path:
    """The semantic manifest of the dbt run that built this warehouse; failing that (only these assets were
    materialised, say from the UI), the one `dbt parse` wrote for the project."""
    from nsw_doe.dbt_project import dbt_project
    from nsw_doe.semantic.metricflow_runner import SEMANTIC_MANIFEST_NAME

    built = Path(warehouse.dbt_artifacts_dir) / SEMANTIC_MANIFEST_NAME
    if built.exists():
        return built
    return Path(dbt_project().manifest_path).with_name(SEMANTIC_MANIFEST_NAME)


def _attendance_markdown(years) -> str:
    lines = ["| year | state row | weighted | unweighted |", "|---|---|---|---|"]
    for y in years:
        cells = [f"{v:.2f}" if v is not None else "" for v in (y.state_rate, y.weighted, y.unweighted)]
        lines.append(f"| {y.calendar_year} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _largest_gap(years, attribute: str) -> float | None:
    gaps = [
        abs(getattr(y, attribute) - y.state_rate)
        for y in years
        if y.state_rate is not None and getattr(y, attribute) is not None
    ]
    return max(gaps) if gaps else None


@dg.definitions
def saved_query_export_definitions() -> dg.Definitions:
    specs = [
        dg.AssetSpec(
            dg.AssetKey([SCHEMA, name]),
            deps=UPSTREAM,
            group_name=GROUP,
            kinds={"metricflow", "duckdb"},
            description=f"MetricFlow saved query {name} (transform/models/semantic/saved_queries.yml), exported to "
            f"{SCHEMA}.{name} with MetricFlow's column names plus an integer calendar_year.",
        )
        for name in SAVED_QUERIES
    ]

    @dg.multi_asset(specs=specs, name="saved_query_exports", can_subset=False)
    def saved_query_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        from nsw_doe.semantic.exports import attendance_against_state, export_saved_queries
        from nsw_doe.semantic.metricflow_runner import (
            compile_saved_queries,
            group_by_descriptions,
            load_semantic_manifest,
            metric_descriptions,
        )

        started = time.perf_counter()
        manifest_path = semantic_manifest_path(warehouse)
        manifest = load_semantic_manifest(manifest_path)
        declared = sorted(query.name for query in manifest.saved_queries)
        if declared != sorted(SAVED_QUERIES):
            raise ValueError(
                f"The dbt project's saved queries ({', '.join(declared)}) differ from the tables this asset writes "
                f"({', '.join(SAVED_QUERIES)}): update SAVED_QUERIES in {__name__}."
            )
        queries = compile_saved_queries(manifest, SAVED_QUERIES)
        compiled = time.perf_counter()
        descriptions = {**group_by_descriptions(manifest), **metric_descriptions(manifest)}
        with duckdb.connect(warehouse.database) as con:
            tables = export_saved_queries(con, queries, descriptions)
            attendance = attendance_against_state(con)
        seconds = time.perf_counter() - started
        context.log.info(
            f"saved queries: {seconds:.2f} s ({compiled - started:.2f} s loading MetricFlow and compiling) "
            f"from {manifest_path}"
        )

        rows = {table.name: table.rows for table in tables}
        weighted_gap = _largest_gap(attendance, "weighted")
        unweighted_gap = _largest_gap(attendance, "unweighted")
        latest = next((y for y in reversed(attendance) if y.weighted is not None and y.state_rate is not None), None)
        headline = f"{len(tables)} saved queries, {sum(rows.values()):,} rows"
        if latest is not None:
            headline += (
                f"; attendance {latest.calendar_year} weighted {latest.weighted:.2f} vs unweighted "
                f"{latest.unweighted:.2f} (state row {latest.state_rate:.1f})"
            )
        for table in tables:
            metadata = {
                "rows": dg.MetadataValue.int(table.rows),
                "columns": dg.MetadataValue.text(", ".join(table.columns)),
            }
            if table.name == "metrics_by_year":
                metadata |= {
                    "headline": dg.MetadataValue.text(headline),
                    "rows per saved query": dg.MetadataValue.json(rows),
                    "seconds (all saved queries)": dg.MetadataValue.float(round(seconds, 2)),
                    "attendance vs state row": dg.MetadataValue.md(_attendance_markdown(attendance)),
                    "largest gap to the state row, weighted (points)": dg.MetadataValue.float(
                        round(weighted_gap, 3) if weighted_gap is not None else float("nan")
                    ),
                    "largest gap to the state row, unweighted (points)": dg.MetadataValue.float(
                        round(unweighted_gap, 3) if unweighted_gap is not None else float("nan")
                    ),
                    "semantic manifest": dg.MetadataValue.path(str(manifest_path)),
                }
            yield dg.MaterializeResult(asset_key=dg.AssetKey([SCHEMA, table.name]), metadata=metadata)

    return dg.Definitions(assets=[saved_query_exports])
