"""``python -m mirror build``: the mirror's assets, generated deterministically into the cache.

Every COG has its item's live size (``proj:transform`` and ``proj:shape``: a 2 m mosaic tile
is 250,000 px square) and GDAL's default overview count, and is sparse: it holds data only
in the build windows, where some block of ``BLOCKS`` meets the item, and is empty (nodata,
no bytes) elsewhere. A job is one item and its list of windows, each on the item's pixel
grid (whole 512 x 512 blocks) with the year its ground is shown as and where the item has
data; every window is pasted into one file per asset (``pyramid.py``, ``cog_assembly.py``).
The job writes DTM and DSM COGs, their hillshades, VRTs of the full file, the extent
GeoJSON and coverage GeoPackage (where the data are, not the full grid) and a thumbnail.
The 2 m tiles' overviews reach further, over tutorial 08's region (``Block.overviews``);
MRDEM-30 is built by ``national.py``. Everything else in the catalog answers 404, as a
missing key.
"""

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
import shapely
from pyproj import Transformer
from rasterio.features import geometry_mask, rasterize
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import box, mapping

from mirror import ASSET_ROOT, CATALOG_DIR, PACKAGE_DIR, national, paths, regions, snapshot, terrain
from mirror.pyramid import Pyramid
from mirror.shading import HILLSHADE_NODATA, hillshade, write_png
from mirror.tiles import BLOCK, GRID_CRS, to_grid, window_on_grid
from mirror.vrt import vrt_xml

try:
    import fcntl
except ImportError:  # Windows has no flock: there, two builds at once are not kept apart
    fcntl = None

# Rows of terrain per task: small arrays stay in the allocator's heap (1024 rows cost twice the CPU in page faults).
CHUNK_ROWS = 256
NODATA = terrain.NODATA
OTTAWA_AOI_3979 = (1498068.33, -186524.45, 1522103.68, -164429.19)
OVERVIEW_LATTICE_M = 64.0


@dataclass(frozen=True)
class Block:
    """A place the build writes at full resolution (EPSG:3979 bounds), for every item of
    ``collections`` whose grid meets it (widened on the item's grid to whole 512-px blocks)."""

    name: str
    bounds: tuple
    collections: tuple
    # (lon/lat box, factor): from the overview of this factor on, data over the box as well, from a
    # coarser lattice (the box has no full-resolution data to stay consistent with).
    overviews: tuple | None = None


BLOCKS = (
    # The whole Ottawa AOI at 2 m, with 8 m overviews over tutorial 08's Ottawa-Gatineau region
    # (12 times the AOI); full resolution and the 4 m overview stay the AOI's.
    Block(
        "ottawa",
        (1497800, -186700, 1522300, -164200),
        ("hrdem-mosaic-2m",),
        overviews=((-76.25, 45.05, -75.35, 45.55), 4),
    ),
    # Its centre at 1 m, a band that reaches across x = 1,500,000 m so both tiles exist at 1 m too.
    Block("ottawa-1m", (1499000, -177500, 1513000, -173500), ("hrdem-mosaic-1m",)),
    # Metro Vancouver as recorded (mirror/LIVE-API.md, F-VAN-CITYHALL, F-VAN-MAPLE, F-VAN-MAPLE-OVERLAP), at
    # 1 m, for every LiDAR project whose footprint claims the block and for the mosaic, which there is
    # the newest project whose data cover the block, pixel for pixel. CITY, 3 km x 3 km around City
    # Hall: VILLE_VANCOUVER 2013 and BC-Lower_Mainland_2016 have data (the mosaic is 2016). MAPLE,
    # 2 km x 2 km around Maple Ridge: BC-Lower_Mainland_2016 and FHIMP 2023 (the mosaic is 2023).
    Block("city", (-1980000, 472000, -1977000, 475000), ("hrdem-lidar", "hrdem-mosaic-1m")),
    Block("maple", (-1947500, 452500, -1945500, 454500), ("hrdem-lidar", "hrdem-mosaic-1m")),
    # Around Ulukhaktok (Victoria Island), lon -117.86..-117.70, lat 70.71..70.76: ArcticDEM and the
    # northern 2 m mosaic tile, DSM only.
    Block("ulukhaktok", (-805000, 2508000, -797500, 2515000), ("hrdem-arcticdem", "hrdem-mosaic-2m")),
)
MOSAICS = ("hrdem-mosaic-1m", "hrdem-mosaic-2m")
# Every item of these is built, with empty COGs where no block meets it: a search over Metro Vancouver
# returns projects whose footprints miss both blocks (Burnaby, Surrey), and their extent files are
# what a reader opens to see where their data are. Empty files cost almost nothing (no terrain).
EVERY_ITEM = ("hrdem-lidar",)
DEM_KEYS = ("dtm", "dsm")
PYRAMID_KEYS = ("dtm", "dsm", "hillshade-dtm", "hillshade-dsm")  # the COGs of a job
RASTER_KEYS = (*PYRAMID_KEYS, "thumbnail")
SOURCES = (
    "build.py",
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


@dataclass(frozen=True)
class Area:
    """Whole pixels of an item's grid: ``width`` columns from ``col``, ``height`` rows from ``row``."""

    col: int
    row: int
    width: int
    height: int

    @classmethod
    def on_grid(cls, transform, shape, bounds, align: int = BLOCK):
        window = window_on_grid(transform, shape, bounds, align=align)
        return None if window is None else cls(*window)

    def transform(self, grid):
        x0, res, _, y0, _, _ = grid
        return from_origin(x0 + self.col * res, y0 - self.row * res, res, res)

    def polygon(self, grid):
        left, top, res = self.transform(grid).c, self.transform(grid).f, grid[1]
        return box(left, top - self.height * res, left + self.width * res, top)

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class BuildWindow:
    """One block's part of an item: where on its grid, the year its ground is shown as (a LiDAR
    project's survey; for a mosaic, its newest project that covers the block), and where in it the
    item has data (lon/lat boxes; None: all of it)."""

    block: str
    area: Area
    epoch: int
    coverage: tuple | None
    overview_area: Area | None = None  # the block's overview region on the grid (whole blocks of its level)
    overview_factor: int | None = None
    overview_box: tuple | None = None  # that region in lon/lat


@dataclass(frozen=True)
class Job:
    """An item, and the windows the build writes into its files (none: every COG empty)."""

    item_id: str
    collection: str
    transform: tuple  # proj:transform, GDAL order
    shape: tuple  # proj:shape (rows, cols)
    files: dict  # asset key -> path under the assets folder
    windows: tuple  # BuildWindow, in BLOCKS order
    data_extent: tuple | None  # lon/lat boxes where the item has data (None: where its windows are)

    @property
    def rasters(self) -> tuple:
        """What the rasters depend on: jobs that agree here have the same pixels (ArcticDEM and the
        northern mosaic tile made from it)."""
        return (self.transform, self.shape, self.windows, tuple(key for key in RASTER_KEYS if key in self.files))

    @property
    def pixels(self) -> int:
        return sum(window.area.pixels for window in self.windows)


def plan() -> list[Job]:
    catalog = snapshot.read(CATALOG_DIR)
    projects = catalog.items.get("hrdem-lidar", [])
    jobs = []
    for collection, features in catalog.items.items():
        blocks = [block for block in BLOCKS if collection in block.collections]
        for feature in features if blocks or collection in EVERY_ITEM else []:
            job = plan_item(feature, collection, blocks, projects)
            if job is not None:
                jobs.append(job)
    return sorted(jobs, key=lambda job: -job.pixels)


def plan_item(feature, collection, blocks, projects) -> Job | None:
    """The item's job: one window per block its grid meets, less those where it has no data."""
    properties = feature["properties"]
    transform, shape = tuple(properties["proj:transform"]), tuple(properties["proj:shape"])
    extent = data_extent(feature) if collection == "hrdem-lidar" else None
    windows, claimed = [], False
    for block in blocks:
        area = Area.on_grid(transform, shape, block.bounds)
        if area is None:
            continue
        claimed = True
        if extent is not None and extent_polygon(extent).intersection(area.polygon(transform)).area == 0:
            continue  # the footprint claims the block, the data are elsewhere
        epoch = int(properties["datetime"][:4])
        if collection in MOSAICS:
            epoch = newest_covering_year(block, projects) or epoch
        overview_area = factor = lonlat_box = None
        if block.overviews is not None:
            lonlat_box, factor = block.overviews
            overview_area = Area.on_grid(transform, shape, region_polygon(lonlat_box).bounds, align=BLOCK * factor)
        windows.append(BuildWindow(block.name, area, epoch, extent, overview_area, factor, lonlat_box))
    if not claimed and collection not in EVERY_ITEM:
        return None
    files = {
        key: asset["href"][len(ASSET_ROOT) :]
        for key, asset in feature["assets"].items()
        if asset["href"].startswith(ASSET_ROOT)
    }
    return Job(feature["id"], collection, transform, shape, files, tuple(windows), extent)


def data_extent(feature) -> tuple | None:
    """Where a LiDAR project has data (lon/lat boxes, from ``regions.py``, which the catalog's
    footprints are drawn from too), or None when the data fill its footprint."""
    boxes = regions.LIDAR_DATA.get(feature["id"])
    return None if boxes is None else tuple(tuple(lonlat_box) for lonlat_box in boxes)


def extent_polygon(lonlat_boxes):
    """Lon/lat boxes in EPSG:3979, their edges curved as they should be."""
    parts = [to_grid(box(*lonlat_box), 0.005) for lonlat_box in lonlat_boxes]
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def newest_covering_year(block: Block, projects) -> int | None:
    """The year of the newest LiDAR project whose data cover the whole block (as the live mosaic
    takes the most recent source), or None."""
    square = box(*block.bounds)
    covering = [feature["properties"]["datetime"] for feature in projects if project_data(feature).contains(square)]
    return int(max(covering)[:4]) if covering else None


def project_data(feature):
    extent = data_extent(feature)
    if extent is not None:
        return extent_polygon(extent)
    x0, res, _, y0, _, _ = feature["properties"]["proj:transform"]
    rows, cols = feature["properties"]["proj:shape"]
    return box(x0, y0 - rows * res, x0 + cols * res, y0)


def region_polygon(lonlat_box):
    return to_grid(box(*lonlat_box), 0.01)


def national_item():
    """The MRDEM-30 item, and the 2 m tiles that have a DTM (its HRDEM source)."""
    catalog = snapshot.read(CATALOG_DIR)
    item = next(feature for feature in catalog.items[national.COLLECTION] if feature["id"] == national.ITEM)
    dtm_tiles = sorted(
        feature["id"].split("-")[0] for feature in catalog.items["hrdem-mosaic-2m"] if "dtm" in feature["assets"]
    )
    return item, dtm_tiles


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


def start_raster_assets(job: Job, files: dict, scratch: Path, pool) -> list:
    """Compute every window's terrain into ``scratch`` (here, in chunks computed by ``pool``), write
    the thumbnail, and hand each COG's assembly to ``pool``: the futures."""
    keys = [key for key in PYRAMID_KEYS if key in files]
    layers = set(keys) | ({"hillshade-dtm"} if "thumbnail" in files else set())
    windows = {key: [] for key in keys}
    regions = {key: [] for key in keys}
    shaded = None
    for index, window in enumerate(job.windows):
        raw = {name: scratch / f"{index}-{name}.tif" for name in PYRAMID_KEYS if name in layers}
        write_rasters(raw, job, window, pool)
        for key in keys:
            windows[key].append((window.area, raw[key]))
        if window.overview_area is not None and any(key in keys for key in DEM_KEYS):
            region = {name: scratch / f"{index}-region-{name}.tif" for name in DEM_KEYS}
            write_region(region, job, window, pool)
            for key in DEM_KEYS:
                if key in keys:
                    regions[key].append((window.overview_area, window.overview_factor, region[key]))
        if shaded is None or window.area.pixels > shaded[0]:
            shaded = (window.area.pixels, raw.get("hillshade-dtm"))
    if "thumbnail" in files:
        write_thumbnail(files["thumbnail"], shaded[1] if shaded else None, job)
    return [
        pool.submit(assemble_cog, (job.transform, job.shape, key, windows[key], regions[key], files[key], scratch))
        for key in keys
    ]


def assemble_cog(task) -> None:
    """One COG at the item's full size: the overview regions first, then every window's full resolution
    and its overviews pasted over them."""
    transform, shape, key, windows, regions, target, scratch = task
    x0, res, _, y0, _, _ = transform
    rows, cols = shape
    dtype, nodata = ("uint8", HILLSHADE_NODATA) if key.startswith("hillshade") else ("float32", NODATA)
    pyramid = Pyramid(scratch, target.stem, cols, rows, from_origin(x0, y0, res, res), GRID_CRS, dtype, nodata)
    for area, factor, path in regions:
        with rasterio.open(path) as region:
            pyramid.paste_down(factor, region.read(1), area.row // factor, area.col // factor)
    for area, path in windows:
        with rasterio.open(path) as window:
            pyramid.paste_down(1, window.read(1), area.row, area.col)
    pyramid.assemble(target)


def write_descriptions(job: Job, files: dict) -> None:
    """VRTs of the full file, extent and coverage (where the data are)."""
    x0, res, _, y0, _, _ = job.transform
    rows, cols = job.shape
    for key, vrt_key in (("dtm", "dtm-vrt"), ("dsm", "dsm-vrt")):
        if vrt_key in files and key in files:
            files[vrt_key].write_text(
                vrt_xml(f"{ASSET_ROOT}{job.files[key]}", (cols, rows), (x0, res, y0), "float32", NODATA)
            )
    footprint = data_footprint(job)
    if "extent" in files:
        files["extent"].write_text(json.dumps(extent_feature(job, footprint)))
    if "coverage" in files:
        write_coverage(files["coverage"], footprint)


def data_footprint(job: Job):
    """Where the item has data, in EPSG:3979: its data extent, or else its windows (with their
    overview regions) less the coverage holes."""
    if job.data_extent is not None:
        return extent_polygon(job.data_extent)
    parts = [(window.overview_area or window.area).polygon(job.transform) for window in job.windows]
    footprint = parts[0] if len(parts) == 1 else shapely.union_all(parts)  # (empty without windows)
    for cx, cy, radius in terrain.COVERAGE_HOLES:
        footprint = footprint.difference(shapely.Point(cx, cy).buffer(radius, quad_segs=16))
    return footprint


def write_rasters(raw, job: Job, window: BuildWindow, pool):
    """The window's terrain (the layers of ``raw``) in chunks of rows, computed by ``pool``, written
    here in order."""
    transform = window.area.transform(job.transform)
    width, height, res = window.area.width, window.area.height, job.transform[1]
    dem_profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": GRID_CRS,
        "transform": transform,
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": BLOCK,
        "blockysize": BLOCK,
    }
    shade_profile = {**dem_profile, "dtype": "uint8", "nodata": HILLSHADE_NODATA}
    outputs = {
        name: rasterio.open(path, "w", **(shade_profile if "hillshade" in name else dem_profile))
        for name, path in raw.items()
    }
    starts = list(range(0, height, CHUNK_ROWS))
    coverage_wkb = None if window.coverage is None else shapely.to_wkb(extent_polygon(window.coverage))
    chunks = [
        (
            transform.c,
            transform.f,
            res,
            width,
            start,
            min(CHUNK_ROWS, height - start),
            window.epoch,
            coverage_wkb,
            tuple(raw),
        )
        for start in starts
    ]
    try:
        for start, rasters in zip(starts, pool.map(chunk_rasters, chunks)):
            for name, values in rasters.items():
                outputs[name].write(values, 1, window=Window(0, start, width, values.shape[0]))
    finally:
        for dataset in outputs.values():
            dataset.close()


def write_region(region, job: Job, window: BuildWindow, pool):
    """DTM and DSM over the window's overview region at its first overview factor, from a
    coarser lattice (the region has no full-resolution data to stay consistent with)."""
    factor = window.overview_factor
    area = window.overview_area
    coarse_res = job.transform[1] * factor
    left, top = area.transform(job.transform).c, area.transform(job.transform).f
    cols, rows = math.ceil(area.width / factor), math.ceil(area.height / factor)
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "float32",
        "crs": GRID_CRS,
        "transform": from_origin(left, top, coarse_res, coarse_res),
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": BLOCK,
        "blockysize": BLOCK,
    }
    starts = list(range(0, rows, CHUNK_ROWS))
    outline = shapely.to_wkb(region_polygon(window.overview_box))
    chunks = [
        (left, top, coarse_res, cols, start, min(CHUNK_ROWS, rows - start), window.epoch, outline) for start in starts
    ]
    outputs = {name: rasterio.open(path, "w", **profile) for name, path in region.items()}
    try:
        for start, (dtm, dsm) in zip(starts, pool.map(region_chunk, chunks)):
            rows_window = Window(0, start, cols, dtm.shape[0])
            outputs["dtm"].write(dtm, 1, window=rows_window)
            outputs["dsm"].write(dsm, 1, window=rows_window)
    finally:
        for dataset in outputs.values():
            dataset.close()


def region_chunk(chunk):
    left, top, res, width, start, rows, epoch, outline_wkb = chunk
    xs = left + (np.arange(width) + 0.5) * res
    ys = top - (np.arange(start, start + rows) + 0.5) * res
    dtm, dsm = terrain.surface_models(xs, ys, epoch, lattice_m=OVERVIEW_LATTICE_M)
    outside = geometry_mask(
        [shapely.from_wkb(outline_wkb)], out_shape=dtm.shape, transform=from_origin(left, top - start * res, res, res)
    )
    dtm[outside] = NODATA  # no data beyond the region: its blocks stay empty in the COG
    dsm[outside] = NODATA
    # Whole eighths of a metre: plenty at 8 m, and it halves the region's share of the cache.
    return [np.where(dem == NODATA, dem, np.round(dem * 8) / 8).astype(np.float32) for dem in (dtm, dsm)]


def chunk_rasters(chunk):
    """DTM, DSM and their hillshades (those of ``names``) for ``rows`` rows from ``start``, with a
    one-row halo so the hillshade has no seams between chunks."""
    left, top, res, width, start, rows, epoch, coverage_wkb, names = chunk
    xs = left + (np.arange(width) + 0.5) * res
    ys = top - (np.arange(start - 1, start + rows + 1) + 0.5) * res
    dtm, dsm = terrain.surface_models(xs, ys, epoch)
    if coverage_wkb is not None:
        outside = geometry_mask(
            [shapely.from_wkb(coverage_wkb)],
            out_shape=dtm.shape,
            transform=from_origin(left, top - (start - 1) * res, res, res),
        )
        dtm[outside] = NODATA
        dsm[outside] = NODATA
    layers = {
        "dtm": lambda: dtm[1:-1],
        "dsm": lambda: dsm[1:-1],
        "hillshade-dtm": lambda: hillshade(dtm, res)[1:-1],
        "hillshade-dsm": lambda: hillshade(dsm, res)[1:-1],
    }
    return {name: layers[name]() for name in names}


def extent_feature(job: Job, footprint):
    to_lonlat = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True)
    dense = shapely.segmentize(footprint, 250)
    lonlat = shapely.transform(dense, lambda xy: np.round(np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])), 6))
    return {
        "type": "Feature",
        "properties": {"id": job.item_id, "collection": job.collection},
        "geometry": mapping(lonlat),
    }


def write_coverage(path: Path, footprint):
    import geopandas
    import pyogrio

    frame = geopandas.GeoDataFrame({"coverage": [1]}, geometry=[footprint], crs=GRID_CRS)
    # A fixed timestamp in gpkg_contents, so the file is the same at every build (pyogrio has its own GDAL).
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-03-24T18:03:29Z"})
    frame.to_file(path, driver="GPKG", layer="coverage", engine="pyogrio")


def write_thumbnail(path: Path, raw_source: Path | None, job: Job, size: int = 256):
    """The largest window's hillshade; for a job without windows, its data footprint in grey on the
    item's grid (0 elsewhere)."""
    if raw_source is None:
        rows, cols = job.shape
        scale = size / max(rows, cols)
        out_shape = (max(1, round(rows * scale)), max(1, round(cols * scale)))
        x0, res, _, y0, _, _ = job.transform
        footprint = data_footprint(job)
        data = np.zeros(out_shape, np.uint8)
        if not footprint.is_empty:
            data = rasterize(
                [footprint],
                out_shape=out_shape,
                fill=0,
                default_value=128,
                dtype="uint8",
                transform=from_origin(x0, y0, res * cols / out_shape[1], res * rows / out_shape[0]),
            )
        write_png(path, data)
        return
    with rasterio.open(raw_source) as src:
        scale = size / max(src.width, src.height)
        out_shape = (max(1, round(src.height * scale)), max(1, round(src.width * scale)))
        data = src.read(1, out_shape=out_shape)
    write_png(path, data)


def main(force: bool = False) -> int:
    build(force=force, log=lambda message: print(message, file=sys.stderr))
    return 0
