"""What a dataset's files must hold before they land in raw, checked as they load so that a bad file is named
before dbt runs: data rows (an extract with a header and nothing else is a failed download, not data), and every
column the staging models read (declared in the dbt sources as `meta.required_columns`)."""

from __future__ import annotations

import json
from pathlib import Path

from dlt.common.normalizers.naming.snake_case import NamingConvention

from nsw_doe.sources.catalog import Dataset, SourceFile
from nsw_doe.sources.readers import Table

_NAMING = NamingConvention()


class RawLoadError(Exception):
    """A dataset's files cannot be loaded as the staging models need them."""


def raw_column(header: str) -> str:
    """The name dlt gives a source column in raw (snake_case)."""
    return _NAMING.normalize_identifier(header)


def required_columns(dbt_manifest: Path) -> dict[str, list[str]]:
    """Raw table -> the raw columns its staging models read, from the dbt sources' meta."""
    sources = json.loads(dbt_manifest.read_text())["sources"].values()
    return {s["name"]: s["meta"].get("required_columns", []) for s in sources if s["schema"] == "raw"}


def check_has_rows(source: SourceFile, table: Table, location: Path) -> None:
    if not table.rows:
        raise RawLoadError(
            f"{location}: has a header but no data rows. An empty extract is a failed download, not data: pin a "
            f"file with rows (`nsw-doe sources describe`), or remove {source.path} from the manifest."
        )


def check_columns(dataset: Dataset, required: list[str], locations: dict[str, Path]) -> None:
    """Every required column is in at least one file of the dataset (vintages may differ in their columns)."""
    present = {raw_column(c) for f in dataset.files for c in f.columns}
    missing = [c for c in required if c not in present]
    if missing:
        files = ", ".join(str(locations[f.path]) for f in dataset.files)
        raise RawLoadError(
            f"{files}: no file of dataset {dataset.id} has the column(s) {', '.join(missing)} (as raw names them), "
            f"which the staging models of raw.{dataset.raw_table} read. Restore the column in the file and its "
            "manifest entry, or change the staging model and its source's meta.required_columns."
        )
