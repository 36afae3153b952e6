"""Each notebook's recipe cell needs nothing from the cells above it, as a reader who pastes it into their own
notebook needs: it uses no name it does not define or import itself (ruff's undefined-name rule, F821, on the
cell alone). That it runs is proven without running it again: it ran at the end of its notebook's execution
under faults (tests/tutorials/test_notebooks_under_faults.py checks that cell), and
tests/tutorials/test_recipe_errors.py runs each recipe alone, in a fresh namespace, with good and bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from checks import notebooks_in, recipe_source
from tiny_tutorials import EN_PATH, write_tutorial_tree

RUFF = Path(sys.executable).with_name("ruff")
BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken" / "recipe-needs-an-earlier-cell.ipynb"


def names_it_does_not_define(source: str) -> list[str]:
    """ruff's undefined-name findings on `source` alone, one line each (no configuration: every rule off but F821)."""
    command = [RUFF, "check", "--isolated", "--no-cache", "--select", "F821", "--output-format", "json"]
    result = subprocess.run(
        [*command, "--stdin-filename", "recipe.py", "-"], input=source, capture_output=True, text=True
    )
    assert result.returncode in (0, 1), result.stderr
    return [f"line {found['location']['row']}: {found['message']}" for found in json.loads(result.stdout)]


@pytest.mark.parametrize("notebook", notebooks_in(), ids=lambda path: path.name)
def test_recipe_needs_no_earlier_cell(notebook):
    source = recipe_source(notebook)
    if source is None:
        pytest.fail(f"{notebook.name} has no code cell tagged 'recipe' (see test_checks)")
    assert not (found := names_it_does_not_define(source)), f"{notebook.name}'s recipe, alone:\n" + "\n".join(found)


# The same check on the tiny tutorial, and on a recipe that leans on a name an earlier cell defines.


def test_a_self_contained_recipe_needs_nothing_else(tmp_path):
    notebooks = write_tutorial_tree(tmp_path)
    assert names_it_does_not_define(recipe_source(notebooks / EN_PATH)) == []


def test_a_recipe_that_needs_an_earlier_cell_is_reported():
    found = names_it_does_not_define(recipe_source(BROKEN))
    assert found == ["line 3: Undefined name `math`", "line 3: Undefined name `RADIUS_KM`"], found
