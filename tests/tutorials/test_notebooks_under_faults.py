"""Every tutorial, in both languages, runs through a bad network, as issue 12 sets it (tests/support/fault_runs.py
says how, and why tutorial 08's latency is milder). The setup cell every tutorial opens with (retries on both
hosts, whole answers, with_retries around each GDAL read) must carry them through.

The runs start in the background when pytest has collected the suite (tests/conftest.py); these tests wait
for their results."""

import fault_runs
import nbformat
import pytest
from checks import RECIPE_TAG, tags_of


@pytest.mark.mirror
@pytest.mark.parametrize("notebook", fault_runs.notebooks(), ids=lambda path: path.name)
def test_tutorial_survives_503s_and_latency(notebook):
    result, faults = fault_runs.result(notebook)
    assert result.returncode == 0, (
        f"{notebook.name} failed under faults:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    )
    missing = [kind for kind in fault_runs.kinds_in(fault_runs.spec_for(notebook)) if kind not in faults]
    assert not missing, f"no {', '.join(missing)} was drawn for this notebook: the test proved less than it says"
    # The recipe cell, last, ran too: tests/tutorials/test_recipes.py relies on this execution.
    executed = nbformat.read(fault_runs.executed_copy(notebook), as_version=4)
    recipes = [cell for cell in executed.cells if cell.cell_type == "code" and RECIPE_TAG in tags_of(cell)]
    assert recipes and recipes[-1].execution_count, f"{notebook.name}: its recipe cell did not run"
    assert not [output for output in recipes[-1].outputs if output.output_type == "error"]
