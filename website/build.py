"""Build the site: execute each tutorial once, then `mkdocs build --strict` per language.

Executions are nbconvert's (widget state stored, so the ipyleaflet maps stay
interactive; the kernel starts in the notebook's folder, as nbval runs it).
The executed copies are written to <executed>/<lang>/<name>.ipynb; the
committed notebooks are never written. tests/tutorials/test_notebooks_under_faults.py
runs the same command, so the suite's executions can be rendered as they are
(reuse=True) instead of running every notebook again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from website.hooks import LANGUAGES, PREFIX, is_current, site_pages

ROOT = Path(__file__).resolve().parent.parent
WEBSITE = ROOT / "website"
OFFLINE_EXECUTED = ROOT / ".mirror-cache" / "executed"  # executions through the mirror only
LIVE_EXECUTED = ROOT / "build" / "executed-live"
CELL_TIMEOUT_SECONDS = 600
PARALLEL = 2  # a notebook spends much of its time waiting on the network


class SiteError(RuntimeError):
    pass


def execute_command(notebook: Path, out_dir: Path) -> list[str]:
    """The command that executes `notebook` into out_dir/<its name>."""
    return [
        sys.executable,
        "-m",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.store_widget_state=True",
        f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_SECONDS}",
        "--output-dir",
        str(out_dir),
        "--output",
        notebook.stem,
        str(notebook),
    ]


def execute(notebooks: list[tuple[Path, Path]], *, log=print) -> None:
    """Run each (notebook, executed copy) pair; raises SiteError naming every notebook that failed."""

    def run(pair: tuple[Path, Path]) -> str | None:
        source, executed = pair
        executed.unlink(missing_ok=True)
        started = time.monotonic()
        result = subprocess.run(
            execute_command(source, executed.parent), capture_output=True, text=True, cwd=source.parent
        )
        if result.returncode:
            return f"{source.relative_to(source.parents[2])} failed:\n{result.stderr[-3000:]}"
        log(f"site: executed {source.name} ({time.monotonic() - started:.0f} s)")
        return None

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        failures = [failure for failure in pool.map(run, notebooks) if failure]
    if failures:
        raise SiteError("\n\n".join(failures))


def build(out: Path, *, executed: Path, against: str, reuse: bool = False, root: Path = ROOT, log=print) -> None:
    """Execute the tutorials of `root` into `executed` (keeping the copies that are
    current when `reuse`), then build both languages into `out` (English) and
    `out`/fr. Raises SiteError if a notebook or a build fails."""
    started = time.monotonic()
    pairs = [(root / page.source, executed / page.lang / page.doc) for page in site_pages(root) if page.is_tutorial]
    todo = [(source, copy) for source, copy in pairs if not (reuse and is_current(source, copy))]
    for _, copy in pairs:
        copy.parent.mkdir(parents=True, exist_ok=True)
    if len(todo) < len(pairs):
        log(f"site: {len(pairs) - len(todo)} of {len(pairs)} notebooks already executed for these sources")
    execute(todo, log=log)
    log(f"site: {len(todo)} notebooks executed in {time.monotonic() - started:.0f} s")

    environment = dict(
        os.environ,
        SITE_EXECUTED=str(executed.resolve()),
        SITE_AGAINST=against,
        SITE_ROOT=str(root.resolve()),
        NO_MKDOCS_2_WARNING="1",
    )  # Material's end-of-life notice (2027-05-05), known: see CONTRIBUTING
    # Both languages build at once. The English build empties its folder, `out`, so the French one is built
    # beside it and moved into out/fr afterwards.
    out.parent.mkdir(parents=True, exist_ok=True)
    beside = {lang: (out if not PREFIX[lang] else out.parent / f".{out.name}-{lang}").resolve() for lang in LANGUAGES}

    def mkdocs_build(lang: str) -> tuple[str, subprocess.CompletedProcess, float]:
        began = time.monotonic()
        shutil.rmtree(beside[lang], ignore_errors=True)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--config-file",
                str(WEBSITE / f"{lang}.yml"),
                "--site-dir",
                str(beside[lang]),
            ],
            capture_output=True,
            text=True,
            env=environment,
            cwd=root,
        )
        return lang, result, time.monotonic() - began

    with ThreadPoolExecutor(max_workers=len(LANGUAGES)) as pool:
        builds = list(pool.map(mkdocs_build, LANGUAGES))
    for lang, result, seconds in builds:
        if result.returncode:
            raise SiteError(f"mkdocs build --strict ({lang}) failed:\n{result.stdout[-3000:]}{result.stderr[-5000:]}")
        if beside[lang] != out.resolve():
            shutil.rmtree(out / PREFIX[lang], ignore_errors=True)
            shutil.move(beside[lang], out / PREFIX[lang])
        log(f"site: built {lang} in {seconds:.0f} s")
    log(f"site: {out} in {time.monotonic() - started:.0f} s")
