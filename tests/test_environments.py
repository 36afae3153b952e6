"""environment.yml and binder/environment.yml carry the same pins as the pip files."""

import shutil
from pathlib import Path

import pytest

from pins import PinError, disagreements, read_requirements

ROOT = Path(__file__).resolve().parent.parent

# (environment file, the requirements file it must agree with)
AGREEMENTS = [
    ("environment.yml", "requirements-test.txt"),  # includes requirements.txt
    ("binder/environment.yml", "requirements.txt"),
]


@pytest.mark.parametrize(("environment_file", "requirements_file"), AGREEMENTS)
def test_environment_file_agrees_with_pip_pins(environment_file, requirements_file):
    problems = disagreements(ROOT / environment_file, ROOT / requirements_file)
    assert not problems, "\n".join(problems)


def test_requirements_are_all_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        assert read_requirements(ROOT / name)


def test_binder_can_open_the_markdown_twins():
    assert "jupytext" in read_requirements(ROOT / "requirements.txt")


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
    return disagreements(repo / "environment.yml", repo / "requirements-test.txt")


def test_checker_passes_on_unchanged_copies(copy_of_the_repo_files):
    assert problems_in(copy_of_the_repo_files) == []


def test_checker_reports_a_changed_pin(copy_of_the_repo_files):
    pin = read_requirements(ROOT / "requirements.txt")["rasterio"]
    replace_in(copy_of_the_repo_files / "environment.yml", f"rasterio=={pin}", "rasterio==0.0.1")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "rasterio is 0.0.1" in problem and f"pins {pin}" in problem


def test_checker_reports_a_changed_pin_in_the_pip_section(copy_of_the_repo_files):
    pin = read_requirements(ROOT / "requirements-test.txt")["rustac"]
    replace_in(copy_of_the_repo_files / "environment.yml", f"rustac=={pin}", "rustac==0.0.1")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "rustac is 0.0.1 (pip section)" in problem


def test_checker_reports_a_package_missing_from_the_environment(copy_of_the_repo_files):
    with open(copy_of_the_repo_files / "requirements.txt", "a") as requirements:
        requirements.write("planetary-computer==1.0.0\n")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "planetary-computer==1.0.0 (from requirements-test.txt) is missing" in problem


def test_checker_reports_a_package_only_in_the_environment(copy_of_the_repo_files):
    replace_in(copy_of_the_repo_files / "environment.yml", "  - pip\n", "  - pip\n  - bokeh==3.6.0\n")
    [problem] = problems_in(copy_of_the_repo_files)
    assert "bokeh" in problem and "not in requirements-test.txt" in problem


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
    replace_in(copy_of_the_repo_files / "requirements-test.txt", "rio-cogeo==", "Rio_Cogeo==")
    assert problems_in(copy_of_the_repo_files) == []


def test_an_unpinned_requirement_is_an_error(copy_of_the_repo_files):
    with open(copy_of_the_repo_files / "requirements.txt", "a") as requirements:
        requirements.write("scipy\n")
    with pytest.raises(PinError, match="requirements.txt:.*'scipy' is not pinned"):
        problems_in(copy_of_the_repo_files)
