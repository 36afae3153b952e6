"""What the mirror's build writes: the blocks (places built at full resolution) and, per item of
the catalog, its job: the item's grid and the windows of it that some block meets, each with the
year its ground is shown as and where the item has data there.

Every item of ``EVERY_ITEM`` gets a job, even with no window (its files are then empty).
"""

from dataclasses import dataclass

import shapely
from rasterio.transform import from_origin
from shapely.geometry import box

from mirror import ASSET_ROOT, CATALOG_DIR, national, regions, snapshot
from mirror.tiles import BLOCK, to_grid, window_on_grid


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
