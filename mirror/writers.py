"""The files that describe a job's item: VRTs of the full file, the extent GeoJSON and coverage
GeoPackage (where the data are, not the full grid), and the thumbnail."""

import json
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import from_origin
from shapely.geometry import mapping

from mirror import ASSET_ROOT, terrain
from mirror.plan import Job, extent_polygon
from mirror.shading import write_png
from mirror.tiles import GRID_CRS
from mirror.vrt import vrt_xml

NODATA = terrain.NODATA


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
