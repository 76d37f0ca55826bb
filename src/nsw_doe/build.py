"""`nsw-doe build`: run the whole asset graph in-process into a fresh file, then publish it (one build at a time).

A build that fails (an asset, a dbt test, a check) publishes nothing: its file is removed and the last good
warehouse stays published.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from nsw_doe.atomic_files import write_atomically
from nsw_doe.audit import is_warning, write_audit
from nsw_doe.build_diff import BuildDiffRecord, record_build_diff
from nsw_doe.dbt_failures import DbtBuildError
from nsw_doe.defs.quality.freshness import CHECK_NAME as FRESHNESS_CHECK
from nsw_doe.defs.quality.freshness import overdue_phrase
from nsw_doe.destinations import is_motherduck, remote_destination
from nsw_doe.settings import Settings
from nsw_doe.sources.catalog import CatalogError
from nsw_doe.sources.load_checks import RawLoadError
from nsw_doe.sources.readers import SourceFormatError
from nsw_doe.sources.snapshot import SnapshotError
from nsw_doe.table_keys import project_table_keys
from nsw_doe.warehouse import Warehouse


class BuildError(Exception):
    """The build failed; nothing was published."""


@dataclass
class SchemaSummary:
    schema: str
    tables: int
    rows: int


@dataclass
class QuarantineSummary:
    """The rows one model quarantined for one reason, and the first few of them (column, value, file and row)."""

    source_model: str
    reason: str
    rows: int
    examples: list[str] = field(default_factory=list)


@dataclass
class BuildSummary:
    warehouse: str | Path
    schemas: list[SchemaSummary]
    checks_passed: int
    checks_failed: list[str] = field(default_factory=list)  # ERROR checks that failed
    checks_warned: list[str] = field(default_factory=list)  # WARN checks that failed: known exceptions, listed
    materialized: int = 0
    quarantined: list[QuarantineSummary] = field(default_factory=list)
    # asset key -> the one-line `headline` its materialisation reported (the semantic exports, the ML models)
    headlines: dict[str, str] = field(default_factory=dict)
    # Dagster step (raw_snapshot, dbt_models, one per Python asset and check step) -> seconds it took; and
    # build_diff, the comparison with the build it replaces, after the run
    step_seconds: dict[str, float] = field(default_factory=dict)
    # where the publish moved a published file that was not a readable build (the previous build is kept)
    set_aside: str | None = None
    # what a reader of the build must know about it, one line each (a check that warned, with what it measured; a
    # model that no longer beats its baseline)
    warnings: list[str] = field(default_factory=list)
    # the sources whose freshness was checked, and those overdue in a few words each (audit.source_freshness)
    sources_checked: int = 0
    sources_overdue: list[str] = field(default_factory=list)
    # the build against the one it replaces (audit.build_diff) in a line, and its release notes (audit.release_notes)
    diff_headline: str | None = None
    release_notes: list[str] = field(default_factory=list)


class _ProgressHandler(logging.Handler):
    """Forwards Dagster's structured events to a callback (asset materialised, step started, ...)."""

    def __init__(self, on_event: Callable[[dg.DagsterEvent], None]):
        super().__init__()
        self.on_event = on_event

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is not None:
            self.on_event(event)


def _progress_logger(on_event: Callable[[dg.DagsterEvent], None]) -> dg.LoggerDefinition:
    @dg.logger(description="Reports build progress to the CLI.")
    def progress(_init_context) -> logging.Logger:
        log = logging.Logger("nsw_doe.build", level=logging.DEBUG)
        log.addHandler(_ProgressHandler(on_event))
        return log

    return progress


def load_definitions(on_event: Callable[[dg.DagsterEvent], None] | None = None) -> dg.Definitions:
    """The project's definitions, with the dbt manifest freshly parsed."""
    from nsw_doe.dbt_project import prepare
    from nsw_doe.definitions import defs

    prepare()

    definitions = defs()
    if on_event is None:
        return definitions
    return dg.Definitions.merge(definitions, dg.Definitions(loggers={"progress": _progress_logger(on_event)}))


# Errors whose message was written for the user (file, row, column, what was expected): a failed step reports the
# innermost of these rather than the library error it wraps.
_EXPLAINED_ERRORS = {
    cls.__name__ for cls in (SnapshotError, SourceFormatError, CatalogError, RawLoadError, DbtBuildError)
}


def _error_chain(error) -> list:
    chain = [error]
    while chain[-1].cause is not None:
        chain.append(chain[-1].cause)
    return chain


def _step_failure_reason(error, warehouse_dir: Path) -> str:
    """One paragraph for one failed step: a full disk as such, else the innermost explained error, else the root
    cause."""
    chain = _error_chain(error)
    if any(f"[Errno {errno.ENOSPC}]" in e.message or "No space left on device" in e.message for e in chain):
        free = shutil.disk_usage(warehouse_dir if warehouse_dir.exists() else warehouse_dir.parent).free
        return (
            f"the disk holding {warehouse_dir} is full ({free / 2**20:,.0f} MiB free now; a build needs about 1 GiB): "
            "free some space and build again"
        )
    explained = [e for e in chain if e.cls_name in _EXPLAINED_ERRORS]
    error = explained[-1] if explained else chain[-1]
    name, _, text = error.message.partition(": ")  # Dagster writes "module.Class: message"
    return " ".join((text if name.endswith(error.cls_name) else error.message).split())


def _failure_message(result: dg.ExecuteInProcessResult, warehouse_dir: Path) -> str:
    """The reason of each failed step, one line each, then what each failed blocking check measured."""
    lines = [
        f"{event.step_key}: {_step_failure_reason(event.step_failure_data.error, warehouse_dir)}"
        for event in result.all_events
        if event.is_step_failure
    ]
    lines += [
        f"{check.asset_check_key.to_user_string()}: {check.description}"
        for check in _check_evaluations(result)
        if not check.passed and not is_warning(check) and check.description
    ]
    return "\n".join(lines) or "the run failed without a step failure (see --debug)"


def _check_evaluations(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]


QUARANTINE_TABLE = "quarantine.quarantine__rejected_rows"
SUMMARY_NAME = "build_summary.json"


QUARANTINE_EXAMPLES = 3


def _quarantine_example(column: str, value: str | None, file: str, row: int) -> str:
    shown = "blank" if value is None else "'" + value + "'"
    return f"{column} {shown} ({file}, row {row})"


def summarise(database: str) -> tuple[list[SchemaSummary], list[QuarantineSummary]]:
    """Tables and rows per schema, and quarantined rows per source model and reason, with a few examples."""
    with duckdb.connect(database, read_only=not is_motherduck(database)) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
        per_schema: dict[str, SchemaSummary] = {}
        for schema, table in tables:
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            entry = per_schema.setdefault(schema, SchemaSummary(schema, 0, 0))
            entry.tables += 1
            entry.rows += rows
        groups = con.execute(
            "select source_model, reason, count(*), list((source_column, source_value, source_file, source_row_number) "
            f"order by source_file, source_row_number, source_column)[:{QUARANTINE_EXAMPLES}] "
            f"from {QUARANTINE_TABLE} group by 1, 2 order by 1, 2"
        ).fetchall()
        quarantined = [
            QuarantineSummary(model, reason, rows, [_quarantine_example(*example) for example in examples])
            for model, reason, rows, examples in groups
        ]
    return list(per_schema.values()), quarantined


def model_warnings(database: str) -> list[str]:
    """A line for each model of the build that no longer beats its baseline (the verdict the ML stored in
    ml.attendance_model_eval.beats_baseline); none when it does, or when the build has no such table."""
    from nsw_doe.defs.ml.attendance_risk import VERDICT_QUERY, verdict_sentence

    with duckdb.connect(database, read_only=not is_motherduck(database)) as con:
        has_eval = con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = 'ml' and table_name = 'attendance_model_eval'"
        ).fetchone()[0]
        if not has_eval:
            return []
        beats, *numbers = con.execute(VERDICT_QUERY).fetchone()
    return [] if beats else [verdict_sentence(False, *numbers)]


def _execute(
    job: dg.JobDefinition, settings: Settings, database: str, dbt_artifacts: Path, on_event
) -> dg.ExecuteInProcessResult:
    from nsw_doe.defs.resources import run_resources

    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            run_config={"loggers": {"progress": {}}} if on_event else None,
            instance=instance,
            resources=run_resources(settings, database, dbt_artifacts),
            raise_on_error=False,
        )
    if not result.success:
        raise BuildError(
            "The build failed, so nothing was published.\n" + _failure_message(result, settings.warehouse_dir)
        )
    return result


def _summary(
    result: dg.ExecuteInProcessResult,
    settings: Settings,
    database: str,
    warehouse: str | Path,
    replaces: Path | None = None,
) -> BuildSummary:
    """Summarise the run, after writing its audit tables into the build (so the summary counts them too), with its
    diff against the published build it `replaces` (a local build)."""
    checks = _check_evaluations(result)
    write_audit(database, settings, checks)
    started = time.perf_counter()
    diff, diff_warnings = _record_diff(database, replaces)
    diff_seconds = round(time.perf_counter() - started, 2)
    failed = [c.asset_check_key.to_user_string() for c in checks if not c.passed and not is_warning(c)]
    warned = [c.asset_check_key.to_user_string() for c in checks if not c.passed and is_warning(c)]
    schemas, quarantined = summarise(database)
    return BuildSummary(
        warehouse=warehouse,
        schemas=schemas,
        checks_passed=len(checks) - len(failed) - len(warned),
        checks_failed=failed,
        checks_warned=warned,
        materialized=sum(1 for e in result.all_events if e.is_step_materialization),
        quarantined=quarantined,
        headlines=_headlines(result),
        warnings=[
            f"{c.asset_check_key.to_user_string()}: {c.description or 'failed (see audit.asset_checks)'}"
            for c in checks
            if not c.passed and is_warning(c) and c.check_name != FRESHNESS_CHECK
        ]
        + diff_warnings
        + model_warnings(database),
        sources_checked=sum(c.check_name == FRESHNESS_CHECK for c in checks),
        sources_overdue=[overdue_phrase(c) for c in checks if c.check_name == FRESHNESS_CHECK and not c.passed],
        diff_headline=None if diff is None else diff.headline,
        release_notes=[] if diff is None else diff.notes,
        step_seconds={
            e.step_key: round(e.event_specific_data.duration_ms / 1000, 2)
            for e in result.all_events
            if e.event_type_value == "STEP_SUCCESS"
        }
        | ({"build_diff": diff_seconds} if replaces is not None else {}),
    )


def _record_diff(database: str, replaces: Path | None) -> tuple[BuildDiffRecord | None, list[str]]:
    """Store the build's diff against the one it replaces (and its release notes). The diff reports on a good build:
    if it fails, the build is published without it, with a warning saying why."""
    if replaces is None:
        return None, []
    try:
        return record_build_diff(database, replaces, project_table_keys()), []
    except Exception as exc:  # noqa: BLE001 - any failure of the report must not cost the build
        reason = " ".join(str(exc).split())
        return None, [
            f"The comparison with the build this one replaces failed, so it has no diff or release notes: {reason}"
        ]


def _headlines(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """The `headline` metadata of every materialisation that has one, by asset key."""
    headlines = {}
    for event in result.all_events:
        if event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            if (headline := materialization.metadata.get("headline")) is not None:
                headlines[materialization.asset_key.to_user_string()] = str(headline.value)
    return headlines


def run_build(settings: Settings, on_event: Callable[[dg.DagsterEvent], None] | None = None) -> BuildSummary:
    """Build every asset. Locally: into a fresh file, published only if all went well. On MotherDuck: in place."""
    from nsw_doe.defs.jobs import BUILD_JOB_NAME

    remote = remote_destination(settings)  # a missing token fails here, before anything is built or connected
    warehouse = Warehouse(settings.warehouse_dir)
    with warehouse.build_lock():
        job = load_definitions(on_event).resolve_job_def(BUILD_JOB_NAME)
        if remote:
            result = _execute(job, settings, remote.database, warehouse.motherduck_dbt_artifacts, on_event)
            summary = _summary(result, settings, remote.database, remote.database)
        else:
            build_path = warehouse.new_build_path()
            try:
                result = _execute(job, settings, str(build_path), warehouse.dbt_artifacts, on_event)
                summary = _summary(result, settings, str(build_path), warehouse.published, warehouse.published)
                set_aside = warehouse.publish(build_path, manifest=warehouse.dbt_artifacts / "manifest.json")
                summary.set_aside = None if set_aside is None else str(set_aside)
            finally:
                warehouse.discard(build_path)
        write_atomically(
            warehouse.directory / SUMMARY_NAME, json.dumps(asdict(summary), default=str, indent=2).encode()
        )
    return summary
