"""MRDEM-30's national COGs on the item's grid (as published in 2024-06, LIVE-API.md F-MRDEM-GRID),
with data where the tutorials read.

Live, every pixel of Canada is there. The mirror fills the overviews of factor 64 and
coarser (1.92 km pixels: enough for a map of the country) with a synthetic relief on
Natural Earth's outline of Canada, and full resolution (with its finer overviews) only
in the small PATCHES the tutorials read. Everything else is empty, so nodata.
Sources (``source`` asset, uint8, 0 = nodata): 10 HRDEM mosaic where a 2 m mosaic tile
has a DTM, 5 a blend in a 20 km rim around them, 1 adjusted GLO-30 elsewhere (the
classes are as mirror/LIVE-API.md infers them, F-ASSETS-MRDEM).
"""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import from_origin
from shapely.geometry import box, shape

from mirror import ASSET_ROOT, PACKAGE_DIR, paths, terrain
from mirror.pyramid import Pyramid
from mirror.shading import hillshade, write_png
from mirror.tiles import GRID_CRS, Tile, to_grid, window_on_grid
from mirror.vrt import vrt_xml

COLLECTION = "mrdem-30"
ITEM = "mrdem"
RESOLUTION = 30
NATIONAL_FACTOR = 64
OUTLINE = PACKAGE_DIR / "data" / "canada-naturalearth-110m.geojson"
# Full resolution exists here (lon/lat): tutorial 07's places.
PATCHES = {
    "ottawa": (-75.85, 45.30, -75.60, 45.45),
    "ulukhaktok": (-117.86, 70.71, -117.70, 70.76),
    "gillam": (-94.90, 56.25, -94.50, 56.45),
}
PATCH_LATTICE_M = 60.0
HILLSHADE_EXAGGERATION = 8  # a 1.92 km pixel's relief is too gentle to shade without it
SOURCE_HRDEM, SOURCE_BLEND, SOURCE_GLO30 = 10, 5, 1
BLEND_RIM_M = 20_000
LAYERS = {  # asset key -> (dtype, nodata)
    "dtm": ("float32", terrain.NODATA),
    "dsm": ("float32", terrain.NODATA),
    "source": ("uint8", 0),
    "hillshade-dtm": ("uint8", 0),
    "hillshade-dsm": ("uint8", 0),
}


def build(item: dict, dtm_tiles: list[str], root: Path) -> None:
    """Write the item's COGs, VRTs and thumbnail under ``root`` (the assets folder)."""
    x0, res, _, y0, _, _ = item["properties"]["proj:transform"]
    rows, cols = item["properties"]["proj:shape"]
    transform = from_origin(x0, y0, res, res)
    files = {key: root / asset["href"][len(ASSET_ROOT) :] for key, asset in item["assets"].items()}
    scratch = paths.scratch(root)
    pyramids = {
        key: Pyramid(
            scratch,
            key,
            cols,
            rows,
            transform,
            GRID_CRS,
            dtype,
            nodata,
            resampling="nearest" if key == "source" else "average",
        )
        for key, (dtype, nodata) in LAYERS.items()
    }

    national = national_layers(transform, rows, cols, dtm_tiles)
    for key, values in national.items():
        pyramids[key].paste_down(NATIONAL_FACTOR, values, 0, 0)
    for lonlat_box in PATCHES.values():
        row, col, layers = patch_layers(lonlat_box, item["properties"]["proj:transform"], (rows, cols), dtm_tiles)
        for key, values in layers.items():
            pyramids[key].paste_down(1, values, row, col, down_to=NATIONAL_FACTOR // 2)

    for key, pyramid in pyramids.items():
        files[key].parent.mkdir(parents=True, exist_ok=True)
        pyramid.assemble(files[key])
        vrt_key = f"{key}-vrt"
        if vrt_key in files:
            files[vrt_key].write_text(vrt_xml(item["assets"][key]["href"], (cols, rows), (x0, res, y0), *LAYERS[key]))
    write_thumbnail(files["thumbnail"], national["hillshade-dtm"])
    shutil.rmtree(scratch)


def national_layers(transform, rows, cols, dtm_tiles) -> dict:
    """Every layer at NATIONAL_FACTOR: relief on the outline of Canada."""
    factor = NATIONAL_FACTOR
    height, width = math.ceil(rows / factor), math.ceil(cols / factor)
    res = transform.a * factor
    coarse = from_origin(transform.c, transform.f, res, res)
    xs = transform.c + (np.arange(width) + 0.5) * res
    ys = transform.f - (np.arange(height) + 0.5) * res
    land = rasterize([outline_3979()], out_shape=(height, width), transform=coarse).astype(bool)
    # The relief on a lattice of twice the pixel size, interpolated: a quarter of the noise to compute.
    elevation, forest = terrain._smooth_fields(xs, ys, relief_and_forest, lattice_m=2 * res)
    inland = _blur(land.astype(np.float64), 12)  # about 25 km of coastal plain
    dtm = (2 + elevation * terrain._smoothstep(inland, 0.45, 0.95)).astype(np.float32)
    dsm = (dtm + 9 * forest).astype(np.float32)
    dtm[~land] = terrain.NODATA
    dsm[~land] = terrain.NODATA
    source = source_classes(land, coarse, dtm_tiles)
    return {
        "dtm": dtm,
        "dsm": dsm,
        "source": source,
        "hillshade-dtm": hillshade(dtm, res / HILLSHADE_EXAGGERATION),
        "hillshade-dsm": hillshade(dsm, res / HILLSHADE_EXAGGERATION),
    }


def relief_and_forest(X, Y):
    """Height above sea level and forest cover (0..1), on an EPSG:3979 meshgrid."""
    lon, lat = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True).transform(X, Y)
    forest = terrain._smoothstep(lat, 44, 47) * (1 - terrain._smoothstep(lat, 57, 62))
    forest = forest * (terrain._fbm(X, Y, [400_000, 100_000], seed=41) > -0.2)
    return relief(lon, lat, X, Y), forest


def relief(lon, lat, X, Y):
    """Metres above sea level, coarse and synthetic: the Cordillera, the plains falling east,
    the Shield, low land around Hudson Bay, mountains on Baffin and Ellesmere, the Appalachians."""
    noise = terrain._fbm(X, Y, [400_000, 200_000, 100_000, 50_000, 25_000, 12_000], seed=42)
    ridges = 1 - np.abs(terrain._fbm(X, Y, [200_000, 80_000, 30_000, 12_000], seed=43))
    front = -114.5 - 0.9 * np.clip(lat - 49, 0, 25)  # the mountain front moves west going north
    cordillera = terrain._smoothstep(front - lon, 0, 2.5)
    plains = terrain._smoothstep(lon, -100, front) * (1 - cordillera) * (lat < 61)
    hudson = np.exp(-(((lon + 86) / 8) ** 2 + ((lat - 57) / 4) ** 2))
    eastern_arctic = terrain._smoothstep(lon, -90, -75) * terrain._smoothstep(lat, 64, 70)
    appalachians = terrain._smoothstep(lon, -73, -68) * (lat < 50)
    height = 320 + 120 * noise
    height += cordillera * (900 + 1300 * ridges**2)
    height += plains * 700 * terrain._smoothstep(lon, -100, front)
    height += eastern_arctic * 900 * ridges**2 + appalachians * 250 * ridges
    return np.maximum(height * (1 - 0.8 * hudson), 5)


def source_classes(land, coarse, dtm_tiles):
    """10 in the 2 m tiles that have a DTM, 5 in a rim around them, 1 elsewhere on land, 0 at sea."""
    boxes = [box(*Tile.parse(name).bounds) for name in dtm_tiles]
    hrdem = rasterize(boxes, out_shape=land.shape, transform=coarse).astype(bool) if boxes else np.zeros_like(land)
    rim = _blur(hrdem.astype(np.float64), max(1, round(BLEND_RIM_M / coarse.a))) > 0
    classes = np.where(hrdem, SOURCE_HRDEM, np.where(rim, SOURCE_BLEND, SOURCE_GLO30)).astype(np.uint8)
    classes[~land] = 0
    return classes


def patch_layers(lonlat_box, gdal_transform, shape, dtm_tiles):
    """Full-resolution layers over a patch, on whole blocks of the grid: (row, col, layers)."""
    col0, row0, width, height = window_on_grid(gdal_transform, shape, to_grid(box(*lonlat_box), 0.01).bounds)
    x0, res, _, y0, _, _ = gdal_transform
    xs = x0 + (np.arange(col0, col0 + width) + 0.5) * res
    ys = y0 - (np.arange(row0 - 1, row0 + height + 1) + 0.5) * res  # a one-row halo for the hillshade
    dtm, dsm = terrain.surface_models(xs, ys, lattice_m=PATCH_LATTICE_M)
    centre = shapely.Point(xs.mean(), ys.mean())
    in_hrdem = any(box(*Tile.parse(name).bounds).contains(centre) for name in dtm_tiles)
    source = np.where(dtm[1:-1] == terrain.NODATA, 0, SOURCE_HRDEM if in_hrdem else SOURCE_GLO30).astype(np.uint8)
    layers = {
        "dtm": dtm[1:-1],
        "dsm": dsm[1:-1],
        "source": source,
        "hillshade-dtm": hillshade(dtm, res)[1:-1],
        "hillshade-dsm": hillshade(dsm, res)[1:-1],
    }
    return row0, col0, layers


def outline_3979():
    collection = json.loads(OUTLINE.read_text())
    return to_grid(shape(collection["features"][0]["geometry"]), 0.5)


def _blur(values, radius):
    """Box blur of ``radius`` pixels, twice (close to a Gaussian), with cumulative sums."""
    for _ in range(2):
        for axis in (0, 1):
            padded = np.pad(values, [(radius + 1, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
            cumulative = np.cumsum(padded, axis=axis)
            upper = np.take(cumulative, np.arange(2 * radius + 1, cumulative.shape[axis]), axis=axis)
            lower = np.take(cumulative, np.arange(0, cumulative.shape[axis] - 2 * radius - 1), axis=axis)
            values = (upper - lower) / (2 * radius + 1)
    return values


def write_thumbnail(path: Path, shaded: np.ndarray, size: int = 256) -> None:
    step = math.ceil(max(shaded.shape) / size)
    write_png(path, np.ascontiguousarray(shaded[::step, ::step]))
