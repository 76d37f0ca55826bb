"""What `nsw-doe build` shows while it runs and when it ends."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from nsw_doe.build import QUARANTINE_TABLE, BuildSummary


class BuildProgress:
    """A spinner counting asset materialisations, fed by Dagster events."""

    def __init__(self, console: Console):
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.completed} assets built; {task.description}"),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("starting", total=None)

    def __enter__(self) -> BuildProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def on_event(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type_value
        if kind == "STEP_START":
            self.progress.update(self.task, description=f"running {event.step_key}")
        elif kind == "ASSET_MATERIALIZATION":
            key = event.asset_key.to_user_string()
            self.progress.update(self.task, advance=1, description=f"built {key}")
        elif kind == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            # a warning is listed with what it measured in the summary; a failure stops the build now
            check = event.event_specific_data
            if check.severity == dg.AssetCheckSeverity.ERROR:
                self.console.print(f"[red]check failed[/] {check.asset_check_key.to_user_string()}")

    def print_summary(self, summary: BuildSummary, log_path: Path, elapsed_seconds: float) -> None:
        table = Table("schema", "tables", "rows", title="Warehouse built")
        for s in summary.schemas:
            table.add_row(s.schema, str(s.tables), f"{s.rows:,}")
        self.console.print(table)
        failed = ", ".join(summary.checks_failed)
        self.console.print(
            f"{summary.materialized} assets materialised; checks: {summary.checks_passed} passed, "
            f"{len(summary.checks_warned)} warned (below), {len(summary.checks_failed)} failed"
            + (f" ({failed})" if failed else "")
        )
        held = sum(group.rows for group in summary.quarantined)
        self.console.print(f"Quarantined rows: {held}" + (f" (see {QUARANTINE_TABLE})" if held else ""))
        for group in summary.quarantined:
            more = group.rows - len(group.examples)
            examples = "; ".join(group.examples) + (f"; and {more} more" if more else "")
            self.console.print(f"  {group.source_model}: {group.rows}, {group.reason}: {examples}", markup=False)
        for key, headline in sorted(summary.headlines.items()):
            self.console.print(f"{key}: {headline}", markup=False)
        if summary.diff_headline:
            notes = len(summary.release_notes)
            self.console.print(
                f"{summary.diff_headline} {notes} release note{'s' * (notes != 1)}: nsw-doe notes", markup=False
            )
        if summary.sources_overdue:
            overdue = ", ".join(summary.sources_overdue)
            self.console.print(
                f"Sources overdue, {len(summary.sources_overdue)} of {summary.sources_checked} (the portal has not "
                f"published what their cadence says is due; audit.source_freshness): {overdue}",
                markup=False,
            )
        for warning in summary.warnings:
            self.console.print(f"[bold yellow]warning[/] {escape(warning)}")
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in summary.step_seconds.items())
        self.console.print(f"Elapsed: {elapsed_seconds:.1f} s ({steps}). Build log: {log_path}")
        self.console.print(f"Warehouse: [bold]{summary.warehouse}[/]")
        if summary.set_aside:
            self.console.print(
                f"[yellow]The file published before was not a readable build: it was moved to {summary.set_aside} "
                "(the previous build is kept as it was).[/]",
                highlight=False,
            )
        self.console.print('Query it: nsw-doe query "select * from marts.dim__school where is_current limit 5"')
