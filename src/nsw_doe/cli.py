"""`nsw-doe`: build the warehouse, query it, manage the source snapshot, start the Dagster UI."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nsw_doe.settings import installed_script, load_settings, project_dir
from nsw_doe.sources.catalog import FORMATS

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
sources_app = typer.Typer(help="The pinned source snapshot and the live portal.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")

console = Console()
errors = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    _state["debug"] = debug


def friendly_errors(command: Callable) -> Callable:
    """Turn an exception into one clear paragraph and exit code 1 (a traceback only with --debug)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
            if _state["debug"]:
                traceback.print_exc()
            errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


@contextlib.contextmanager
def stderr_to(log) -> Iterator[None]:
    """Send what the libraries write to stderr (dlt's and Dagster's tracebacks, DuckDB's and dbt's own output) to the
    build log, at the file-descriptor level so that handlers made before the build are caught too; the CLI's own
    one-paragraph error goes to the terminal once it is restored."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@app.command()
@friendly_errors
def build() -> None:
    """Build the whole warehouse from the pinned snapshot and publish it."""
    started = time.perf_counter()
    from nsw_doe.build import run_build
    from nsw_doe.progress import BuildProgress

    settings = load_settings()
    log_path = settings.warehouse_dir / "logs" / "build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        BuildProgress(console) as progress,
        log_path.open("w") as log,
        contextlib.redirect_stdout(log),
        stderr_to(log),
    ):
        summary = run_build(settings, on_event=progress.on_event)
    progress.print_summary(summary, log_path, time.perf_counter() - started)


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
@friendly_errors
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run read-only against the published warehouse.")],
    output: Annotated[QueryFormat, typer.Option("--format", help="How to print the rows.")] = QueryFormat.table,
    out_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the rows to this file instead of the terminal.")
    ] = None,
) -> None:
    """Run read-only SQL against the published warehouse. The SQL can read the warehouse and nothing else, and write
    nothing anywhere (COPY, ATTACH and file readers are refused): --output writes the result where you say."""
    from nsw_doe.warehouse import Warehouse

    with Warehouse(load_settings().warehouse_dir).connect_read_only() as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    if out_file is not None and output == QueryFormat.table:
        output = QueryFormat.csv  # a file gets the rows, not a drawing of them
    with contextlib.ExitStack() as stack:
        stream = sys.stdout if out_file is None else stack.enter_context(out_file.open("w", newline=""))
        if output == "csv":
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        elif output == "json":
            stream.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str) + "\n")
        else:
            table = Table(*columns)
            for row in rows:
                table.add_row(*["" if v is None else str(v) for v in row])
            console.print(table)
    if out_file is not None:
        errors.print(f"Wrote {len(rows):,} rows to {out_file}.", highlight=False)


@app.command()
@friendly_errors
def restore() -> None:
    """Publish the previous build again (after a bad build, or when the published file is damaged). The build it
    replaces becomes the previous one, so running it twice undoes it."""
    from nsw_doe.warehouse import Warehouse

    warehouse = Warehouse(load_settings().warehouse_dir)
    set_aside = warehouse.restore()
    if set_aside is not None:
        console.print(f"The unreadable published file was moved to {set_aside}.", highlight=False)
    console.print(f"Restored the previous build: {warehouse.published}", highlight=False)


@app.command()
@friendly_errors
def ui(port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000) -> None:
    """Start the Dagster UI on 127.0.0.1 (assets materialised there write warehouse/dev.duckdb)."""
    from nsw_doe.child_processes import run_server
    from nsw_doe.dbt_project import prepare

    prepare()
    home = load_settings().warehouse_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    instance_config = home / "dagster.yaml"
    if not instance_config.exists():  # no telemetry: the platform makes no request of its own to the internet
        instance_config.write_text("telemetry:\n  enabled: false\n")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    command = [installed_script("dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
    raise typer.Exit(run_server(command, cwd=project_dir(), env=env))


@app.command("app")
@friendly_errors
def report_app(port: Annotated[int, typer.Option(help="Port of the report app.")] = 8501) -> None:
    """Serve the report app (Streamlit) on http://127.0.0.1:PORT, reading the published warehouse read-only."""
    from nsw_doe.app.serve import streamlit_command
    from nsw_doe.child_processes import run_server

    console.print(f"The report app: http://127.0.0.1:{port} (Ctrl+C stops it)")
    raise typer.Exit(run_server(streamlit_command(port), cwd=project_dir()))


@app.command()
@friendly_errors
def docs() -> None:
    """Generate the dbt docs site, docs/ERD.md and docs/bus_matrix.md from the published warehouse."""
    from nsw_doe.dbt_project import prepare
    from nsw_doe.docs import write_docs
    from nsw_doe.warehouse import Warehouse

    warehouse = Warehouse(load_settings().warehouse_dir)
    published = warehouse.require_readable()
    prepare()
    for path in write_docs(published, warehouse.directory / "docs_site"):
        console.print(f"wrote {path}")
    console.print(
        "Browse the dbt docs: uv run dbt docs serve --project-dir transform --target-path "
        f"{warehouse.directory / 'docs_site'}"
    )


@app.command("ci-slim")
@friendly_errors
def ci_slim() -> None:
    """Build only the dbt models changed since the published build, and their children."""
    from nsw_doe.slim_ci import run_slim_ci
    from nsw_doe.warehouse import Warehouse

    ran = run_slim_ci(Warehouse(load_settings().warehouse_dir))
    models = [node for node in ran if node.startswith("model.")]
    console.print(f"Slim CI ran {len(ran)} dbt nodes, {len(models)} of them models: {', '.join(models) or 'none'}")


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


@app.command()
@friendly_errors
def export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A new or empty directory to write into.")],
    file_format: Annotated[ExportFormat, typer.Option("--format", help="The files' format.")] = ExportFormat.parquet,
    force: Annotated[bool, typer.Option("--force", help="Replace DIR if it holds an earlier export.")] = False,
) -> None:
    """Write every mart (and the semantic and ML tables) as Parquet or CSV files with a data dictionary, for tools
    that do not read DuckDB (Tableau, Power BI, Excel)."""
    from nsw_doe.export import DICTIONARY_NAME, export_warehouse
    from nsw_doe.warehouse import Warehouse

    result = export_warehouse(Warehouse(load_settings().warehouse_dir), directory, file_format.value, force=force)
    table = Table("file", "rows")
    for t in result.tables:
        table.add_row(t.file, f"{t.rows:,}")
    console.print(table)
    console.print(
        f"Exported {len(result.tables)} tables to {result.directory}; "
        f"the columns are described in {result.directory / DICTIONARY_NAME}.",
        highlight=False,
    )


class DiffFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command()
@friendly_errors
def diff(
    old: Annotated[Path | None, typer.Argument(help="The older warehouse file (default: the previous build).")] = None,
    new: Annotated[Path | None, typer.Argument(help="The newer warehouse file (default: the published build).")] = None,
    output: Annotated[DiffFormat, typer.Option("--format", help="How to print the diff.")] = DiffFormat.table,
) -> None:
    """Compare two warehouse files table by table on each table's key: schema changes, rows added, removed and
    changed (per column), the largest numeric changes and example keys. Both files are opened read-only."""
    from nsw_doe.diff import diff_files
    from nsw_doe.diff_report import json_report, markdown_report, print_report
    from nsw_doe.table_keys import project_table_keys
    from nsw_doe.warehouse import Warehouse, WarehouseError

    warehouse = Warehouse(load_settings().warehouse_dir)
    if old is None and not warehouse.previous.exists():
        raise WarehouseError(
            f"There is no previous build at {warehouse.previous} to compare with: it appears once a second build is "
            "published (or name the two files: nsw-doe diff OLD NEW)."
        )
    old = old or warehouse.previous
    new = new or warehouse.require_published()
    result = diff_files(old, new, project_table_keys())
    if output == DiffFormat.json:
        sys.stdout.write(json_report(result) + "\n")
    elif output == DiffFormat.markdown:
        sys.stdout.write(markdown_report(result))
    else:
        print_report(console, result)


@app.command()
@friendly_errors
def notes(
    show_all: Annotated[bool, typer.Option("--all", help="Every build's notes: the changelog of the data.")] = False,
) -> None:
    """The release notes of the published build: what its data changed since the build it replaced."""
    from nsw_doe.release_notes import read_notes
    from nsw_doe.warehouse import Warehouse

    with Warehouse(load_settings().warehouse_dir).connect_read_only() as con:
        builds = read_notes(con, latest_only=not show_all)
    for build in builds:
        console.print(f"[bold]{build.title}[/]", highlight=False)
        for sentence in build.sentences:
            console.print(f"- {sentence}", markup=False, highlight=False, soft_wrap=True)


@sources_app.command("list")
@friendly_errors
def sources_list() -> None:
    """List every dataset of the snapshot: vintages, rows and licence."""
    from nsw_doe.sources.catalog import load_manifest

    table = Table("dataset (raw table)", "files", "vintages", "rows", "licence")
    for d in load_manifest(load_settings().manifest_path).datasets:
        vintages = d.vintages[0] if len(d.vintages) == 1 else f"{d.vintages[0]}..{d.vintages[-1]}"
        licence = f"{d.licence}, read from ${d.external_env}" if d.is_external else d.licence
        table.add_row(d.raw_table, str(len(d.files)), vintages, f"{d.rows:,}", licence)
    console.print(table)


@sources_app.command("verify")
@friendly_errors
def sources_verify() -> None:
    """Check every pinned file against its sha256, row count and header, and that the manifest lists every file in
    the snapshot directory."""
    from rich.markup import escape

    from nsw_doe.sources.catalog import load_manifest
    from nsw_doe.sources.snapshot import unlisted_files, verify

    settings = load_settings()
    datasets = load_manifest(settings.manifest_path).datasets
    results = verify(settings, datasets) + unlisted_files(settings, datasets)
    for r in results:
        mark = "[green]ok[/]" if r.ok else "[red]FAIL[/]"
        # One line per file, unwrapped (paths stay whole), and no markup read into the messages' brackets.
        console.print(f"{mark} {escape(f'{r.dataset} {r.path}: {r.message}')}", highlight=False, soft_wrap=True)
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(results)} files failed verification.")
    console.print(f"All {len(results)} files verified.")


@sources_app.command("describe")
@friendly_errors
def sources_describe(
    path: Annotated[Path, typer.Argument(help="The file to pin (plain or gzip-compressed).")],
    vintage: Annotated[str, typer.Option(help="Its vintage: extraction date or years covered.")],
    file_format: Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")] = "csv",
    sheet: Annotated[str | None, typer.Option(help="Where the rows are: the xlsx sheet, the TopoJSON object.")] = None,
) -> None:
    """Print the manifest entry of a new file (sha256, rows, header, encoding), to add under a dataset's files."""
    from dataclasses import asdict

    import yaml

    from nsw_doe.sources.snapshot import describe_file

    entry = {k: v for k, v in asdict(describe_file(path, vintage, file_format, sheet)).items() if v is not None}
    sys.stdout.write(yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, default_flow_style=None, width=120))


@sources_app.command("refresh")
@friendly_errors
def sources_refresh(
    dataset: Annotated[list[str] | None, typer.Option(help="Refresh only these datasets.")] = None,
) -> None:
    """Fetch new vintages from data.nsw.gov.au (CKAN), verify them and add them to the snapshot."""
    from nsw_doe.sources.refresh import refresh

    settings = load_settings()
    outcomes = refresh(settings, only=dataset)
    for o in outcomes:
        colour = {"added": "green", "unchanged": "blue", "skipped": "yellow", "failed": "red"}[o.status]
        console.print(f"[{colour}]{o.status}[/] {o.dataset}: {o.message}", highlight=False)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} dataset(s) failed to refresh: {', '.join(o.dataset for o in failed)}.")


if __name__ == "__main__":
    app()
