"""The reference for tutorial 03's byte budget: a full-resolution read of the
whole Ottawa AOI window from the DTM of tile 9_2-mosaic-2m, through the
offline mirror, with the same GDAL settings as the tutorial.

    .venv/bin/python benchmarks/full_read_ottawa.py

starts the mirror with a request log, runs the read in a child process, and
prints the requests, bytes, seconds and peak memory of that read. Tutorial 03
must transfer at most a fifth of these bytes (issue 3, BUDGETS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: the mirror package sits beside benchmarks/

from mirror import run_command  # noqa: E402

HREF = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"
OTTAWA_AOI = (-75.85, 45.30, -75.60, 45.45)  # west, south, east, north (EPSG:4326)
TILE_9_2 = (1_500_000, -500_000, 2_000_000, 0)  # EPSG:3979, from the item's proj:transform and proj:shape
GDAL_ENV = {  # as in the tutorials' setup cell
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_MAX_RETRY": "5",
    "GDAL_HTTP_RETRY_DELAY": "1",
    "GDAL_HTTP_TIMEOUT": "60",
    "CPL_VSIL_CURL_NON_CACHED": "/vsicurl/https://canelevation-dem.s3.ca-central-1.amazonaws.com/",
}


ASSET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"


def read_log(path: Path) -> dict:
    """Requests and bytes (response bodies) in a mirror request log, in total and per host, and
    for the asset bucket the unique bytes: the size of the union of the byte ranges read, per file
    (what the notebook needed; bucket bytes over unique bytes is its overhead)."""
    requests, total, by_host, ranges = 0, 0, {}, {}
    if path.exists():
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            requests += 1
            size = int(entry.get("bytes") or 0)
            total += size
            host = by_host.setdefault(entry.get("host", "?"), {"requests": 0, "bytes": 0})
            host["requests"] += 1
            host["bytes"] += size
            if entry.get("host") == ASSET_HOST and size:
                start = int(entry["range"].split("=")[1].split("-")[0]) if entry.get("range") else 0
                ranges.setdefault(entry.get("path"), []).append((start, start + size))
    bucket = by_host.get(ASSET_HOST, {}).get("bytes", 0)
    unique = sum(union_length(spans) for spans in ranges.values())
    return {"requests": requests, "bytes": total, "by_host": by_host, "bucket_bytes": bucket, "unique_bytes": unique}


def union_length(spans: list[tuple[int, int]]) -> int:
    """The length of the union of half-open byte spans."""
    length, end = 0, -1
    for start, stop in sorted(spans):
        if stop > end:
            length += stop - max(start, end)
            end = stop
    return length


def full_read() -> dict:
    """The read itself (run inside the mirror): the whole AOI part in 9_2 at 2 m."""
    import rasterio
    from rasterio.warp import transform_bounds
    from rasterio.windows import from_bounds

    started = time.perf_counter()
    west, south, east, north = transform_bounds("EPSG:4326", "EPSG:3979", *OTTAWA_AOI, densify_pts=21)
    bounds = (max(west, TILE_9_2[0]), max(south, TILE_9_2[1]), min(east, TILE_9_2[2]), min(north, TILE_9_2[3]))
    with rasterio.Env(**GDAL_ENV):
        with rasterio.open(HREF) as src:
            window = from_bounds(*bounds, transform=src.transform).round_offsets().round_lengths()
            dtm = src.read(1, window=window, masked=True)
    return {
        "window": [int(window.height), int(window.width)],
        "pixels": int(dtm.size),
        "in_memory_bytes": int(dtm.data.nbytes),
        "mean_m": float(dtm.mean()),
        "seconds": round(time.perf_counter() - started, 2),
    }


def run_through_mirror(log: Path) -> dict:
    """Run this script's read in a child process under `python -m mirror run --log`,
    measuring the child's peak resident memory; return the measurements."""
    with tempfile.TemporaryDirectory(prefix="full-read-") as scratch:
        result_file = Path(scratch) / "result.json"
        command = run_command(sys.executable, Path(__file__).resolve(), "--inner", result_file, log=log)
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True)
        wall = time.perf_counter() - started
        result = json.loads(result_file.read_text())
    result["wall_seconds_with_mirror_start"] = round(wall, 2)
    result.update(read_log(log))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", type=Path, help="keep the mirror's request log here (default: a temporary file)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)  # the child, inside the mirror
    args = parser.parse_args(argv)

    if args.inner:
        import resource

        result = full_read()
        result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        args.inner.write_text(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="full-read-log-") as scratch:
        log = args.log or Path(scratch) / "requests.jsonl"
        if log.exists():
            log.unlink()
        result = run_through_mirror(log)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"Full-resolution read of the Ottawa AOI from 9_2-mosaic-2m's DTM ({HREF})")
        print(
            f"  window (rows, columns): {result['window'][0]} x {result['window'][1]}"
            f" = {result['pixels']:,} pixels, {result['in_memory_bytes'] / 1e6:,.1f} MB in memory"
        )
        print(
            f"  requests: {result['requests']}, bytes transferred: {result['bytes']:,}"
            f" ({result['bytes'] / 1e6:,.1f} MB)"
        )
        print(f"  seconds (read): {result['seconds']}, peak memory: {result['peak_rss_bytes'] / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
