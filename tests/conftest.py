"""How the suite runs: offline through the mirror (`make test`), or only the
notebooks against the live API (`make test-live`, which passes --live)."""

import os
import tempfile
from pathlib import Path

import fault_runs
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = {ROOT / "notebooks" / "en", ROOT / "notebooks" / "fr"}

# Deliberately broken examples: inputs for the checks, never tests of their own
# (nbval would otherwise collect their notebooks).
collect_ignore_glob = ["fixtures/*"]

NEEDS_THE_MIRROR = (
    "needs the offline mirror: run `make test`, or "
    "`python -m mirror run -- python -m pytest ...` (it sets MIRROR_RUNNING=1); "
    "or run the notebooks against the live API with `make test-live`"
)


def pytest_addoption(parser):
    parser.addoption(
        "--live",
        action="store_true",
        default=False,
        help="run only the notebooks (notebooks/en and notebooks/fr), against the live "
        "CCMEO STAC API; needs internet (make test-live)",
    )


def is_notebook(item) -> bool:
    return item.path.suffix == ".ipynb"


def is_fault_run(item) -> bool:
    return getattr(item, "originalname", None) == fault_runs.TEST_NAME


def reads_a_fault_run(item) -> bool:
    """A test that waits for a fault-mode run: the run's own, or the check-break test that reads its probes."""
    return is_fault_run(item) or getattr(item, "originalname", None) == fault_runs.BREAKS_TEST_NAME


def fault_run_notebook(item):
    if is_fault_run(item):
        return item.callspec.params["notebook"]
    return fault_runs.notebook_of_breaks(item.callspec.params["path"])


def renders_the_suites_executions(item) -> bool:
    return "built_site" in getattr(item, "fixturenames", ())


def pytest_collection_finish(session):
    """Start the selected tutorials' fault-mode runs, unless they are skipped or only collected."""
    if session.config.option.collectonly:
        return
    selected = {
        fault_run_notebook(item)
        for item in session.items
        if reads_a_fault_run(item) and not item.get_closest_marker("skip")
    }
    fault_runs.start(selected, Path(tempfile.mkdtemp(prefix="fault-runs-")))


def pytest_sessionfinish(session):
    fault_runs.stop()


def pytest_collection_modifyitems(config, items):
    live = config.getoption("--live")
    mirror_running = "MIRROR_RUNNING" in os.environ
    # In the full offline suite, tests/support/fault_runs.py executes every notebook (nbconvert) through a
    # flaky mirror; collecting them here as well (nbval) would only repeat that work.
    whole_suite_offline = not live and config.args_source == pytest.Config.ArgsSource.TESTPATHS
    kept, dropped = [], []
    for item in items:
        if is_notebook(item) and item.path.parent.resolve() not in NOTEBOOK_DIRS:
            dropped.append(item)  # only the tutorials themselves are executed
            continue
        if is_notebook(item) and whole_suite_offline:
            dropped.append(item)
            continue
        if live and not is_notebook(item):
            dropped.append(item)
            continue
        if is_notebook(item) and not live:
            item.add_marker(pytest.mark.mirror)  # offline, a notebook can only reach the mirror
        if item.get_closest_marker("mirror") and not live and not mirror_running:
            item.add_marker(pytest.mark.skip(reason=NEEDS_THE_MIRROR))
        kept.append(item)
    # The fault-mode runs (tests/support/fault_runs.py) start in the background once collection ends: their
    # tests come last but those of the site built from their executions, so that every other test (the tiny
    # site's included) runs while they wait on the network. The site renders the notebooks those runs
    # executed: its tests come after them, or it executes every notebook again.
    kept.sort(key=lambda item: (renders_the_suites_executions(item), reads_a_fault_run(item)))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
