"""Budgets of the tutorials: requests, bytes, seconds and peak memory per notebook.

    .venv/bin/python benchmarks/run_notebooks.py notebooks/en/03-read-cog-windows.ipynb ...
    .venv/bin/python benchmarks/run_notebooks.py --full-read notebooks/*/03-*.ipynb
    .venv/bin/python benchmarks/run_notebooks.py --latencies 0 notebooks/en/0*.ipynb   (one run each)
    .venv/bin/python benchmarks/run_notebooks.py --growth   (08's recipe on 1, 4 and 12 times 03's AOI)

For each notebook: `python -m mirror run --log FILE -- python THIS --inner NOTEBOOK`
starts the offline mirror with a request log; the inner process executes the
notebook with nbclient (kernel `python3`, started in the notebook's folder, as
nbval does) while a thread samples the resident memory of the kernel's process
tree (psutil). Then it reads the log and prints one row per notebook:

- requests, bytes: every request the notebook made to the two mirrored hosts
  (STAC API and asset bucket), and the bytes of the response bodies;
- seconds: the notebook's execution, kernel start included, mirror start excluded, once per
  added latency of --latencies (by default 0 and 100 ms a request, as a reader's network adds:
  each notebook runs once per latency; requests, bytes and memory are those of the first run);
- peak memory: the largest sum of RSS over the kernel and its children.

With --growth it runs tutorial 08's recipe, `region_statistics`, alone (its closing example left out)
on 1, 4 and 12 times tutorial 03's AOI in area (tutorial 08's region, and that region shrunk about its
centre), each in a notebook of two cells measured the same way, and prints how bytes, seconds and peak
memory grow with the area.

With --full-read it also runs benchmarks/full_read_ottawa.py (the full-resolution
read of the Ottawa AOI from 9_2-mosaic-2m's DTM) and gives each notebook's bytes
as a share of it. A benchmark, not a test: it prints, it does not judge, except
that --check exits 1 when a budget of issue 3 is broken (60 s, 1 GB, and for
tutorial 03 a fifth of the full read).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from full_read_ottawa import read_log, run_through_mirror  # noqa: E402

from mirror import run_command  # noqa: E402

SECONDS_BUDGET = 60
MEMORY_BUDGET = 1e9  # bytes
BYTES_SHARE_BUDGET = 1 / 5  # of the full read, for tutorial 03


def execute(notebook: Path) -> dict:
    """Run a notebook with nbclient, sampling its kernel tree's memory (inside the mirror)."""
    import nbformat
    import psutil
    from nbclient import NotebookClient

    me = psutil.Process()
    peak = {"rss": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            total = 0
            for process in me.children(recursive=True):
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            peak["rss"] = max(peak["rss"], total)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    started = time.perf_counter()
    sampler.start()
    error = None
    try:
        client.execute()
    except Exception as failure:  # report it with the numbers, do not hide them
        error = f"{type(failure).__name__}: {str(failure).strip().splitlines()[-1] if str(failure).strip() else ''}"
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return {"seconds": round(seconds, 2), "peak_rss_bytes": peak["rss"], "error": error}


def measure(notebook: Path, latency: str | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        log = Path(scratch) / "requests.jsonl"
        result_file = Path(scratch) / "result.json"
        faults = f"latency={latency}" if latency else None
        command = run_command(
            sys.executable, Path(__file__).resolve(), "--inner", notebook.resolve(), result_file, log=log, faults=faults
        )
        subprocess.run(command, cwd=REPO, check=False)
        if not result_file.exists():
            return {"notebook": str(notebook), "error": "the run did not finish (see above)", **read_log(log)}
        result = json.loads(result_file.read_text())
        result.update(read_log(log))
    result["notebook"] = str(notebook)
    return result


SCALING = REPO / "notebooks" / "en" / "08-scaling-up.ipynb"
AOI_03 = (-75.85, 45.30, -75.60, 45.45)  # tutorial 03's AOI: west, south, east, north (degrees)
REGION_08 = (-76.25, 45.05, -75.35, 45.55)  # tutorial 08's region, 12.0 times the AOI's area on the ground
GROWTH = (1, 4, 12)  # times the AOI's area: tutorial 08's region shrunk about its centre, so always inside it


def grown(bounds: tuple, factor: float) -> tuple:
    """The box `factor` times the area of `bounds` (in degrees), about the same centre."""
    west, south, east, north = bounds
    x, y, k = (west + east) / 2, (south + north) / 2, factor**0.5 / 2
    return (x - (east - west) * k, y - (north - south) * k, x + (east - west) * k, y + (north - south) * k)


def growth_box(factor: float) -> tuple:
    """A box of `factor` times tutorial 03's AOI in area, inside tutorial 08's region (where its data are)."""
    return grown(REGION_08, factor / 12)


def ground_km2(bounds: tuple) -> float:
    from pyproj import Geod
    from shapely.geometry import box

    return abs(Geod(ellps="GRS80").geometry_area_perimeter(box(*bounds).segmentize(0.01))[0]) / 1e6


def recipe_alone(notebook: Path) -> str:
    """The notebook's recipe cell without its closing example (its last statement, an expression)."""
    import ast

    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    source = next(cell.source for cell in reversed(cells) if "recipe" in cell.get("metadata", {}).get("tags", []))
    last = ast.parse(source).body[-1]
    return "\n".join(source.splitlines()[: last.lineno - 1]) if isinstance(last, ast.Expr) else source


def growth_notebook(folder: Path, factor: float) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    call = f"print(region_statistics({growth_box(factor)!r}))"
    notebook = new_notebook(
        cells=[new_code_cell(recipe_alone(SCALING)), new_code_cell(call)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = folder / f"growth-{factor}x.ipynb"
    nbformat.write(notebook, path)
    return path


def measure_growth() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as scratch:
        results = []
        for factor in GROWTH:
            result = measure(growth_notebook(Path(scratch), factor))
            result.update(factor=factor, km2=ground_km2(growth_box(factor)))
            results.append(result)
    return results


def print_growth(results: list[dict]) -> None:
    print(
        f"\n{'area':>6} {'km2':>7} {'requests':>8} {'MB':>7} {'seconds':>8} {'peak MB':>8} {'MB/km2':>7} {'s/km2':>6}"
    )
    for result in results:
        if result.get("error") or "seconds" not in result:
            print(f"{result['factor']:>5}x {result['km2']:>7.0f}  FAILED: {result.get('error')}")
            continue
        print(
            f"{result['factor']:>5}x {result['km2']:>7.0f} {result['requests']:>8} {result['bytes'] / 1e6:>7.1f}"
            f" {result['seconds']:>8.1f} {result['peak_rss_bytes'] / 1e6:>8.0f}"
            f" {result['bytes'] / 1e6 / result['km2']:>7.3f} {result['seconds'] / result['km2']:>6.3f}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--full-read", action="store_true", help="also measure the full-resolution read of the Ottawa AOI, and compare"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a budget is broken")
    parser.add_argument(
        "--latencies",
        default="0,100ms",
        help="run each notebook once per added latency, comma-separated (default 0,100ms; 0 is none)",
    )
    parser.add_argument(
        "--growth", action="store_true", help="run 08's recipe on 1, 4 and 12 times 03's AOI and print how cost grows"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--inner", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.inner:
        notebook, result_file = args.inner
        result_file.write_text(json.dumps(execute(notebook)))
        return 0
    if args.growth:
        results = measure_growth()
        print(json.dumps(results, indent=2)) if args.json else print_growth(results)
        return 1 if any(result.get("error") for result in results) else 0
    if not args.notebooks and not args.full_read:
        parser.error("give at least one notebook, --full-read or --growth")

    full = None
    if args.full_read:
        with tempfile.TemporaryDirectory(prefix="bench-full-") as scratch:
            full = run_through_mirror(Path(scratch) / "requests.jsonl")
    latencies = [latency.strip() for latency in args.latencies.split(",") if latency.strip()]
    results = []
    for notebook in args.notebooks:
        runs = [measure(notebook, None if latency in ("0", "0ms") else latency) for latency in latencies]
        result = runs[0]
        result["seconds_by_latency"] = {latency: run.get("seconds") for latency, run in zip(latencies, runs)}
        result["error"] = result.get("error") or next((run["error"] for run in runs if run.get("error")), None)
        results.append(result)

    broken = []
    for result in results:
        if result.get("error"):
            broken.append(f"{result['notebook']}: {result['error']}")
            continue
        if result["seconds"] >= SECONDS_BUDGET:
            broken.append(f"{result['notebook']}: {result['seconds']} s >= {SECONDS_BUDGET} s")
        if result["peak_rss_bytes"] >= MEMORY_BUDGET:
            broken.append(f"{result['notebook']}: peak memory {result['peak_rss_bytes'] / 1e6:.0f} MB >= 1 GB")
        if full:
            result["share_of_full_read"] = result["bytes"] / full["bytes"]
            if Path(result["notebook"]).name.startswith("03-") and result["share_of_full_read"] > BYTES_SHARE_BUDGET:
                broken.append(f"{result['notebook']}: {result['share_of_full_read']:.3f} of the full read > 1/5")

    if args.json:
        print(json.dumps({"full_read": full, "notebooks": results}, indent=2))
    else:
        print()
        if full:
            print(
                f"Full-resolution read of the Ottawa AOI (9_2-mosaic-2m DTM, {full['window'][0]} x "
                f"{full['window'][1]} px): {full['requests']} requests, {full['bytes']:,} bytes "
                f"({full['bytes'] / 1e6:.1f} MB), {full['seconds']} s, peak memory "
                f"{full['peak_rss_bytes'] / 1e6:.0f} MB"
            )
            print()
        header = (
            f"{'notebook':<48} {'requests':>8} {'bytes':>13} {'MB':>7} {'bucket MB':>9} {'unique MB':>9}"
            f" {'overhead':>8}" + "".join(f" {'s @ ' + latency:>10}" for latency in latencies) + f" {'peak MB':>8}"
        )
        if full:
            header += f" {'of full read':>13}"
        print(header)
        for result in results:
            if "seconds" not in result:
                print(f"{result['notebook']:<48} {result['requests']:>8} {result['bytes']:>13,}  {result['error']}")
                continue
            overhead = result["bucket_bytes"] / result["unique_bytes"] if result["unique_bytes"] else 1.0
            row = (
                f"{result['notebook']:<48} {result['requests']:>8} {result['bytes']:>13,} "
                f"{result['bytes'] / 1e6:>7.1f} {result['bucket_bytes'] / 1e6:>9.1f}"
                f" {result['unique_bytes'] / 1e6:>9.1f} {overhead:>7.2f}x"
                + "".join(
                    f" {seconds:>10.1f}" if seconds is not None else f" {'-':>10}"
                    for seconds in result["seconds_by_latency"].values()
                )
                + f" {result['peak_rss_bytes'] / 1e6:>8.0f}"
            )
            if full:
                share = (
                    result["share_of_full_read"] if "share_of_full_read" in result else result["bytes"] / full["bytes"]
                )
                if not share:
                    row += f" {0:>13}"
                else:  # a fraction of the full read, or a multiple of it (tutorial 08 reads a whole region)
                    row += f" {share:>8.3f} " + (f"(1/{1 / share:.0f})" if share < 1 else f"({share:.1f}x)")
            if result.get("error"):
                row += f"  FAILED: {result['error']}"
            print(row)
        if broken:
            print("\nBudgets broken:\n  " + "\n  ".join(broken))
    return 1 if (args.check and broken) else 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
