"""What a failed `dbt build` did wrong, in a few lines a person can act on.

dbt reports a failed data test as "Got 20 results, configured to fail if != 0". Its run results keep each test's
compiled SQL, so the build runs it again on the database it built and shows the first failing rows (for the staging
grain tests: the key, and the source file and data rows that repeat it).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

FAILED = {"fail", "error", "runtime error"}
ROWS_SHOWN = 3


class DbtBuildError(Exception):
    """dbt build failed: a model errored or a data test failed."""


def _first_rows(database: str, sql: str) -> list[str]:
    try:
        with duckdb.connect(database, read_only=True) as con:
            cursor = con.execute(f"select * from ({sql}) as failing limit {ROWS_SHOWN}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return []  # the rows are a courtesy: the test's own message still names the failure
    return ["; ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True)) for row in rows]


def explain(run_results: Path, database: str) -> str | None:
    """One line per failed node of a dbt invocation, with a test's first failing rows; None if there is none."""
    if not run_results.exists():
        return None
    lines = []
    for result in json.loads(run_results.read_text())["results"]:
        if result["status"] not in FAILED:
            continue
        name = result["unique_id"].split(".")[-1] if result["unique_id"].startswith("model.") else result["unique_id"]
        message = " ".join((result.get("message") or result["status"]).split())
        line = f"{name}: {message}"
        if result["unique_id"].startswith("test.") and result.get("compiled_code"):
            rows = _first_rows(database, result["compiled_code"])
            if rows:
                line += f"; first failing rows: {' | '.join(rows)}"
        lines.append(line)
    return "\n".join(lines) or None
