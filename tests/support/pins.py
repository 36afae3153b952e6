"""Read the pinned packages of pip requirements files and conda environment
files, and say where an environment file disagrees with the pip pins."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# conda-forge names that are not the PyPI name of the same package.
CONDA_TO_PYPI = {
    "matplotlib-base": "matplotlib",  # "matplotlib" on conda-forge also pulls in Qt
    "dask-core": "dask",  # "dask" on conda-forge also pulls in distributed and bokeh
    "geopandas-base": "geopandas",  # "geopandas" on conda-forge also pulls in folium, mapclassify...
    "nbconvert-core": "nbconvert",  # "nbconvert" on conda-forge also pulls in pandoc
}

# Entries an environment file needs that have no counterpart in requirements.
CONDA_ONLY = {"python", "pip"}

_PIP_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#]+)")
_CONDA_SPEC = re.compile(r"^(?:[\w.-]+::)?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:={1,2}\s*(?P<version>[^\s=]+))?")


def normalise(name: str) -> str:
    """PyPI's rule: case, `_` and `.` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PinError(ValueError):
    pass


def read_requirements(path: Path) -> dict[str, str]:
    """{normalised name: version} of a requirements file, following `-r` includes.

    Every requirement must be pinned with `==`: an unpinned one is an error.
    """
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            pins.update(read_requirements(path.parent / line.split(maxsplit=1)[1]))
            continue
        match = _PIP_PIN.match(line)
        if not match:
            raise PinError(f"{path}:{number}: {line!r} is not pinned with '=='")
        pins[normalise(match["name"])] = match["version"]
    return pins


def read_conda_environment(path: Path) -> tuple[dict[str, str | None], dict[str, str]]:
    """({conda name: version or None}, {normalised pip name: version}) of an environment.yml.

    Conda names are returned as written (normalised), not mapped to PyPI names.
    """
    document = yaml.safe_load(path.read_text()) or {}
    conda: dict[str, str | None] = {}
    pip: dict[str, str] = {}
    for entry in document.get("dependencies") or []:
        if isinstance(entry, dict):
            for line in entry.get("pip") or []:
                match = _PIP_PIN.match(line.strip())
                if not match:
                    raise PinError(f"{path}: pip entry {line!r} is not pinned with '=='")
                pip[normalise(match["name"])] = match["version"]
            continue
        match = _CONDA_SPEC.match(str(entry).strip())
        if not match:
            raise PinError(f"{path}: cannot read dependency {entry!r}")
        conda[normalise(match["name"])] = match["version"]
    return conda, pip


def disagreements(environment_file: Path, requirements_file: Path) -> list[str]:
    """Every way `environment_file` differs from the pins of `requirements_file`.

    Checked: each pinned package is present (in the conda list, under its conda
    name, or in the pip section) with the same version; nothing else is listed
    except python and pip; no package is listed twice; python is pinned.
    """
    where = f"{environment_file.name} ({environment_file.parent.name}/)"
    expected = read_requirements(requirements_file)
    conda, pip = read_conda_environment(environment_file)
    problems = []

    if not conda.get("python"):
        problems.append(f"{where}: python is missing or has no version")

    listed: dict[str, tuple[str | None, str]] = {}
    for conda_name, version in conda.items():
        if conda_name in CONDA_ONLY:
            continue
        listed[CONDA_TO_PYPI.get(conda_name, conda_name)] = (version, f"conda '{conda_name}'")
    for name, version in pip.items():
        if name in listed:
            problems.append(f"{where}: {name} is listed both by conda and in the pip section")
        listed[name] = (version, "pip section")

    for name, version in sorted(expected.items()):
        if name not in listed:
            problems.append(f"{where}: {name}=={version} (from {requirements_file.name}) is missing")
        elif listed[name][0] != version:
            found, source = listed[name]
            problems.append(
                f"{where}: {name} is {found or 'unpinned'} ({source}), but {requirements_file.name} pins {version}"
            )
    for name in sorted(set(listed) - set(expected)):
        problems.append(
            f"{where}: {name} ({listed[name][1]}) is not in {requirements_file.name}; add it there or remove it here"
        )
    return problems
