"""Anomaly checks (severity WARN: the build publishes, and the summary, the UI and the report app show the warning).

Build over build against the published warehouse (every mart's rows; each year and segment of the key metrics) and,
within the build, each year of the state series against its history (nsw_doe.anomalies). One step for all of them:
it runs once the marts and the semantic tables are built."""

import json
from pathlib import Path

import dagster as dg
import duckdb

from nsw_doe.anomalies import PUBLISHED, history, mart_rows, metric_changes
from nsw_doe.dbt_project import dbt_project
from nsw_doe.defs.resources import SettingsResource, WarehouseResource
from nsw_doe.destinations import is_motherduck
from nsw_doe.quality_checks import Verdict, asset_key
from nsw_doe.quality_config import load_quality_config
from nsw_doe.table_comments import sql_literal
from nsw_doe.table_keys import project_table_keys
from nsw_doe.warehouse import Warehouse, unreadable_reason

WARN = dg.AssetCheckSeverity.WARN
MART_ROWS = "rows_since_published"
METRICS = "metrics_since_published"
HISTORY = "yearly_history"


def mart_tables() -> list[str]:
    """marts.<model> for every model of the dbt project's marts layer."""
    nodes = json.loads(Path(dbt_project().manifest_path).read_text())["nodes"].values()
    return sorted(f"marts.{n['name']}" for n in nodes if n["resource_type"] == "model" and n["schema"] == "marts")


def _spec(name: str, table: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset_key(table), description=description)


@dg.definitions
def anomaly_checks() -> dg.Definitions:
    dbt_project().prepare_if_dev()
    config = load_quality_config().anomalies
    marts = mart_tables()
    specs = (
        [_spec(MART_ROWS, t, "The mart's rows against the published build's (quality.yml limits).") for t in marts]
        + [
            _spec(METRICS, t, "Each published year and segment of the key metrics against this build's.")
            for t in config.since_published.metrics.tables
        ]
        + [_spec(HISTORY, config.history.table, "Each year's change against the series' history (robust z-score).")]
    )

    @dg.multi_asset_check(specs=specs, name="anomalies")
    def anomalies(warehouse: WarehouseResource, settings: SettingsResource):
        rules = load_quality_config().anomalies
        keys = project_table_keys()
        published = Warehouse(settings.get().warehouse_dir).published
        with duckdb.connect(warehouse.database, read_only=True) as con:
            yield history(con, rules.history).result(asset_key(rules.history.table), HISTORY, WARN)
            if is_motherduck(warehouse.database):  # built in place: the local published file is another warehouse
                unreadable = "a MotherDuck build replaces its database in place"
            elif not published.exists():
                unreadable = "nothing has been published yet"
            else:
                unreadable = unreadable_reason(published)
            if unreadable is None:
                con.execute(f"attach {sql_literal(str(published))} as {PUBLISHED} (read_only)")
            for table in marts:
                verdict = _nothing_to_compare(unreadable) or mart_rows(con, table, rules.since_published.mart_rows)
                yield verdict.result(asset_key(table), MART_ROWS, WARN)
            for table in rules.since_published.metrics.tables:
                verdict = _nothing_to_compare(unreadable) or metric_changes(
                    con, table, keys.key(table), rules.since_published.metrics
                )
                yield verdict.result(asset_key(table), METRICS, WARN)

    return dg.Definitions(asset_checks=[anomalies])


def _nothing_to_compare(unreadable: str | None) -> Verdict | None:
    if unreadable is None:
        return None
    return Verdict(True, f"No published build to compare with: {unreadable}.")
