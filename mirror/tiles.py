"""The CanElevation mosaic grid: 500 km squares in EPSG:3979.

Tile ``{col}_{row}`` spans x from (col - 6) * 500 km and y from (row - 3) * 500 km.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

TILE_SIZE_M = 500_000
GRID_CRS = "EPSG:3979"
BLOCK = 512  # pixels: the COGs' block size, on every level


@dataclass(frozen=True)
class Tile:
    col: int
    row: int

    @property
    def name(self) -> str:
        return f"{self.col}_{self.row}"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in EPSG:3979 metres."""
        left = (self.col - 6) * TILE_SIZE_M
        bottom = (self.row - 3) * TILE_SIZE_M
        return (left, bottom, left + TILE_SIZE_M, bottom + TILE_SIZE_M)

    def gdal_transform(self, resolution: float) -> list[float]:
        """The geotransform in GDAL order, as the live items' ``proj:transform``."""
        left, _, _, top = self.bounds
        return [left, resolution, 0, top, 0, -resolution]

    def shape(self, resolution: float) -> list[int]:
        """(rows, cols) at ``resolution``."""
        n = round(TILE_SIZE_M / resolution)
        return [n, n]

    @classmethod
    def parse(cls, name: str) -> "Tile":
        col, row = name.split("-")[0].split("_")
        return cls(int(col), int(row))


def tile_containing(x: float, y: float) -> Tile:
    return Tile(int(x // TILE_SIZE_M) + 6, int(y // TILE_SIZE_M) + 3)


# Made once: making one costs about 30 ms, and the build's plan projects some 140 geometries (one process each).
TO_GRID = Transformer.from_crs("EPSG:4326", GRID_CRS, always_xy=True)


def to_grid(lonlat_geometry, step_degrees: float):
    """A lon/lat geometry in EPSG:3979, its edges densified first (every ``step_degrees``),
    so that they curve there as they should."""
    dense = shapely.segmentize(lonlat_geometry, step_degrees)
    return shapely.transform(dense, lambda xy: np.column_stack(TO_GRID.transform(xy[:, 0], xy[:, 1])))


def window_on_grid(transform, shape, region, align: int = BLOCK):
    """The part of ``region`` (EPSG:3979 bounds) inside a raster of ``shape`` (rows, cols) and GDAL-order
    ``transform``, widened to whole blocks of ``align`` pixels: (col, row, width, height), or None."""
    x0, res, _, y0, _, _ = transform
    rows, cols = shape
    left, bottom, right, top = region
    col0 = max(math.floor((left - x0) / res / align) * align, 0)
    col1 = min(math.ceil((right - x0) / res / align) * align, cols)
    row0 = max(math.floor((y0 - top) / res / align) * align, 0)
    row1 = min(math.ceil((y0 - bottom) / res / align) * align, rows)
    if col1 <= col0 or row1 <= row0:
        return None
    return (col0, row0, col1 - col0, row1 - row0)
