"""Each hidden check cell of a tutorial, seen failing on its broken input (tests/fixtures/check-breaks/), in the
tutorial's one execution: its run under faults (tests/support/fault_runs.py) tries each break in the same kernel
(tests/support/break_probes.py); this test reads what each did. That every check cell has a break is a static
check (tests/repository/test_checks_catch_breakage.py)."""

from pathlib import Path

import fault_runs
import pytest
import yaml
from break_probes import FAILED

BREAKS = Path(__file__).resolve().parents[1] / "fixtures" / "check-breaks"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.mirror
@pytest.mark.parametrize("path", sorted(BREAKS.glob("*.yaml")), ids=lambda path: path.stem)
def test_each_check_cell_fails_on_its_broken_input(path, capsys):
    """The tutorial's run under faults (tests/support/fault_runs.py) tried each check cell again right after it
    passed, on its broken input, in the same kernel (tests/support/break_probes.py): each must have failed with
    an AssertionError, and every name was then put back for the rest of the notebook."""
    spec = yaml.safe_load(path.read_text())
    notebook = NOTEBOOKS / spec["notebook"]
    result, _ = fault_runs.result(notebook)
    assert result.returncode == 0, f"{notebook.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    verdicts = fault_runs.probe_verdicts(notebook)
    assert [verdict["cell"] for verdict in verdicts] == [entry["cell"] for entry in spec["breaks"]]
    for verdict in verdicts:
        assert FAILED in verdict["said"] and not verdict["errors"], verdict
    with capsys.disabled():
        print(f"\n{spec['notebook']}: {len(verdicts)} check cells, each failed on its broken input:")
        for verdict in verdicts:
            print(f"  {verdict['cell']} | {verdict['why']} | {verdict['said']}")
