"""A tiny, correct tutorial tree (toc.yml, an English and a French notebook,
each with its markdown twin) for showing the checks pass on good input and
fail on each kind of broken input."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from checks import MARKDOWN_FORMAT, RECIPE_TAG

EN_PATH = "en/01-circles.ipynb"
FR_PATH = "fr/01-cercles-fr.ipynb"

TOC = f"""\
tutorials:
  - number: "01"
    en:
      path: {EN_PATH}
      title: "Circles"
    fr:
      path: {FR_PATH}
      title: "Cercles"
"""

EN_CELLS = [
    ("markdown", "# Circles\n\nYou will compute the circumference of the Earth."),
    ("code", 'import math  # the standard library\n\nRADIUS_KM = 6371\nprint(f"Earth radius: {RADIUS_KM} km")'),
    ("markdown", "## Recipe\n\nA function to paste into your own code."),
    (
        "code",
        'import math\n\n\ndef circumference_km(radius_km=6371.0):\n'
        '    """Circumference of a sphere, in kilometres."""\n'
        "    return 2 * math.pi * radius_km  # 2 pi r\n\n\n"
        'print(f"{circumference_km():.0f} km around")',
    ),
]
FR_CELLS = [
    ("markdown", "# Cercles\n\nVous calculerez la circonférence de la Terre."),
    ("code", 'import math  # la bibliothèque standard\n\nRADIUS_KM = 6371\nprint(f"Rayon de la Terre : {RADIUS_KM} km")'),
    ("markdown", "## Recette\n\nUne fonction à coller dans votre propre code."),
    (
        "code",
        'import math\n\n\ndef circumference_km(radius_km=6371.0):\n'
        '    """Circonférence d\'une sphère, en kilomètres."""\n'
        "    return 2 * math.pi * radius_km  # 2 pi r\n\n\n"
        'print(f"Le tour fait {circumference_km():.0f} km")',
    ),
]


def notebook_of(cells, recipe_index: int | None = 3) -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, (cell_type, source) in enumerate(cells):
        cell = new_markdown_cell(source) if cell_type == "markdown" else new_code_cell(source)
        if index == recipe_index:
            cell.metadata["tags"] = [RECIPE_TAG]
        notebook.cells.append(cell)
    return notebook


def write_pair(notebook: nbformat.NotebookNode, ipynb_path: Path) -> None:
    """Write the .ipynb and its markdown twin, as jupytext --sync would."""
    ipynb_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, ipynb_path)
    jupytext.write(notebook, ipynb_path.with_suffix(".md"), fmt=MARKDOWN_FORMAT)


def write_tutorial_tree(repo: Path) -> Path:
    """A repo with notebooks/ holding one good tutorial pair; returns notebooks/."""
    notebooks = repo / "notebooks"
    notebooks.mkdir(parents=True)
    (notebooks / "toc.yml").write_text(TOC)
    write_pair(notebook_of(EN_CELLS), notebooks / EN_PATH)
    write_pair(notebook_of(FR_CELLS), notebooks / FR_PATH)
    return notebooks


def edit_notebook(ipynb_path: Path, change, also_markdown_twin: bool = True) -> None:
    """Apply change(notebook) to a notebook, and to its twin unless told not to."""
    notebook = nbformat.read(ipynb_path, as_version=4)
    change(notebook)
    if also_markdown_twin:
        write_pair(notebook, ipynb_path)
    else:
        nbformat.write(notebook, ipynb_path)
