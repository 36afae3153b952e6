"""The CanElevation mosaic grid: 500 km squares in EPSG:3979.

Tile ``{col}_{row}`` spans x from (col - 6) * 500 km and y from (row - 3) * 500 km.
"""

from dataclasses import dataclass

TILE_SIZE_M = 500_000
GRID_CRS = "EPSG:3979"


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
        n = int(round(TILE_SIZE_M / resolution))
        return [n, n]

    @classmethod
    def parse(cls, name: str) -> "Tile":
        col, row = name.split("-")[0].split("_")
        return cls(int(col), int(row))


def tile_containing(x: float, y: float) -> Tile:
    return Tile(int(x // TILE_SIZE_M) + 6, int(y // TILE_SIZE_M) + 3)
