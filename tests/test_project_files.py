"""The files that wire the project together: Makefile, CI, workflows, dev container, pre-commit."""

import json
import re
import subprocess
import sys

import yaml

from nsw_doe.settings import PROJECT_ROOT

MAKE_TARGETS = set(re.findall(r"^([a-z][\w-]*):", (PROJECT_ROOT / "Makefile").read_text(), re.MULTILINE))
WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))


def make_targets_in(command: str) -> list[str]:
    assert command.startswith("make "), f"{command!r} is not a make target"
    return command.split()[1:]


def test_the_two_commands_and_the_documented_targets_exist():
    assert {"run", "test", "dev", "lint", "bench", "clean", "docs", "ci-slim"} <= MAKE_TARGETS
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()


def test_the_workflows_are_valid_github_actions_and_call_the_same_make_targets():
    assert WORKFLOWS
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for workflow in WORKFLOWS:
        steps = [s for job in yaml.safe_load(workflow.read_text())["jobs"].values() for s in job["steps"]]
        commands = [s["run"] for s in steps if "run" in s]
        assert commands, workflow.name
        for command in commands:
            assert set(make_targets_in(command)) <= MAKE_TARGETS, command
        assert "make test" in commands and "make run" in commands


def test_the_dev_container_is_valid_json_and_runs_only_make_targets():
    config = json.loads((PROJECT_ROOT / ".devcontainer" / "devcontainer.json").read_text())
    commands = [v for k, v in config.items() if k.endswith("Command")]
    assert commands
    for command in commands:
        assert set(make_targets_in(command)) <= MAKE_TARGETS, command
    assert {3000, 8501} <= set(config["forwardPorts"])
    assert "ms-python.python" in config["customizations"]["vscode"]["extensions"]


def test_pre_commit_runs_the_locked_tools():
    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text())
    locked = set(re.findall(r'^name = "([^"]+)"', (PROJECT_ROOT / "uv.lock").read_text(), re.MULTILINE))
    for hook in (h for repo in config["repos"] for h in repo["hooks"]):
        assert hook["entry"].startswith("uv run --frozen "), hook["id"]
        assert hook["entry"].split()[3] in locked, hook["id"]
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
