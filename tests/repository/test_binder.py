"""What Binder (repo2docker) builds from binder/: the pins the suite tests, on CI's Python,
and JupyterLab with jupytext, where the tutorials' MyST markdown twins (.md) open as notebooks.

repo2docker takes its pip route (binder/requirements.txt, binder/runtime.txt, then
binder/postBuild), so a green suite means a working Binder. postBuild sets the default
viewer; here it runs into a scratch Jupyter config folder and a JupyterLab server of this
environment (same pins as Binder's) is asked which viewer it now opens markdown with.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from pins import read_requirements

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
BIN = Path(sys.executable).parent
VIEWER = "Jupytext Notebook"  # the document factory jupytext's JupyterLab extension registers
SETTINGS = "/lab/api/settings/@jupyterlab/docmanager-extension:plugin"


# Files that would send repo2docker down another route than requirements.txt + runtime.txt.
OTHER_ROUTES = (
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "pyproject.toml",
    "Project.toml",
    "install.R",
    "apt.txt",
    "default.nix",
    "Dockerfile",
)


def binder_problems(binder: Path, requirements: Path, workflow: Path) -> list[str]:
    """binder/ installs exactly `requirements` on the Python `workflow` tests with."""
    problems = [
        f"binder/{name} would change what repo2docker builds" for name in OTHER_ROUTES if (binder / name).exists()
    ]
    tested, installed = read_requirements(requirements), read_requirements(binder / "requirements.txt")
    for name in sorted(set(tested) | set(installed)):
        if tested.get(name) != installed.get(name):
            problems.append(
                f"binder/requirements.txt: {name} is {installed.get(name, 'missing')}, "
                f"{requirements.name} pins {tested.get(name, 'nothing')}"
            )
    steps = yaml.safe_load(workflow.read_text())["jobs"]["test"]["steps"]
    setups = [step for step in steps if step.get("uses", "").startswith("actions/setup-python")]
    [python] = [step["with"]["python-version"] for step in setups]
    runtime = (binder / "runtime.txt").read_text().strip()
    if runtime != f"python-{python}":
        problems.append(f"binder/runtime.txt says {runtime!r}; {workflow.name} tests python-{python}")
    return problems


def test_binder_installs_the_tested_pins_on_the_tested_python():
    problems = binder_problems(BINDER, ROOT / "requirements.txt", ROOT / ".github" / "workflows" / "offline.yml")
    assert not problems, "\n".join(problems)


def test_binder_installs_jupyterlab_and_jupytext():
    assert {"jupyterlab", "jupytext", "ipykernel"} <= set(read_requirements(BINDER / "requirements.txt"))


def test_a_binder_that_drifts_from_the_tested_pins_is_reported(tmp_path):
    binder = tmp_path / "binder"
    binder.mkdir()
    requirements = (BINDER / "requirements.txt").read_text()
    pin = read_requirements(BINDER / "requirements.txt")["rasterio"]
    (binder / "requirements.txt").write_text(requirements.replace(f"rasterio=={pin}", "rasterio==1.5.2"))
    (binder / "runtime.txt").write_text("python-3.14\n")
    (binder / "environment.yml").write_text("dependencies: [python=3.14]\n")
    assert binder_problems(binder, ROOT / "requirements.txt", ROOT / ".github" / "workflows" / "offline.yml") == [
        "binder/environment.yml would change what repo2docker builds",
        f"binder/requirements.txt: rasterio is 1.5.2, requirements.txt pins {pin}",
        f"binder/runtime.txt says 'python-3.14'; offline.yml tests {(BINDER / 'runtime.txt').read_text().strip()}",
    ]


def test_postbuild_is_an_executable_script():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs binder/postBuild; it must be executable"
    assert post_build.read_text().startswith("#!/bin/bash\n")


def test_the_jupytext_notebook_viewer_is_installed():
    extension = BIN.parent / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    assert extension.is_dir(), "jupytext's JupyterLab extension comes with the jupytext package"
    assert any(f'"{VIEWER}"' in path.read_text(errors="replace") for path in extension.rglob("*.js"))


@pytest.fixture
def scratch_jupyter(tmp_path):
    env = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    return env


def test_postbuild_makes_jupyterlab_open_markdown_as_notebooks(scratch_jupyter):
    subprocess.run([str(BINDER / "postBuild")], env=scratch_jupyter, cwd=ROOT, check=True, timeout=60)
    viewers = lab_default_viewers(scratch_jupyter)
    assert viewers.get("markdown") == VIEWER and viewers.get("myst") == VIEWER, viewers
    assert "python" not in viewers  # the repository's .py files stay text


def test_without_postbuild_markdown_opens_as_text(scratch_jupyter):
    """The control: JupyterLab's own default, which postBuild is there to change."""
    assert lab_default_viewers(scratch_jupyter).get("markdown") != VIEWER


def lab_default_viewers(env: dict) -> dict:
    """Start JupyterLab in ``env``, read the default viewers it serves, stop it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = "binder-test"
    log = Path(env["JUPYTER_RUNTIME_DIR"]).parent / "lab.log"
    log_file = open(log, "w")
    server = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(f"http://127.0.0.1:{port}{SETTINGS}", headers={"Authorization": f"token {token}"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with opener.open(request, timeout=5) as response:
                    schema = json.load(response)["schema"]
                    return schema["properties"]["defaultViewers"].get("default", {})
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, f"jupyter lab exited: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "jupyter lab did not answer within 60 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log_file.close()
