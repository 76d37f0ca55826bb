"""What the blocking checks measure, in SQL on the build's database: the raw tables against the manifest (columns,
rows of each file, no empty load) and the row-count bounds of quality.yml. Each returns a Verdict, which the
Dagster checks (defs/quality/) report."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import duckdb

from nsw_doe.quality_config import RowCountBound
from nsw_doe.sources.catalog import Dataset
from nsw_doe.sources.load_checks import raw_column

LINEAGE = ("_source_file", "_source_row", "_source_sha256", "_vintage", "_loaded_at")
# Columns dlt adds to every table it loads (load id, row id): not the source's.
DLT_PREFIX = "_dlt_"
# How many failing groups (files, years) a failed check names in its description.
NAMED = 5


def asset_key(table: str) -> dg.AssetKey:
    """The asset of a warehouse table: `marts.dim__school` is `marts/dim__school`."""
    return dg.AssetKey(table.split("."))


@dataclass(frozen=True)
class Verdict:
    passed: bool
    description: str
    metadata: dict = field(default_factory=dict)

    def result(self, key: dg.AssetKey, check_name: str, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=check_name,
            passed=self.passed,
            severity=severity,
            description=self.description,
            metadata=self.metadata,
        )


def _listed(values: list[str]) -> str:
    more = len(values) - NAMED
    return ", ".join(values[:NAMED]) + (f" and {more} more" if more > 0 else "")


def columns_match_manifest(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> Verdict:
    """raw.<table> has exactly the columns the manifest records for the dataset's files (as dlt names them), and the
    lineage columns."""
    expected = list(dict.fromkeys(raw_column(c) for f in dataset.files for c in f.columns)) + list(LINEAGE)
    actual = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'raw' and table_name = ? order by ordinal_position",
            [dataset.raw_table],
        ).fetchall()
        if not name.startswith(DLT_PREFIX)
    ]
    missing = [c for c in expected if c not in actual]
    unexpected = [c for c in actual if c not in expected]
    problems = []
    if missing:
        problems.append(f"missing {_listed(missing)}")
    if unexpected:
        problems.append(f"not in the manifest {_listed(unexpected)}")
    description = (
        f"raw.{dataset.raw_table} has the {len(expected)} columns the manifest records."
        if not problems
        else f"raw.{dataset.raw_table} does not have the columns the manifest records: {'; '.join(problems)}."
    )
    return Verdict(not problems, description, {"missing": missing, "unexpected": unexpected})


def rows_match_manifest(con: duckdb.DuckDBPyConnection, dataset: Dataset, supplied: bool) -> Verdict:
    """Every file of the dataset landed with the rows the manifest records, none with zero rows, and no file the
    manifest does not list. A licensed dataset the user did not supply is empty by design."""
    loaded = dict(con.execute(f'select _source_file, count(*) from raw."{dataset.raw_table}" group by 1').fetchall())
    listed = {f.path for f in dataset.files}
    if not supplied:
        return Verdict(
            not loaded,
            f"{dataset.id} was not supplied ({dataset.external_env} is unset): raw.{dataset.raw_table} "
            "is empty by design.",
        )
    wrong = [
        f"{f.path} {loaded.get(f.path, 0):,} rows (manifest {f.rows:,})"
        for f in dataset.files
        if loaded.get(f.path, 0) != f.rows or not f.rows
    ] + [f"{path} {rows:,} rows (not in the manifest)" for path, rows in sorted(loaded.items()) if path not in listed]
    description = (
        f"Each of the {len(dataset.files)} file(s) of {dataset.id} loaded the rows the manifest records "
        f"({sum(loaded.values()):,} rows)."
        if not wrong
        else f"raw.{dataset.raw_table} does not hold the rows the manifest records: {_listed(wrong)}."
    )
    return Verdict(not wrong, description, {"rows": sum(loaded.values())})


def within_bounds(con: duckdb.DuckDBPyConnection, bound: RowCountBound) -> Verdict:
    """Each count (per file or year, if the bound says so) lies in [min, max]; a table with nothing to count fails."""
    group = bound.per or "'all'"
    counted = f"count(distinct {bound.distinct})" if bound.distinct else "count(*)"
    counts = con.execute(
        f"select cast({group} as varchar), {counted} from {bound.table} "
        f"where {bound.where or 'true'} group by 1 order by 1"
    ).fetchall()
    per = f" per {bound.per}" if bound.per else ""
    what = f"{bound.counted}{per}" + (f" where {bound.where}" if bound.where else "")
    outside = [f"{key}: {n:,}" for key, n in counts if not bound.min <= n <= bound.max]
    if not counts:
        outside = ["no rows at all"]
    values = [n for _, n in counts]
    if outside:
        description = (
            f"{bound.table}: {what} outside {bound.min:,}-{bound.max:,} (quality.yml): {_listed(outside)}. "
            "A count this far out is a broken file or model, not a change in the schools: nothing was published."
        )
    else:
        description = (
            f"{bound.table}: {what} within {bound.min:,}-{bound.max:,} "
            f"({min(values):,}-{max(values):,} over {len(values)} group(s))."
        )
    return Verdict(not outside, description, {"minimum": bound.min, "maximum": bound.max, "groups": len(counts)})
