"""A tiny, correct tutorial tree (toc.yml, an English and a French notebook,
each with its markdown twin) for showing the checks pass on good input and
fail on each kind of broken input. Its first code cell is its setup cell (tagged
`setup`), the last its recipe."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from checks import MARKDOWN_FORMAT, RECIPE_TAG, SETUP_TAG

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
        "import math\n\n\ndef circumference_km(radius_km=6371.0):\n"
        '    """Circumference of a sphere, in kilometres."""\n'
        "    return 2 * math.pi * radius_km  # 2 pi r\n\n\n"
        'print(f"{circumference_km():.0f} km around")',
    ),
]
FR_CELLS = [
    ("markdown", "# Cercles\n\nVous calculerez la circonférence de la Terre."),
    (
        "code",
        'import math  # la bibliothèque standard\n\nRADIUS_KM = 6371\nprint(f"Rayon de la Terre : {RADIUS_KM} km")',
    ),
    ("markdown", "## Recette\n\nUne fonction à coller dans votre propre code."),
    (
        "code",
        "import math\n\n\ndef circumference_km(radius_km=6371.0):\n"
        '    """Circonférence d\'une sphère, en kilomètres."""\n'
        "    return 2 * math.pi * radius_km  # 2 pi r\n\n\n"
        'print(f"Le tour fait {circumference_km():.0f} km")',
    ),
]


def notebook_of(cells, recipe_index: int | None = 3, setup_index: int | None = 1) -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, (cell_type, source) in enumerate(cells):
        cell = new_markdown_cell(source) if cell_type == "markdown" else new_code_cell(source)
        if index == recipe_index:
            cell.metadata["tags"] = [RECIPE_TAG]
        if index == setup_index:
            cell.metadata["tags"] = [SETUP_TAG]
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


SECOND_EN_PATH = "en/02-spheres.ipynb"
SECOND_FR_PATH = "fr/02-spheres-fr.ipynb"
SECOND_TOC_ENTRY = f"""\
  - number: "02"
    en:
      path: {SECOND_EN_PATH}
      title: "Spheres"
    fr:
      path: {SECOND_FR_PATH}
      title: "Sphères"
"""


def add_second_tutorial(notebooks: Path) -> tuple[Path, Path]:
    """A second tutorial in the tree, listed in toc.yml, whose notebooks are copies of the
    first's (so the same setup cells); returns its English and French notebooks."""
    with (notebooks / "toc.yml").open("a") as toc:
        toc.write(SECOND_TOC_ENTRY)
    for first, second in ((EN_PATH, SECOND_EN_PATH), (FR_PATH, SECOND_FR_PATH)):
        write_pair(nbformat.read(notebooks / first, as_version=4), notebooks / second)
    return notebooks / SECOND_EN_PATH, notebooks / SECOND_FR_PATH


def edit_notebook(ipynb_path: Path, change, also_markdown_twin: bool = True) -> None:
    """Apply change(notebook) to a notebook, and to its twin unless told not to."""
    notebook = nbformat.read(ipynb_path, as_version=4)
    change(notebook)
    if also_markdown_twin:
        write_pair(notebook, ipynb_path)
    else:
        nbformat.write(notebook, ipynb_path)


# A tiny repository for the site (tests/test_site.py): the tutorial pair above,
# with a plot and a hidden check cell, READMEs that link the published site, and
# a guide pair.

SITE_URL = "https://canelevation.github.io/canelevation-stac-tutorials/"
PLOT_CELL = "import matplotlib.pyplot as plt\n\nplt.plot([1, 3, 2])\nplt.show()"
CHECK_MARK = "tiny-check-cell-ran"
CHECK_CELL = f'assert RADIUS_KM == 6371, "RADIUS_KM changed"\nprint("{CHECK_MARK}")'
SITE_READMES = {
    "README.md": f"""\
# Tiny tutorials

*[Version française](README.fr.md)*

## Tutorials

| # | English | Français |
|---|---|---|
| 01 | [Circles]({SITE_URL}01-circles/) · [md](notebooks/en/01-circles.md) | [Cercles]({SITE_URL}fr/01-cercles-fr/) |

Guides: [QGIS](guides/en/qgis.md). Licence: [Apache-2.0](LICENSE).
""",
    "README.fr.md": f"""\
# Petits tutoriels

*[English version](README.md)*

## Tutoriels

| # | Français | English |
|---|---|---|
| 01 | [Cercles]({SITE_URL}fr/01-cercles-fr/) · [md](notebooks/fr/01-cercles-fr.md) | [Circles]({SITE_URL}01-circles/) |

Guides : [QGIS](guides/fr/qgis.md). Licence : [Apache-2.0](LICENSE).
""",
}
SITE_GUIDES = {
    "en": "# The QGIS guide\n\nStart with [tutorial 01](../../notebooks/en/01-circles.ipynb), "
    "or read it [in French](../fr/qgis.md).\n",
    "fr": "# Le guide QGIS\n\nCommencez par le [tutoriel 01](../../notebooks/fr/01-cercles-fr.ipynb), "
    "ou lisez-le [en anglais](../en/qgis.md).\n",
}


def write_site_tree(repo: Path) -> Path:
    """The tiny tutorial tree, each notebook with a check cell (third) and a plot
    (last), plus the READMEs, LICENSE and guides/{en,fr}/qgis.md; returns notebooks/."""
    notebooks = write_tutorial_tree(repo)
    for path in (notebooks / EN_PATH, notebooks / FR_PATH):

        def change(notebook):
            notebook.cells.insert(2, new_code_cell(CHECK_CELL, metadata={"tags": ["check"]}))
            notebook.cells.append(new_code_cell(PLOT_CELL))

        edit_notebook(path, change)
    for name, text in SITE_READMES.items():
        (repo / name).write_text(text, encoding="utf-8")
    (repo / "LICENSE").write_text("Apache License 2.0\n")
    for lang, text in SITE_GUIDES.items():
        (repo / "guides" / lang).mkdir(parents=True)
        (repo / "guides" / lang / "qgis.md").write_text(text, encoding="utf-8")
    return notebooks
