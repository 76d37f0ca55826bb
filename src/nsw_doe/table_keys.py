"""The key of every table the warehouse publishes, read from where the dbt project declares it (its manifest).

- a dbt model: the columns of its `grain` test; without one, a column with a `unique` test (a natural key before a
  surrogate `_sk`, since people read the examples);
- a MetricFlow saved-query table (`semantic.<name>`): `calendar_year` and the saved query's group-by dimensions;
- a table Python writes (`ml`, `audit`): `config: {meta: {grain: [...]}}` of its entry in
  transform/models/sources/_python_tables.yml (`grain: []` is a table of one row). The same entry may list columns
  that differ in every build by nature (`changes_every_build`, e.g. a build's timestamp).

A table with none of these has no key: the diff compares it as whole rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from nsw_doe.semantic.exports import SEMANTIC_SCHEMA, YEAR_COLUMN

_DIMENSION = re.compile(r"^\s*Dimension\('([^']+)'\)\s*$")


@dataclass(frozen=True)
class TableKeys:
    keys: dict[str, list[str]]  # "schema.table" -> its key columns
    changes_every_build: dict[str, list[str]]  # "schema.table" -> columns that differ in every build

    def key(self, table: str) -> list[str] | None:
        return self.keys.get(table)

    def volatile(self, table: str) -> list[str]:
        return self.changes_every_build.get(table, [])


def _model_keys(manifest: dict) -> dict[str, list[str]]:
    models = {
        uid: f"{node['schema']}.{node['alias']}"
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    grains: dict[str, list[str]] = {}
    unique: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        table = models.get(node.get("attached_node") or "")
        if node["resource_type"] != "test" or table is None:
            continue
        if test.get("name") == "grain":
            grains[table] = list(test["kwargs"]["columns"])
        elif test.get("name") == "unique" and "column_name" in test["kwargs"]:
            unique.setdefault(table, []).append(test["kwargs"]["column_name"])
    for table, columns in unique.items():
        if table not in grains:
            grains[table] = [sorted(columns, key=lambda c: (c.endswith("_sk"), c))[0]]
    return grains


def _saved_query_keys(manifest: dict) -> dict[str, list[str]]:
    keys = {}
    for query in manifest.get("saved_queries", {}).values():
        group_by = query["query_params"]["group_by"]
        dimensions = [m.group(1) for m in map(_DIMENSION.match, group_by) if m]
        keys[f"{SEMANTIC_SCHEMA}.{query['name']}"] = [YEAR_COLUMN, *dimensions]
    return keys


def load_table_keys(manifest_path: Path) -> TableKeys:
    """Every declared key in the dbt manifest at `manifest_path`."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"No dbt manifest at {manifest_path}: the table keys are read from it.") from None
    keys = {**_model_keys(manifest), **_saved_query_keys(manifest)}
    volatile = {}
    for source in manifest["sources"].values():
        meta = source.get("config", {}).get("meta") or source.get("meta") or {}
        table = f"{source['schema']}.{source['identifier']}"
        if "grain" in meta:
            keys[table] = list(meta["grain"])
        if "changes_every_build" in meta:
            volatile[table] = list(meta["changes_every_build"])
    return TableKeys(keys, volatile)


def project_table_keys() -> TableKeys:
    """The keys the project's dbt code declares now (parsing it first if a file changed since the last parse)."""
    from nsw_doe.dbt_project import prepare

    return load_table_keys(prepare())
