"""The suite's runs of every tutorial through a bad network (tests/tutorials/test_notebooks_under_faults.py),
as issue 12 sets it: 20% of requests answered 503, 2% of connections reset, 1% of the catalogue's answers
cut short, 500 ms added to each (the bucket's are left out: README, "When the network misbehaves").

An English tutorial's run also tries each of its check cells on a broken input, in the same kernel
(tests/support/break_probes.py), for tests/tutorials/test_check_cells_fail_on_their_breaks.py.

A run is mostly waiting, so the runs start in the background as soon as pytest has collected the suite
(tests/conftest.py), and the other tests run meanwhile; the fault tests, sorted just before the site's,
only collect the results. Each run keeps its executed notebook, which the site renders."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from mirror import run_command
from mirror.proxy.faults import Faults
from website.build import OFFLINE_EXECUTED, execute_command

ROOT = Path(__file__).resolve().parents[2]
BREAKS = ROOT / "tests" / "fixtures" / "check-breaks"
PROBES = Path(__file__).with_name("break_probes.py")
TOC = ROOT / "notebooks" / "toc.yml"
TEST_NAME = "test_tutorial_survives_503s_and_latency"
BREAKS_TEST_NAME = "test_each_check_cell_fails_on_its_broken_input"
# Answers cut short on the catalogue only: GDAL 3.10.3 accepts a cut table of tile offsets without an
# error and reads the blocks it should locate as nodata (README, "When the network misbehaves").
FAULTS = "503=0.2,reset=0.02,truncate=0.01,truncate-on=api,latency=500ms,seed={seed}"
# Tutorial 08 reads a whole region (about 1,100 requests under these faults, mostly one after another):
# measured on 2 busy cores, its run took 544 s at 500 ms a request and 307 s at 100 ms, and it runs twice
# (English, French). It meets the same failures, with 100 ms of latency.
MILDER = "503=0.2,reset=0.02,truncate=0.01,truncate-on=api,latency=100ms,seed={seed}"
MILDER_FOR = {"08"}  # tutorial numbers, as in toc.yml
FAULT_KINDS = ("503", "reset", "truncate")
EARLY = 10  # every tutorial makes at least this many requests (the catalogue, a search, a COG's header...)
API_FIRST = 2  # and its first two go to the catalogue
# Runs overlap: most of a run is waiting (500 ms a request), and the rest of the suite runs beside them.
PARALLEL_RUNS = 12
RUN_TIMEOUT = 1200  # seconds

_pool: ThreadPoolExecutor | None = None
_runs: dict[Path, Future] = {}


def seed_with_early_faults(start: int, spec: str = FAULTS) -> int:
    """A repeatable seed, different for each notebook, whose first EARLY draws include a fault
    of each kind, so that every notebook meets each at least once. A cut answer must come within the
    first API_FIRST draws: every tutorial's first requests go to the catalogue (the setup cell opens
    it, then a search or a listing), where truncate-on=api applies it. Such seeds are rare (about one
    in three thousand): the search starts at start * 10,000 so that two notebooks do not share one."""
    wanted = set(kinds_in(spec))
    for seed in itertools.count(start * 10_000):
        draw = Faults.parse(spec.format(seed=seed)).drawer()
        draws = [draw() for _ in range(EARLY)]
        if wanted <= set(draws) and ("truncate" not in wanted or "truncate" in draws[:API_FIRST]):
            return seed


def kinds_in(spec: str) -> list[str]:
    """The kinds of fault a spec draws (those with a share above 0)."""
    faults = Faults.parse(spec.format(seed=0))
    shares = {"503": faults.unavailable, "reset": faults.reset, "truncate": faults.truncate}
    return [kind for kind in FAULT_KINDS if shares[kind] > 0]


def notebooks() -> list[Path]:
    import yaml

    entries = yaml.safe_load(TOC.read_text())["tutorials"]
    return [ROOT / "notebooks" / entry[language]["path"] for entry in entries for language in ("en", "fr")]


def notebook_of_breaks(breaks: Path) -> Path:
    """The tutorial whose check cells a check-break file breaks."""
    import yaml

    return ROOT / "notebooks" / yaml.safe_load(breaks.read_text())["notebook"]


def breaks_for(notebook: Path) -> Path | None:
    """The check-break file of a tutorial (English notebooks only), if there is one."""
    return next((path for path in sorted(BREAKS.glob("*.yaml")) if notebook_of_breaks(path) == notebook), None)


def execution(notebook: Path) -> list[str]:
    """The command that executes a notebook into its executed copy (with its check cells' breaks, if any)."""
    breaks = breaks_for(notebook)
    if breaks is None:
        return execute_command(notebook, executed_copy(notebook).parent)
    return [sys.executable, str(PROBES), str(notebook), str(executed_copy(notebook).parent), str(breaks)]


def probe_verdicts(notebook: Path) -> list[dict]:
    """What each check cell's break did in the notebook's run (tests/support/break_probes.py)."""
    from break_probes import breaks_file

    return json.loads(breaks_file(executed_copy(notebook).parent, notebook.name).read_text())


def spec_for(notebook: Path) -> str:
    return MILDER if notebook.name[:2] in MILDER_FOR else FAULTS


def executed_copy(notebook: Path) -> Path:
    """Where a run keeps its executed notebook (tests/site/test_site.py renders it)."""
    return OFFLINE_EXECUTED / notebook.parent.name / notebook.name


def run_under_faults(notebook: Path, workdir: Path):
    """Execute one notebook through its own flaky mirror: (the finished process, the faults drawn)."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "requests.jsonl"
    log.unlink(missing_ok=True)
    spec = spec_for(notebook)
    seed = seed_with_early_faults(start=sum(notebook.name.encode()), spec=spec)
    # The executed copy is kept: tests/site/test_site.py renders it instead of running the notebook again.
    executed_copy(notebook).unlink(missing_ok=True)
    executed_copy(notebook).with_suffix(".breaks.json").unlink(missing_ok=True)
    result = subprocess.run(
        run_command(*execution(notebook), log=log, faults=spec.format(seed=seed)),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=ROOT,
    )
    faults = [json.loads(line).get("fault") for line in log.read_text().splitlines()] if log.exists() else []
    return result, faults


def start(selected: list[Path], workdir: Path) -> None:
    """Start the runs of these notebooks in the background, the longest first (tutorial 08's, whose region
    takes some 1,100 requests; then the later tutorials), so that no long run is left alone at the end."""
    global _pool
    if _pool is not None or not selected:
        return
    _pool = ThreadPoolExecutor(max_workers=PARALLEL_RUNS, thread_name_prefix="fault-run")
    for notebook in sorted(selected, key=lambda path: (path.name[:2] in MILDER_FOR, path.name), reverse=True):
        _runs[notebook] = _pool.submit(run_under_faults, notebook, workdir / notebook.stem)


def result(notebook: Path):
    """The finished run of a notebook that start() was given (waiting for it if needed)."""
    return _runs[notebook].result()


def stop() -> None:
    """At the end of the session: cancel the runs not yet started; the started ones finish (their timeout)."""
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
