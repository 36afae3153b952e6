"""The terrain of a job's windows, computed in chunks of rows by a process pool, and each COG of the
job assembled at the item's full size from them (``pyramid.py``, ``cog_assembly.py``)."""

import math
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.features import geometry_mask
from rasterio.transform import from_origin
from rasterio.windows import Window

from mirror import terrain
from mirror.plan import DEM_KEYS, PYRAMID_KEYS, BuildWindow, Job, extent_polygon, region_polygon
from mirror.pyramid import Pyramid
from mirror.shading import HILLSHADE_NODATA, hillshade
from mirror.tiles import BLOCK, GRID_CRS
from mirror.writers import write_thumbnail

NODATA = terrain.NODATA
# Rows of terrain per task: small arrays stay in the allocator's heap (1024 rows cost twice the CPU in page faults).
CHUNK_ROWS = 256
OVERVIEW_LATTICE_M = 64.0


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
