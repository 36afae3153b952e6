"""Executes a tutorial as `jupyter nbconvert --execute` does, with each hidden check cell's break
(tests/fixtures/check-breaks/) tried in the same kernel right after the check cell passes: the break, the
check cell again (which must fail with an AssertionError), then every name put back as it was.

The suite's fault-mode run of a tutorial (tests/support/fault_runs.py) uses it, so that the check cells are
proved on the one execution of the notebook instead of a second one. The executed copy is written without
the probes (the site renders it); what each probe saw goes beside it, in <name>.breaks.json, which
tests/tutorials/test_check_cells_fail_on_their_breaks.py reads.

    python tests/support/break_probes.py NOTEBOOK OUT_DIR BREAKS_YAML
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import yaml
from checks import CHECK_TAG, tags_of
from nbconvert.preprocessors import ExecutePreprocessor

PROBE_TAG = "break-probe"
CELL_TIMEOUT_SECONDS = 600  # as website/build.py executes the tutorials
FAILED = "check failed on the broken input:"
# The break runs through the setup cell's with_retries, from the same names each time, so that a read cut
# short in it (the run is under faults) is tried again rather than mistaken for the check's failure.
WRAPPER = """\
_before_break = dict(globals())
def _apply_break():
    globals().update(_before_break)
    exec({code!r}, globals())
try:
    _missing = [name for name in {rebinds!r} if name not in _before_break]
    if _missing:
        print("the break rebinds names not defined yet:", _missing)
    else:
        with_retries(_apply_break)
        try:
            exec({check!r}, globals())
        except AssertionError as _error:
            print({failed!r}, repr(_error)[:300])
        else:
            print("the check cell passed on the broken input")
finally:
    globals().update(_before_break)
    for _name in [name for name in globals() if name not in _before_break and not name.startswith("_")]:
        del globals()[_name]
    del _before_break, _apply_break
"""


def with_probes(notebook, breaks: list[dict]):
    """A copy of the notebook with a probe cell after each check cell, in order."""
    probed = nbformat.from_dict(notebook)
    entries = iter(breaks)
    cells = []
    for cell in probed.cells:
        cells.append(cell)
        if cell.cell_type == "code" and CHECK_TAG in tags_of(cell):
            entry = next(entries)
            source = WRAPPER.format(code=entry["break"], rebinds=entry["rebinds"], check=cell.source, failed=FAILED)
            cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": [PROBE_TAG]}))
    probed.cells = cells
    return probed


def without_probes(executed, breaks: list[dict]):
    """The executed notebook without its probe cells (counts renumbered), and what each probe printed."""
    clean = nbformat.from_dict(executed)
    probes = [cell for cell in clean.cells if PROBE_TAG in tags_of(cell)]
    clean.cells = [cell for cell in clean.cells if PROBE_TAG not in tags_of(cell)]
    count = 0
    for cell in clean.cells:
        if cell.cell_type == "code" and cell.get("execution_count"):
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if output.output_type == "execute_result":
                    output.execution_count = count
    verdicts = []
    for entry, probe in zip(breaks, probes):
        said = "".join(output.get("text", "") for output in probe.outputs if output.output_type == "stream")
        errors = [f"{output.ename}: {output.evalue}" for output in probe.outputs if output.output_type == "error"]
        verdicts.append({"cell": entry["cell"], "why": entry["why"], "said": said.strip(), "errors": errors})
    return clean, verdicts


def execute(notebook_path: Path, out_dir: Path, breaks_path: Path) -> None:
    notebook = nbformat.read(notebook_path, as_version=4)
    breaks = yaml.safe_load(breaks_path.read_text())["breaks"]
    probed = with_probes(notebook, breaks)
    executor = ExecutePreprocessor(timeout=CELL_TIMEOUT_SECONDS, store_widget_state=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    executor.preprocess(probed, {"metadata": {"path": str(notebook_path.parent)}})
    clean, verdicts = without_probes(probed, breaks)
    nbformat.write(clean, out_dir / notebook_path.name)
    breaks_file(out_dir, notebook_path.name).write_text(json.dumps(verdicts, indent=1, ensure_ascii=False))


def breaks_file(out_dir: Path, notebook_name: str) -> Path:
    return out_dir / f"{Path(notebook_name).stem}.breaks.json"


if __name__ == "__main__":
    notebook_arg, out_arg, breaks_arg = sys.argv[1:]
    execute(Path(notebook_arg), Path(out_arg), Path(breaks_arg))
