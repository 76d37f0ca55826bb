"""Freshness of the sources, two ways.

- A Dagster freshness policy on each raw asset, from its dataset's cadence: it says when the asset should last have
  been loaded (after the month an annual edition appears; within quality.yml's limit for a continuous one). Dagster
  evaluates it on materialisation times, and the build reloads the pinned snapshot every time, so it cannot see that
  the snapshot itself is old.
- So a content check, `source_freshness`: the latest period in each raw table against the period that should be out
  by today. WARN: an old source is the truth about the portal, not a fault of the build.
"""

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

import dagster as dg
import duckdb
import pandas as pd

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.freshness import UNREADABLE, Freshness, assess, continuous_max_age, describe, latest_period
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import Dataset, Publication, load_manifest

CHECK_NAME = "source_freshness"
# The columns of audit.source_freshness, in the check's metadata; whole numbers may be null.
FRAME_TYPES = {
    "dataset_id": "string",
    "title": "string",
    "cadence": "string",
    "appears_month": "Int64",
    "latest_period": "string",
    "expected_period": "string",
    "status": "string",
    "editions_behind": "Int64",
    "days_overdue": "Int64",
    "checked_on": "object",  # a date (DuckDB DATE)
}


def freshness_policy(publication: Publication) -> dg.FreshnessPolicy | None:
    """The policy for a raw asset of this cadence: none where no new edition is expected (Dagster then reports
    freshness as not applicable)."""
    if publication.cadence == "continuous":
        return dg.FreshnessPolicy.time_window(fail_window=continuous_max_age())
    if publication.cadence != "annual":
        return None
    # The deadline is the end of the month the edition appears in (midnight on the 1st of the next); a load any time in
    # that month counts.
    month = publication.appears_month
    due_month = month % 12 + 1
    days_in_month = calendar.monthrange(2001, month)[1]
    return dg.FreshnessPolicy.cron(
        deadline_cron=f"0 0 1 {due_month} *", lower_bound_delta=timedelta(days=days_in_month)
    )


def raw_key(dataset: Dataset) -> dg.AssetKey:
    return dg.AssetKey(["raw", dataset.raw_table])


def assess_dataset(con: duckdb.DuckDBPyConnection, dataset: Dataset, today: date) -> Freshness:
    """The dataset's freshness from the periods its raw table covers (its period column, else its files' vintages)."""
    column = dataset.publication.period_column or "_vintage"
    quoted = '"' + column.replace('"', '""') + '"'
    values = con.execute(f"select distinct {quoted}::varchar from raw.{dataset.raw_table}").fetchall()
    return assess(dataset.publication, latest_period(v for (v,) in values), today)


def check_result(
    dataset: Dataset, freshness: Freshness, today: date, description: str | None = None
) -> dg.AssetCheckResult:
    """Passes unless overdue (or unreadable); the metadata holds the row audit.source_freshness records."""
    publication = dataset.publication
    return dg.AssetCheckResult(
        asset_key=raw_key(dataset),
        check_name=CHECK_NAME,
        passed=not freshness.is_overdue and freshness.status != UNREADABLE,
        severity=dg.AssetCheckSeverity.WARN,
        description=description or describe(publication, freshness, today),
        metadata={
            "dataset_id": dataset.id,
            "title": dataset.title,
            "cadence": publication.cadence,
            "appears_month": publication.appears_month,
            "latest_period": freshness.latest_period,
            "expected_period": freshness.expected_period,
            "status": freshness.status,
            "editions_behind": freshness.editions_behind,
            "days_overdue": freshness.days_overdue,
            "checked_on": today.isoformat(),
        },
    )


def assessed(con: duckdb.DuckDBPyConnection, dataset: Dataset, today: date) -> dg.AssetCheckResult:
    """The dataset's check result; a period the rule cannot read is a warning naming it, not a failed build."""
    try:
        return check_result(dataset, assess_dataset(con, dataset, today), today)
    except ValueError as exc:
        column = dataset.publication.period_column or "_vintage"
        return check_result(
            dataset,
            Freshness(None, None, UNREADABLE, None, None),
            today,
            f"raw.{dataset.raw_table}.{column}: {exc}; expected years (2023), year ranges (2004-2023) or dates "
            "(2026-05-05), so its freshness is unknown.",
        )


def overdue_phrase(check: dg.AssetCheckEvaluation) -> str:
    """`attendance (3 editions behind)`: an overdue source in a few words, from its check's metadata."""
    values = {key: value.value for key, value in check.metadata.items()}
    behind = values["editions_behind"]
    late = f"{behind} edition{'s' * (behind != 1)} behind" if behind else f"{values['days_overdue']} days overdue"
    return f"{values['dataset_id']} ({late})"


def freshness_frame(checks: Sequence[dg.AssetCheckEvaluation]) -> pd.DataFrame:
    """One row per dataset (audit.source_freshness) from the metadata of the source_freshness results."""
    rows = [
        {key: value.value for key, value in check.metadata.items()}
        for check in checks
        if check.check_name == CHECK_NAME
    ]
    frame = pd.DataFrame(rows, columns=list(FRAME_TYPES)).astype(FRAME_TYPES)
    frame["checked_on"] = frame["checked_on"].map(date.fromisoformat)
    return frame.sort_values("dataset_id")


@dg.definitions
def freshness_definitions() -> dg.Definitions:
    """One check step over every raw asset (a step per dataset would cost build time for a few queries)."""
    datasets = load_manifest(load_settings().manifest_path).datasets
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=raw_key(d),
            description="The latest period in the data against the one its publication cadence says is out by today.",
        )
        for d in datasets
    ]

    @dg.multi_asset_check(specs=specs, name=CHECK_NAME)
    def source_freshness(warehouse: WarehouseResource):
        today = date.today()
        with duckdb.connect(warehouse.database, read_only=True) as con:
            for dataset in datasets:
                yield assessed(con, dataset, today)

    return dg.Definitions(asset_checks=[source_freshness])
