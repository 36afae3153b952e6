"""A COG's resolution levels, each a sparse tiled GeoTIFF that is written only where there is data.

``Pyramid`` creates one GeoTIFF per level (full resolution, then overviews of factor 2,
4, ... down to one block, as GDAL's COG driver chooses them), lets the build paste
arrays into any level, and hands the levels to ``cog_assembly`` to become one COG.
"""

import math
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import Affine
from rasterio.windows import Window

from mirror import cog_assembly

BLOCK = 512
REDUCE_ROWS = 256  # rows reduced at a time (even): small temporaries, no page-fault storm


class Pyramid:
    def __init__(
        self,
        folder: Path,
        name: str,
        width: int,
        height: int,
        transform: Affine,
        crs,
        dtype: str,
        nodata: float,
        resampling: str = "average",
    ):
        self.folder, self.name = folder, name
        self.dtype, self.nodata, self.resampling = dtype, nodata, resampling
        self.factors = [1]
        while max(math.ceil(width / self.factors[-1]), math.ceil(height / self.factors[-1])) > BLOCK:
            self.factors.append(self.factors[-1] * 2)
        self.paths = [folder / f"{name}.level{factor}.tif" for factor in self.factors]
        self.shapes = [(math.ceil(height / factor), math.ceil(width / factor)) for factor in self.factors]
        profile = {
            "driver": "GTiff",
            "count": 1,
            "dtype": dtype,
            "nodata": nodata,
            "crs": crs,
            "tiled": True,
            "blockxsize": BLOCK,
            "blockysize": BLOCK,
            "compress": "LZW",
            "predictor": 1,
            "sparse_ok": True,
            "BIGTIFF": "YES",
        }
        for path, factor, (rows, cols) in zip(self.paths, self.factors, self.shapes):
            with rasterio.open(
                path, "w", width=cols, height=rows, transform=transform * Affine.scale(factor), **profile
            ):
                pass

    def paste(self, factor: int, values: np.ndarray, row: int, col: int) -> None:
        """Write ``values`` at (row, col) of the level of ``factor``, clipped to the level."""
        rows, cols = self.shapes[self.factors.index(factor)]
        values = values[: max(0, rows - row), : max(0, cols - col)]
        if values.size:
            with rasterio.open(self.paths[self.factors.index(factor)], "r+") as level:
                level.write(
                    values.astype(self.dtype, copy=False), 1, window=Window(col, row, values.shape[1], values.shape[0])
                )

    def paste_down(self, factor: int, values: np.ndarray, row: int, col: int, down_to: int | None = None) -> None:
        """Paste ``values`` at ``factor``, then its reductions into every coarser level (or down to
        ``down_to``). Where the pasted area does not fall on whole pixels of the coarser level, the
        level is read back around it, so that a coarse pixel on its edge averages what the finer level
        holds there (another paste, or nodata), as GDAL's overviews do."""
        levels = self.factors[self.factors.index(factor) :]
        for index, next_factor in enumerate(levels):
            if down_to is not None and next_factor > down_to:
                break
            self.paste(next_factor, values, row, col)
            if index + 1 == len(levels) or (down_to is not None and levels[index + 1] > down_to):
                break
            rows, cols = self.shapes[self.factors.index(next_factor)]
            height, width = min(values.shape[0], rows - row), min(values.shape[1], cols - col)
            if height <= 0 or width <= 0:
                break
            values = values[:height, :width]
            if row % 2 or col % 2 or (height % 2 and row + height < rows) or (width % 2 and col + width < cols):
                row0, col0 = row - row % 2, col - col % 2
                row1, col1 = min(row + height + (row + height) % 2, rows), min(col + width + (col + width) % 2, cols)
                values, row, col = self.read(next_factor, row0, col0, row1 - row0, col1 - col0), row0, col0
            values, row, col = self.reduce(values), row // 2, col // 2

    def read(self, factor: int, row: int, col: int, height: int, width: int) -> np.ndarray:
        with rasterio.open(self.paths[self.factors.index(factor)]) as level:
            return level.read(1, window=Window(col, row, width, height))

    def reduce(self, values: np.ndarray) -> np.ndarray:
        """Halve the resolution: mean of the valid pixels of each 2 x 2 group (nearest for classes),
        computed as GDAL computes its average overviews, a band of rows at a time."""
        if self.resampling == "nearest":
            return values[::2, ::2]
        rows, cols = values.shape
        out = np.empty(((rows + 1) // 2, (cols + 1) // 2), dtype=self.dtype)
        for start in range(0, rows, REDUCE_ROWS):
            band = values[start : start + REDUCE_ROWS]
            even = np.full((band.shape[0] + band.shape[0] % 2, cols + cols % 2), self.nodata, dtype=values.dtype)
            even[: band.shape[0], :cols] = band
            valid = even != self.nodata
            data = np.where(valid, even, 0).astype(np.float64)  # GDAL sums in double precision
            total = data[0::2, 0::2] + data[1::2, 0::2] + data[0::2, 1::2] + data[1::2, 1::2]
            count = valid[0::2, 0::2].astype(np.uint8) + valid[1::2, 0::2] + valid[0::2, 1::2] + valid[1::2, 1::2]
            mean = total / np.maximum(count, 1)
            if np.issubdtype(np.dtype(self.dtype), np.integer):
                mean = np.floor(mean + 0.5)  # halves round up, as GDAL's average does
            out[start // 2 : start // 2 + mean.shape[0]] = np.where(count > 0, mean, self.nodata)
        return out

    def assemble(self, target: Path) -> None:
        cog_assembly.assemble(self.paths, target)
        for path in self.paths:
            path.unlink()
