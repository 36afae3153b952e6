"""Every tutorial, in both languages, runs through a bad network, as issue 12 sets it (tests/support/fault_runs.py
says how, and why tutorial 08's latency is milder). The setup cell every tutorial opens with (retries on both
hosts, whole answers, with_retries around each GDAL read) must carry them through.

The runs start in the background when pytest has collected the suite (tests/conftest.py); these tests wait
for their results."""

import fault_runs
import pytest


@pytest.mark.mirror
@pytest.mark.parametrize("notebook", fault_runs.notebooks(), ids=lambda path: path.name)
def test_tutorial_survives_503s_and_latency(notebook):
    result, faults = fault_runs.result(notebook)
    assert result.returncode == 0, (
        f"{notebook.name} failed under faults:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    )
    missing = [kind for kind in fault_runs.kinds_in(fault_runs.spec_for(notebook)) if kind not in faults]
    assert not missing, f"no {', '.join(missing)} was drawn for this notebook: the test proved less than it says"
