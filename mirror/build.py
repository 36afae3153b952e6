"""``python -m mirror build``: the mirror's assets, generated deterministically into the cache.

For every item of the catalog whose tile meets a build region, the region's part
of the tile is written on the live pixel grid (the tile's origin and resolution,
windows aligned to its 512 x 512 blocks): DTM and DSM COGs, their hillshades,
VRTs with the live full-tile size, the extent GeoJSON, the coverage GeoPackage
and a thumbnail. The 2 m tiles' overviews reach further, over tutorial 08's region
(OVERVIEW_REGIONS); MRDEM-30 is built by ``national.py``. Everything else in the
catalog answers 404, as a missing key.
"""

import fcntl
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import shapely
from pyproj import Transformer
from rasterio.features import geometry_mask
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import box, mapping

from mirror import ASSET_ROOT, CATALOG_DIR, PACKAGE_DIR, national, paths, snapshot, terrain
from mirror.pyramid import Pyramid
from mirror.shading import HILLSHADE_NODATA, hillshade, write_png
from mirror.tiles import BLOCK, GRID_CRS, to_grid, window_on_grid
from mirror.vrt import vrt_xml

CHUNK_ROWS = 1024
NODATA = terrain.NODATA
OTTAWA_AOI_3979 = (1498068.33, -186524.45, 1522103.68, -164429.19)

# (collection, region in EPSG:3979): the whole Ottawa AOI at 2 m, its centre at 1 m,
# a band that reaches across x = 1,500,000 m so both tiles exist at 1 m too.
# and a Metro Vancouver block (4 km x 3 km at 1 m) for every LiDAR project that claims it and
# for the 1 m mosaic (which there equals its newest project, 2023, pixel for pixel, as live).
BUILD_REGIONS = [
    ("hrdem-mosaic-2m", (1497800, -186700, 1522300, -164200)),
    ("hrdem-mosaic-1m", (1499000, -177500, 1513000, -173500)),
    ("hrdem-lidar", (-1979500, 470500, -1975500, 473500)),
    ("hrdem-mosaic-1m", (-1979500, 470500, -1975500, 473500)),
    # Around Ulukhaktok (Victoria Island), lon -117.86..-117.70, lat 70.71..70.76: ArcticDEM and the
    # northern 2 m mosaic tile, DSM only.
    ("hrdem-arcticdem", (-805000, 2508000, -797500, 2515000)),
    ("hrdem-mosaic-2m", (-805000, 2508000, -797500, 2515000)),
]
# Coarser data over a larger region (collection -> (lon/lat box, coarsest factor with no data outside the
# build region)): the 2 m tiles' overviews of factor 4 (8 m) and coarser cover the Ottawa-Gatineau region
# of tutorial 08, 12 times the Ottawa AOI; full resolution and the 4 m overview stay the AOI's.
OVERVIEW_REGIONS = {"hrdem-mosaic-2m": ((-76.25, 45.05, -75.35, 45.55), 4)}
OVERVIEW_LATTICE_M = 64.0
# Where a LiDAR project really has data (lon/lat), when it is less than its footprint claims
# (invented: the two cities meet at -123.075 here, so both have data in the Vancouver block).
# The Sunshine Coast survey's footprint covers Vancouver; its data stop west of Howe Sound.
LIDAR_COVERAGE = {
    "VILLE_VANCOUVER-VILLE_VANCOUVER-1m": (-123.225, 49.198, -123.075, 49.315),
    "VILLE_BURNABY-VILLE_BURNABY-1m": (-123.075, 49.180, -122.890, 49.300),
    "BC-Vancouver_Island_Sunshine_Coast_2018-1m": (-124.600, 49.350, -123.350, 50.200),
}
DEM_KEYS = ("dtm", "dsm")
COG_OPTIONS = dict(driver="COG", compress="LZW", predictor=1, blocksize=BLOCK,
                   overview_resampling="average", BIGTIFF="IF_SAFER")


@dataclass(frozen=True)
class Job:
    item_id: str
    collection: str
    resolution: int
    tile_transform: tuple
    tile_shape: tuple  # the item's proj:shape (rows, cols)
    window: tuple  # (col_off, row_off, width, height) on the tile's grid
    files: dict  # asset key -> path under the assets folder
    epoch: int  # the year the ground is shown as: a LiDAR project's survey, a mosaic's newest project
    coverage: tuple | None  # lon/lat box of the real data, when less than the footprint
    cog_window: tuple  # the COG's extent on the tile's grid: ``window``, or the overview region around it
    overview_factor: int | None  # the region's overviews start at this factor (None: no region)

    @property
    def rasters(self) -> tuple:
        """What the rasters depend on: jobs that agree here have the same pixels (ArcticDEM and the
        northern mosaic tile made from it)."""
        return (self.tile_transform, self.window, self.epoch, self.coverage, self.cog_window, self.overview_factor)

    @property
    def pixels(self) -> int:
        return self.window[2] * self.window[3]


def plan() -> list[Job]:
    jobs = []
    catalog = snapshot.read(CATALOG_DIR)
    for collection, region in BUILD_REGIONS:
        for feature in catalog.items[collection]:
            window = window_on_grid(feature["properties"]["proj:transform"],
                                    feature["properties"]["proj:shape"], region)
            if window is None:
                continue
            files = {key: asset["href"][len(ASSET_ROOT):] for key, asset in feature["assets"].items()
                     if asset["href"].startswith(ASSET_ROOT)}
            properties = feature["properties"]
            epoch = int(properties["datetime"][:4])
            cog_window, factor = window, None
            if collection in OVERVIEW_REGIONS and "dtm" in files:
                lonlat_box, factor = OVERVIEW_REGIONS[collection]
                cog_window = window_on_grid(properties["proj:transform"], properties["proj:shape"],
                                            region_polygon(lonlat_box).bounds, align=BLOCK * factor)
            jobs.append(Job(feature["id"], collection, properties["proj:transform"][1],
                            tuple(properties["proj:transform"]), tuple(properties["proj:shape"]), window,
                            files, epoch, LIDAR_COVERAGE.get(feature["id"]), cog_window, factor))
    return sorted(jobs, key=lambda job: -job.pixels)


def region_polygon(lonlat_box):
    return to_grid(box(*lonlat_box), 0.01)


def national_item():
    """The MRDEM-30 item, and the 2 m tiles that have a DTM (its HRDEM source)."""
    catalog = snapshot.read(CATALOG_DIR)
    item = next(feature for feature in catalog.items[national.COLLECTION] if feature["id"] == national.ITEM)
    dtm_tiles = sorted(feature["id"].split("-")[0] for feature in catalog.items["hrdem-mosaic-2m"]
                       if "dtm" in feature["assets"])
    return item, dtm_tiles


def cache_key(jobs: list[Job]) -> str:
    digest = hashlib.sha256()
    for source in ("build.py", "terrain.py", "tiles.py", "national.py", "pyramid.py", "cog_assembly.py",
                   "shading.py", "vrt.py"):
        digest.update((PACKAGE_DIR / source).read_bytes())
    digest.update(national.OUTLINE.read_bytes())
    digest.update(repr(national_item()).encode())
    digest.update(repr(jobs).encode())
    digest.update(f"{rasterio.__version__} {rasterio.__gdal_version__} {np.__version__}".encode())
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
    log(f"mirror: building {len(jobs)} tile windows into {target} (about a minute on 2 cores)")
    try:
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            mrdem = pool.submit(build_national, staging)  # beside the tiles, on whichever worker is free
            built = {}
            for job in jobs:
                twin = built.setdefault(job.rasters, job)
                seconds = build_job(job, staging, pool, twin=None if twin is job else twin)
                copied = f" (rasters copied from {twin.item_id})" if twin is not job else ""
                log(f"mirror:   {job.item_id}: {job.window[2]} x {job.window[3]} px in {seconds:.0f} s{copied}")
            log(f"mirror:   {national.ITEM}: national overviews and {len(national.PATCHES)} patches "
                f"in {mrdem.result():.0f} s")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / ".build-key").write_text(key)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    log(f"mirror: built in {time.monotonic() - started:.0f} s, {size / 1e9:.2f} GB")
    return target


def build_national(root: Path) -> float:
    started = time.monotonic()
    national.build(*national_item(), root)
    return time.monotonic() - started


RASTER_KEYS = ("dtm", "dsm", "hillshade-dtm", "hillshade-dsm", "thumbnail")


def build_job(job: Job, root: Path, pool, twin: Job | None = None) -> float:
    started = time.monotonic()
    files = {key: root / relative for key, relative in job.files.items()}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    if twin is None:
        write_raster_assets(job, files, root, pool)
    else:
        for key in RASTER_KEYS:
            if key in files and key in twin.files:
                shutil.copyfile(root / twin.files[key], files[key])
    write_descriptions(job, files)
    return time.monotonic() - started


def write_raster_assets(job: Job, files: dict, root: Path, pool) -> None:
    x0, res, _, y0, _, _ = job.tile_transform
    col0, row0, width, height = job.window
    transform = from_origin(x0 + col0 * res, y0 - row0 * res, res, res)
    scratch = paths.scratch(root)
    raw = {name: scratch / f"{name}.tif" for name in ("dtm", "dsm", "hillshade-dtm", "hillshade-dsm")}
    write_rasters(raw, transform, width, height, res, pool, job.epoch, coverage_in_grid(job.coverage))
    if job.overview_factor:
        region = {name: scratch / f"region-{name}.tif" for name in DEM_KEYS}
        write_region(region, job, pool)
        pyramids = [(job, raw[name], region[name], files[name], scratch) for name in DEM_KEYS if name in files]
        conversions = [(source, files[name]) for name, source in raw.items() if name in files and name not in DEM_KEYS]
        list(pool.map(to_cog, conversions))
        list(pool.map(to_region_cog, pyramids))
    else:
        conversions = [(source, files[name]) for name, source in raw.items() if name in files]
        list(pool.map(to_cog, conversions))
    if "thumbnail" in files:
        write_thumbnail(files["thumbnail"], raw["hillshade-dtm"])
    shutil.rmtree(scratch)


def write_descriptions(job: Job, files: dict) -> None:
    """VRTs, extent and coverage."""
    x0, res, _, y0, _, _ = job.tile_transform
    coverage = coverage_in_grid(job.coverage)
    for key, vrt_key in (("dtm", "dtm-vrt"), ("dsm", "dsm-vrt")):
        if vrt_key in files and key in files:
            rows, cols = job.tile_shape
            files[vrt_key].write_text(vrt_xml(f"{ASSET_ROOT}{job.files[key]}", (cols, rows), (x0, res, y0),
                                              "float32", NODATA, source_window=job.cog_window))
    cog_col0, cog_row0, cog_width, cog_height = job.cog_window
    cog_transform = from_origin(x0 + cog_col0 * res, y0 - cog_row0 * res, res, res)
    footprint = coverage if coverage is not None else coverage_polygon(cog_transform, cog_width, cog_height)
    if "extent" in files:
        files["extent"].write_text(json.dumps(extent_feature(job, footprint)))
    if "coverage" in files:
        write_coverage(files["coverage"], footprint)


def coverage_in_grid(lonlat_box):
    if lonlat_box is None:
        return None
    return to_grid(box(*lonlat_box), 0.005)


def write_rasters(raw, transform, width, height, res, pool, epoch, coverage):
    """Terrain in chunks of rows, computed by ``pool``, written here in order."""
    dem_profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs=GRID_CRS, transform=transform, nodata=NODATA, tiled=True,
                       blockxsize=BLOCK, blockysize=BLOCK)
    shade_profile = dict(dem_profile, dtype="uint8", nodata=HILLSHADE_NODATA)
    outputs = {name: rasterio.open(path, "w", **(shade_profile if "hillshade" in name else dem_profile))
               for name, path in raw.items()}
    starts = list(range(0, height, CHUNK_ROWS))
    coverage_wkb = None if coverage is None else shapely.to_wkb(coverage)
    chunks = [(transform.c, transform.f, res, width, start, min(CHUNK_ROWS, height - start), epoch, coverage_wkb)
              for start in starts]
    try:
        for start, rasters in zip(starts, pool.map(chunk_rasters, chunks)):
            window = Window(0, start, width, rasters["dtm"].shape[0])
            for name, values in rasters.items():
                outputs[name].write(values, 1, window=window)
    finally:
        for dataset in outputs.values():
            dataset.close()


def write_region(region, job: Job, pool):
    """DTM and DSM over the COG's whole window at the region's first overview factor, from a
    coarser lattice (the region has no full-resolution data to stay consistent with)."""
    factor = job.overview_factor
    x0, res, _, y0, _, _ = job.tile_transform
    col0, row0, width, height = job.cog_window
    coarse_res = res * factor
    left, top = x0 + col0 * res, y0 - row0 * res
    cols, rows = math.ceil(width / factor), math.ceil(height / factor)
    profile = dict(driver="GTiff", width=cols, height=rows, count=1, dtype="float32", crs=GRID_CRS,
                   transform=from_origin(left, top, coarse_res, coarse_res), nodata=NODATA, tiled=True,
                   blockxsize=BLOCK, blockysize=BLOCK)
    starts = list(range(0, rows, CHUNK_ROWS))
    outline = shapely.to_wkb(region_polygon(OVERVIEW_REGIONS[job.collection][0]))
    chunks = [(left, top, coarse_res, cols, start, min(CHUNK_ROWS, rows - start), job.epoch, outline)
              for start in starts]
    outputs = {name: rasterio.open(path, "w", **profile) for name, path in region.items()}
    try:
        for start, (dtm, dsm) in zip(starts, pool.map(region_chunk, chunks)):
            window = Window(0, start, cols, dtm.shape[0])
            outputs["dtm"].write(dtm, 1, window=window)
            outputs["dsm"].write(dsm, 1, window=window)
    finally:
        for dataset in outputs.values():
            dataset.close()


def region_chunk(chunk):
    left, top, res, width, start, rows, epoch, outline_wkb = chunk
    xs = left + (np.arange(width) + 0.5) * res
    ys = top - (np.arange(start, start + rows) + 0.5) * res
    dtm, dsm = terrain.surface_models(xs, ys, epoch, lattice_m=OVERVIEW_LATTICE_M)
    outside = geometry_mask([shapely.from_wkb(outline_wkb)], out_shape=dtm.shape,
                            transform=from_origin(left, top - start * res, res, res))
    dtm[outside] = NODATA  # no data beyond the region: its blocks stay empty in the COG
    dsm[outside] = NODATA
    # Whole eighths of a metre: plenty at 8 m, and it halves the region's share of the cache.
    return [np.where(dem == NODATA, dem, np.round(dem * 8) / 8).astype(np.float32) for dem in (dtm, dsm)]


def to_region_cog(task):
    """The COG over the region: the region's overviews, then the build window's full resolution
    and every overview of it pasted over them, so that the window reads as it always did."""
    job, raw_path, region_path, target, scratch = task
    x0, res, _, y0, _, _ = job.tile_transform
    col0, row0, width, height = job.cog_window
    pyramid = Pyramid(scratch, target.stem, width, height, from_origin(x0 + col0 * res, y0 - row0 * res, res, res),
                      GRID_CRS, "float32", NODATA)
    with rasterio.open(region_path) as region:
        pyramid.paste_down(job.overview_factor, region.read(1), 0, 0)
    with rasterio.open(raw_path) as window:
        pyramid.paste_down(1, window.read(1), job.window[1] - row0, job.window[0] - col0)
    pyramid.assemble(target)


def to_cog(conversion):
    source, target = conversion
    with rasterio.open(source) as src:
        rasterio.shutil.copy(src, target, **COG_OPTIONS)


def chunk_rasters(chunk):
    """DTM, DSM and their hillshades for ``rows`` rows from ``start``, with a one-row halo
    so the hillshade has no seams between chunks."""
    left, top, res, width, start, rows, epoch, coverage_wkb = chunk
    xs = left + (np.arange(width) + 0.5) * res
    ys = top - (np.arange(start - 1, start + rows + 1) + 0.5) * res
    dtm, dsm = terrain.surface_models(xs, ys, epoch)
    if coverage_wkb is not None:
        outside = geometry_mask([shapely.from_wkb(coverage_wkb)], out_shape=dtm.shape,
                                transform=from_origin(left, top - (start - 1) * res, res, res))
        dtm[outside] = NODATA
        dsm[outside] = NODATA
    return {"dtm": dtm[1:-1], "dsm": dsm[1:-1],
            "hillshade-dtm": hillshade(dtm, res)[1:-1], "hillshade-dsm": hillshade(dsm, res)[1:-1]}


def coverage_polygon(transform, width, height):
    """The window's footprint in EPSG:3979, less the coverage holes."""
    left, top = transform.c, transform.f
    footprint = box(left, top - height * transform.a, left + width * transform.a, top)
    for cx, cy, radius in terrain.COVERAGE_HOLES:
        footprint = footprint.difference(shapely.Point(cx, cy).buffer(radius, quad_segs=16))
    return footprint


def extent_feature(job: Job, footprint):
    to_lonlat = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True)
    dense = shapely.segmentize(footprint, 250)
    lonlat = shapely.transform(dense, lambda xy: np.round(np.column_stack(
        to_lonlat.transform(xy[:, 0], xy[:, 1])), 6))
    return {"type": "Feature", "properties": {"id": job.item_id, "collection": job.collection},
            "geometry": mapping(lonlat)}


def write_coverage(path: Path, footprint):
    import geopandas
    import pyogrio

    frame = geopandas.GeoDataFrame({"coverage": [1]}, geometry=[footprint], crs=GRID_CRS)
    # A fixed timestamp in gpkg_contents, so the file is the same at every build (pyogrio has its own GDAL).
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-03-24T18:03:29Z"})
    frame.to_file(path, driver="GPKG", layer="coverage", engine="pyogrio")


def write_thumbnail(path: Path, raw_source: Path, size: int = 256):
    with rasterio.open(raw_source) as src:
        scale = size / max(src.width, src.height)
        shape = (max(1, round(src.height * scale)), max(1, round(src.width * scale)))
        data = src.read(1, out_shape=shape)
    write_png(path, data)


def main(force: bool = False) -> int:
    build(force=force, log=lambda message: print(message, file=sys.stderr))
    return 0
