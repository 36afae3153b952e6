"""``python -m mirror build``: the mirror's assets, generated deterministically into the cache.

Every COG has its item's live size (``proj:transform`` and ``proj:shape``: a 2 m mosaic tile
is 250,000 px square) and GDAL's default overview count, and is sparse: it holds data only
in the build windows, where some block meets the item, and is empty (nodata, no bytes)
elsewhere. ``plan.py`` says what to build (a job per item: its windows), ``rasters.py``
computes the terrain and assembles the COGs, ``writers.py`` writes the files that describe
the item (VRTs, extent, coverage, thumbnail), and ``national.py`` builds MRDEM-30. This
module runs them into a staging folder, once (a lock keeps concurrent builds apart) and only
when the cache key changes. Everything else in the catalog answers 404, as a missing key.
"""

import hashlib
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import rasterio
import shapely

from mirror import PACKAGE_DIR, national, paths
from mirror.plan import BLOCKS, RASTER_KEYS, Job, national_item, plan
from mirror.rasters import start_raster_assets
from mirror.writers import write_descriptions

try:
    import fcntl
except ImportError:  # Windows has no flock: there, two builds at once are not kept apart
    fcntl = None

__all__ = ["BLOCKS", "build", "cache_key", "is_current", "main", "plan"]

SOURCES = (
    "build.py",
    "plan.py",
    "rasters.py",
    "writers.py",
    "terrain.py",
    "tiles.py",
    "national.py",
    "pyramid.py",
    "cog_assembly.py",
    "shading.py",
    "vrt.py",
    "snapshot.py",
    "regions.py",
)


def cache_key(jobs: list[Job]) -> str:
    digest = hashlib.sha256()
    for source in SOURCES:
        digest.update((PACKAGE_DIR / source).read_bytes())
    digest.update(national.OUTLINE.read_bytes())
    digest.update(repr(national_item()).encode())
    digest.update(repr(jobs).encode())
    import geopandas
    import pyogrio
    import pyproj
    import tifffile

    versions = (  # the libraries whose output lands in the assets (the GeoPackage through pyogrio's own GDAL)
        rasterio.__version__,
        rasterio.__gdal_version__,
        np.__version__,
        shapely.__version__,
        pyproj.__version__,
        pyproj.proj_version_str,
        tifffile.__version__,
        geopandas.__version__,
        pyogrio.__version__,
        pyogrio.__gdal_version_string__,
    )
    digest.update(" ".join(versions).encode())
    return digest.hexdigest()


def is_current() -> bool:
    stamp = paths.assets_dir() / ".build-key"
    return stamp.is_file() and stamp.read_text() == cache_key(plan())


def build(force: bool = False, log=print) -> Path:
    jobs = plan()
    key = cache_key(jobs)
    target = paths.assets_dir()
    stamp = target / ".build-key"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / "build.lock", "w") as lock:
        if not _try_lock(lock):
            log("mirror: another build is running; waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and stamp.is_file() and stamp.read_text() == key:
            log(f"mirror: assets are current in {target}")
            return target
        return _build(jobs, key, target, log)


def _try_lock(lock) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _build(jobs, key, target, log) -> Path:
    started = time.monotonic()
    for leftover in target.parent.glob("assets.partial*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix="assets.partial-", dir=target.parent))
    windows = sum(len(job.windows) for job in jobs)
    log(f"mirror: building {len(jobs)} items ({windows} windows) into {target} (about a minute on 2 cores)")
    scratches = []
    try:
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            mrdem = pool.submit(build_national, staging)  # beside the tiles, on whichever worker is free
            built, twins, pending = {}, [], []
            for job in jobs:
                files = job_files(job, staging)
                write_descriptions(job, files)
                twin = built.setdefault(job.rasters, job)
                if twin is not job:
                    twins.append((job, twin))
                    continue
                job_started = time.monotonic()
                scratches.append(paths.scratch(staging))
                assemblies = start_raster_assets(job, files, scratches[-1], pool)
                pending.append((job, assemblies, scratches[-1], job_started))
                if len(pending) > 1:  # one job's COGs assemble while the next one's terrain is computed
                    _finish(pending.pop(0), log)
            for waiting in pending:
                _finish(waiting, log)
            for job, twin in twins:
                for key_ in RASTER_KEYS:
                    if key_ in job.files and key_ in twin.files:
                        os.link(staging / twin.files[key_], staging / job.files[key_])
                log(f"mirror:   {job.item_id}: rasters linked to {twin.item_id}'s")
            log(
                f"mirror:   {national.ITEM}: national overviews and {len(national.PATCHES)} patches "
                f"in {mrdem.result():.0f} s"
            )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for scratch in scratches:
            shutil.rmtree(scratch, ignore_errors=True)
    (staging / ".build-key").write_text(key)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    files = [f.stat() for f in target.rglob("*") if f.is_file()]
    size, disk = sum(f.st_size for f in files), sum(f.st_blocks * 512 for f in files)
    log(
        f"mirror: built in {time.monotonic() - started:.0f} s, {size / 1e9:.2f} GB of files, "
        f"{disk / 1e9:.2f} GB on disk"
    )
    return target


def _finish(pending, log) -> None:
    job, assemblies, scratch, started = pending
    for assembly in assemblies:
        assembly.result()
    shutil.rmtree(scratch)
    shape = f"{job.shape[1]} x {job.shape[0]} px"
    parts = ", ".join(f"{window.block} {window.area.width} x {window.area.height}" for window in job.windows)
    log(f"mirror:   {job.item_id}: {shape}, {parts or 'no data in any block'}, in {time.monotonic() - started:.0f} s")


def build_national(root: Path) -> float:
    started = time.monotonic()
    national.build(*national_item(), root)
    return time.monotonic() - started


def job_files(job: Job, root: Path) -> dict:
    files = {key: root / relative for key, relative in job.files.items()}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    return files


def main(force: bool = False) -> int:
    build(force=force, log=lambda message: print(message, file=sys.stderr))
    return 0
