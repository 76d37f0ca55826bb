"""`make bench`: median wall time and peak memory of `nsw-doe build`, of `dbt build` alone (every model and test,
on a warehouse whose raw schema is loaded), and of a bare DuckDB load of the snapshot, to compare against; and the
median time of each step inside the builds (the raw load, dbt, and each Python asset: the semantic exports and the
ML models), read from the build summary each build writes.

Each run is a fresh process; memory is the peak of the summed RSS of its whole process tree (the build starts
dbt as a child process), sampled every 20 ms. A developer tool (it needs psutil, a dev dependency), kept outside the
installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil

from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import load_manifest
from nsw_doe.warehouse import Warehouse

# The steps every build has (the raw load and dbt); the others are the Python assets downstream of the marts.
FIXED_STEPS = {"raw_snapshot", "dbt_models"}


def bare_load(database: Path) -> None:
    """Load every pinned file into DuckDB as text with DuckDB's own readers: the floor a build is compared to."""
    settings = load_settings()
    with duckdb.connect(str(database)) as con:
        for dataset in load_manifest(settings.manifest_path).datasets:
            for i, source in enumerate(f for f in dataset.files if not dataset.is_external):
                path = str(settings.snapshot_dir / source.path)
                table = f'"{dataset.raw_table}_{i}"'
                if source.format == "csv":
                    # DuckDB's reader knows utf-8 (BOM or not) and latin-1, which stands in for cp1252 here.
                    encoding = {"utf-8-sig": "utf-8", "cp1252": "latin-1"}.get(source.encoding, source.encoding)
                    con.execute(
                        f"create table {table} as select * from read_csv(?, header = true, all_varchar = true, "
                        "delim = ',', quote = '\"', strict_mode = false, encoding = ?)",
                        [path, encoding],
                    )
                elif source.format == "ckan_datastore_dump":
                    con.execute(f"create table {table} as select unnest(records) as r from read_json(?)", [path])
                else:  # TopoJSON and dBase, which DuckDB has no reader for: their bytes, as the floor
                    con.execute(f"create table {table} as select content from read_blob(?)", [path])


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak summed RSS (bytes) of a command and its descendants."""
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bare-load", metavar="DATABASE", help="only load the snapshot into DATABASE (one run)")
    parser.add_argument("--app-only", action="store_true", help="only time the report app, on the published warehouse")
    parser.add_argument("--no-app", action="store_true", help="time the builds only, not the report app")
    args = parser.parse_args()
    if args.bare_load:
        bare_load(Path(args.bare_load))
        return
    from app_timings import print_app_timings, time_app

    if args.app_only:
        print_app_timings(time_app(load_settings().warehouse_dir, args.runs), args.runs)
        return
    # Imported here, not at the top: the bare-load runs of this script must stay light.
    from nsw_doe.build import SUMMARY_NAME
    from nsw_doe.dbt_project import DBT_EXECUTABLE, DUCKDB_PATH_ENV, dbt_args

    results: dict[str, list[tuple[float, int]]] = {"nsw-doe build": [], "dbt build": [], "bare DuckDB load": []}
    dbt = [DBT_EXECUTABLE, *dbt_args("build")]
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "NSW_DOE_WAREHOUSE_DIR": scratch}
        for run in range(args.runs):
            results["nsw-doe build"].append(measure([sys.executable, "-m", "nsw_doe.cli", "build"], env))
            summary = json.loads((Path(scratch) / SUMMARY_NAME).read_text())
            for step, seconds in summary["step_seconds"].items():
                steps.setdefault(step, []).append(seconds)
            python_steps = [s for step, s in summary["step_seconds"].items() if step not in FIXED_STEPS]
            steps.setdefault("semantic exports + ML", []).append(sum(python_steps))
            # One path for every run: dbt's partial parse holds while the profile (the path) is unchanged, as when
            # a developer rebuilds, so every run after the first measures dbt's build, not a full parse.
            dbt_database = Path(scratch) / "dbt.duckdb"
            shutil.copy(Warehouse(Path(scratch)).published, dbt_database)
            results["dbt build"].append(measure(dbt, {**env, DUCKDB_PATH_ENV: str(dbt_database)}))
            bare = Path(scratch) / f"bare-{run}.duckdb"
            results["bare DuckDB load"].append(measure([sys.executable, __file__, "--bare-load", str(bare)], env))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
        app_samples = None if args.no_app else time_app(Path(scratch), args.runs)
    medians = {k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v)) for k, v in results.items()}
    print(f"{'':20} {'median wall s':>14} {'median peak RSS MiB':>20}   (runs: {args.runs})")
    for name, (seconds, rss) in medians.items():
        print(f"{name:20} {seconds:14.1f} {rss / 2**20:20.0f}")
    build_s, build_rss = medians["nsw-doe build"]
    bare_s, bare_rss = medians["bare DuckDB load"]
    print(f"{'ratio build/bare':20} {build_s / bare_s:14.1f} {build_rss / bare_rss:20.1f}")
    print("\nsteps inside nsw-doe build (median s):")
    for step, seconds in sorted(steps.items(), key=lambda item: -statistics.median(item[1])):
        print(f"  {step:32} {statistics.median(seconds):8.1f}")
    if app_samples is not None:
        print_app_timings(app_samples, args.runs)


if __name__ == "__main__":
    main()
