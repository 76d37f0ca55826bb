"""Slim CI builds only what a change touches: the modified model and its children."""

import json
import shutil

from nsw_doe.dbt_project import TRANSFORM_DIR
from nsw_doe.slim_ci import run_slim_ci
from nsw_doe.warehouse import Warehouse


def descendants(manifest: dict, node: str) -> set[str]:
    found, todo = set(), [node]
    while todo:
        for child in manifest["child_map"][todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def test_only_the_changed_model_and_its_children_are_built(built, tmp_path):
    warehouse = Warehouse(built[0].warehouse_dir)
    state = json.loads((warehouse.state / "manifest.json").read_text())
    project = tmp_path / "transform"
    shutil.copytree(TRANSFORM_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "prep" / "prep__attendance.sql"
    model.write_text(model.read_text().replace("select *", "select * -- changed in a pull request", 1))

    ran = run_slim_ci(warehouse, project)

    changed = "model.nsw_doe.prep__attendance"
    expected = {changed} | {n for n in descendants(state, changed) if n.startswith("model.")}
    assert {n for n in ran if n.startswith("model.")} == expected
    assert "model.nsw_doe.fct__attendance" in expected
    assert len(expected) < len([n for n in state["nodes"] if n.startswith("model.")]) / 4
    assert any(n.startswith("test.") for n in ran), "the changed models' tests run too"


def test_an_unchanged_project_builds_nothing(built):
    assert run_slim_ci(Warehouse(built[0].warehouse_dir)) == []
