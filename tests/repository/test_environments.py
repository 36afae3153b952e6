"""environment.yml (the conda route) carries the pins of requirements.txt, under conda-forge
names; the pip files pin everything, and declare what the code imports.
(Binder's pins: tests/repository/test_binder.py.)"""

import ast
import json
import shutil
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml
from pins import PinError, disagreements, normalise, read_conda_environment, read_requirements

ROOT = Path(__file__).resolve().parents[2]


def test_the_conda_environment_agrees_with_the_pip_pins():
    problems = disagreements(ROOT / "environment.yml", ROOT / "requirements.txt")
    assert not problems, "\n".join(problems)


def test_the_conda_environment_uses_the_conda_forge_names_without_extras():
    # The metapackages pull in what the pip pins do not: pandoc, folium, Qt, bokeh.
    conda, _ = read_conda_environment(ROOT / "environment.yml")
    assert not {"geopandas", "nbconvert", "matplotlib", "dask"} & set(conda), sorted(conda)


def test_requirements_are_all_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        assert read_requirements(ROOT / name)


def test_the_pre_commit_hooks_run_the_pinned_tools():
    pinned = read_requirements(ROOT / "requirements-test.txt")
    hooks = [
        hook
        for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    ]
    assert hooks and all(hook.get("language") == "python" for hook in hooks)
    for hook in hooks:
        for requirement in hook.get("additional_dependencies") or []:
            name, _, version = requirement.partition("==")
            assert pinned.get(normalise(name)) == version, f"{hook['id']}: {requirement}, pinned {pinned.get(name)}"


def test_binder_can_open_the_markdown_twins():
    assert "jupytext" in read_requirements(ROOT / "requirements.txt")


# What the code imports is declared, not only brought along by something else.

CODE_FOLDERS = ("mirror", "tests", "website", "benchmarks")
LOCAL_MODULES = {path.stem for folder in CODE_FOLDERS for path in (ROOT / folder).rglob("*.py")} | set(CODE_FOLDERS)


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules `source` imports (IPython magics and shell lines left out)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - LOCAL_MODULES


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


def undeclared(modules: set[str], requirements: Path) -> list[str]:
    """The modules no distribution pinned in `requirements` provides (as this environment installs them)."""
    pinned = set(read_requirements(requirements))
    providers = packages_distributions()
    return sorted(
        module for module in modules if not {normalise(name) for name in providers.get(module, [module])} & pinned
    )


def test_requirements_declare_what_the_notebooks_import():
    modules = set().union(*(imported_modules(notebook_code(path)) for path in ROOT.glob("notebooks/*/*.ipynb")))
    assert {"rasterio", "requests", "urllib3", "pystac_client"} <= modules
    assert not (missing := undeclared(modules, ROOT / "requirements.txt")), missing


def test_requirements_test_declares_what_the_tools_import():
    paths = [
        path
        for folder in CODE_FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if "fixtures" not in path.parts and "proxy" not in path.parts
    ]
    modules = set().union(*(imported_modules(path.read_text()) for path in paths))
    assert {"yaml", "psutil", "certifi", "nbformat"} <= modules
    assert not (missing := undeclared(modules, ROOT / "requirements-test.txt")), missing


def test_the_proxy_requirements_declare_what_the_proxy_imports():
    modules = set().union(*(imported_modules(path.read_text()) for path in (ROOT / "mirror" / "proxy").rglob("*.py")))
    assert modules == {"mitmproxy"} and "mitmproxy" in read_requirements(ROOT / "mirror" / "requirements-proxy.txt")


def test_an_undeclared_import_is_reported(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("rasterio==1.4.4\n")
    assert undeclared(
        imported_modules("import rasterio\nimport yaml, requests\nfrom odc.stac import load"), requirements
    ) == ["odc", "requests", "yaml"]


# The checker itself, on broken copies of the real files.


@pytest.fixture
def copy_of_the_repo_files(tmp_path):
    for name in ("requirements.txt", "requirements-test.txt", "environment.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def problems_in(repo: Path) -> list[str]:
    return disagreements(repo / "environment.yml", repo / "requirements.txt")


def test_checker_passes_on_unchanged_copies(copy_of_the_repo_files):
    assert problems_in(copy_of_the_repo_files) == []


def test_checker_reports_a_changed_pin(copy_of_the_repo_files):
    pin = read_requirements(ROOT / "requirements.txt")["rasterio"]
    replace_in(copy_of_the_repo_files / "environment.yml", f"rasterio=={pin}", "rasterio==0.0.1")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "rasterio is 0.0.1" in problem and f"pins {pin}" in problem


def test_checker_reports_a_changed_pin_in_the_pip_section(copy_of_the_repo_files):
    pin = read_requirements(ROOT / "requirements.txt")["odc-stac"]
    environment = copy_of_the_repo_files / "environment.yml"
    replace_in(environment, f"  - odc-stac=={pin}\n", "")
    with open(environment, "a") as appended:
        appended.write("  - pip:\n      - odc-stac==0.0.1\n")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "odc-stac is 0.0.1 (pip section)" in problem


def test_checker_reports_a_package_missing_from_the_environment(copy_of_the_repo_files):
    with open(copy_of_the_repo_files / "requirements.txt", "a") as requirements:
        requirements.write("planetary-computer==1.0.0\n")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "planetary-computer==1.0.0 (from requirements.txt) is missing" in problem


def test_checker_reports_a_package_only_in_the_environment(copy_of_the_repo_files):
    replace_in(copy_of_the_repo_files / "environment.yml", "  - python=3.11\n", "  - python=3.11\n  - bokeh==3.6.0\n")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "bokeh" in problem and "not in requirements.txt" in problem


def test_checker_reports_an_unpinned_conda_package(copy_of_the_repo_files):
    pin = read_requirements(ROOT / "requirements.txt")["numpy"]
    replace_in(copy_of_the_repo_files / "environment.yml", f"numpy=={pin}", "numpy")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "numpy is unpinned" in problem


def test_checker_maps_conda_names_to_pypi_names(copy_of_the_repo_files):
    # matplotlib-base is how environment.yml spells PyPI's matplotlib:
    # spelling it "matplotlib" is just as good, any other name is not.
    environment = copy_of_the_repo_files / "environment.yml"
    replace_in(environment, "matplotlib-base==", "matplotlib==")
    assert problems_in(copy_of_the_repo_files) == []
    replace_in(environment, "matplotlib==", "matplotlib-qt==")
    assert len(problems_in(copy_of_the_repo_files)) == 2  # missing and unexpected


def test_checker_ignores_case_and_underscores_in_names(copy_of_the_repo_files):
    replace_in(copy_of_the_repo_files / "requirements.txt", "pystac-client==", "PySTAC_Client==")
    assert problems_in(copy_of_the_repo_files) == []


def test_checker_maps_geopandas_base_to_geopandas(copy_of_the_repo_files):
    # The metapackage's name is PyPI's too, so it passes the pins: the test above refuses it.
    replace_in(copy_of_the_repo_files / "environment.yml", "geopandas-base==", "geopandas==")
    assert problems_in(copy_of_the_repo_files) == []
    replace_in(copy_of_the_repo_files / "environment.yml", "geopandas==", "geopandas-lite==")
    assert len(problems_in(copy_of_the_repo_files)) == 2  # missing and unexpected


def test_an_unpinned_requirement_is_an_error(copy_of_the_repo_files):
    with open(copy_of_the_repo_files / "requirements.txt", "a") as requirements:
        requirements.write("scipy\n")
    with pytest.raises(PinError, match=r"requirements\.txt:.*'scipy' is not pinned"):
        problems_in(copy_of_the_repo_files)
