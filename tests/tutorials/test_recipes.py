"""Each notebook's recipe cell runs alone in a fresh kernel, as a reader who
pastes it into their own notebook would run it."""

from pathlib import Path

import nbformat
import pytest
from checks import notebooks_in, recipe_source
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook
from tiny_tutorials import EN_PATH, write_tutorial_tree

KERNEL = "python3"
TIMEOUT_SECONDS = 300


def run_alone(source: str, working_dir: Path) -> None:
    """Execute `source` as the only cell of a new notebook, in a fresh kernel
    started in working_dir. Raises CellExecutionError if the cell fails."""
    notebook = new_notebook(cells=[new_code_cell(source)])
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(working_dir)}},
    )
    client.execute()


@pytest.mark.mirror
@pytest.mark.parametrize("notebook", notebooks_in(), ids=lambda path: path.name)
def test_recipe_runs_alone_in_a_fresh_kernel(notebook):
    source = recipe_source(notebook)
    if source is None:
        pytest.fail(f"{notebook.name} has no code cell tagged 'recipe' (see test_checks)")
    # From the notebook's own folder, so a recipe may read files as the notebook does.
    run_alone(source, notebook.parent)


# The same test on the tiny tutorial: it passes, and fails once its recipe
# leans on a name that an earlier cell defines.


def test_a_self_contained_recipe_runs_alone(tmp_path):
    notebooks = write_tutorial_tree(tmp_path)
    run_alone(recipe_source(notebooks / EN_PATH), tmp_path)


def test_a_recipe_that_needs_an_earlier_cell_fails_alone():
    broken = Path(__file__).resolve().parents[1] / "fixtures" / "broken" / "recipe-needs-an-earlier-cell.ipynb"
    # In its notebook, after the earlier cells, the recipe runs...
    NotebookClient(nbformat.read(broken, as_version=4), kernel_name=KERNEL, timeout=TIMEOUT_SECONDS).execute()
    # ...alone, it does not.
    with pytest.raises(CellExecutionError) as failure:
        run_alone(recipe_source(broken), broken.parent)
    assert failure.value.ename == "NameError"
    assert failure.value.evalue == "name 'math' is not defined"
