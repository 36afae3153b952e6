"""Write the catalog snapshot (mirror/catalog/) from what is known of the live API.

Run ``python -m mirror.make_catalog`` after changing this file; the JSON it
writes is committed and is what the mirror serves. Facts come from
mirror/LIVE-API.md (recorded live, with their sources) and mirror/evidence/;
values nobody has recorded are filled in plausibly and listed in
catalog/PROVENANCE.json as not verified.
"""

import json
import math

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping

from mirror import ASSET_ROOT, CATALOG_DIR, PACKAGE_DIR, snapshot
from mirror.regions import LIDAR_DATA
from mirror.tiles import GRID_CRS, Tile, to_grid

TO_LONLAT = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True)
COG = "image/tiff; application=geotiff; profile=cloud-optimized"
PROJ_EXT = "https://stac-extensions.github.io/projection/v1.0.0/schema.json"
LICENSE = "OGL-Canada-2.0"

# The five DEM collections' descriptions, verbatim as the live API returned them (typos included).
DESCRIPTIONS = json.loads((PACKAGE_DIR / "evidence" / "collection-descriptions.json").read_text())["descriptions"]

DEM_COLLECTIONS = {
    # In the order the live API returns them (not alphabetical).
    "hrdem-arcticdem": {
        "title": "HRDEM from ArcticDEM",
        "description": DESCRIPTIONS["hrdem-arcticdem"],
        "bbox": [-141.0, 59.0, -60.0, 83.2],
        "interval": ["2008-01-01T12:00:00Z", "2021-12-31T12:00:00Z"],
    },
    "hrdem-mosaic-2m": {
        "title": "HRDEM Mosaic - 2m",
        "description": DESCRIPTIONS["hrdem-mosaic-2m"],
        "bbox": [-150.958, 38.500, -50.761, 76.495],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
    "hrdem-mosaic-1m": {
        "title": "HRDEM Mosaic - 1m",
        "description": DESCRIPTIONS["hrdem-mosaic-1m"],
        "bbox": [-150.958, 38.500, -50.761, 76.495],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
    "mrdem-30": {
        "title": "MRDEM-30",
        "description": DESCRIPTIONS["mrdem-30"],
        "bbox": [-141.01, 41.67, -52.58, 83.12],
        "interval": ["2024-01-01T12:00:00Z", None],
    },
    "hrdem-lidar": {
        "title": "HRDEM by LiDAR project",
        "description": DESCRIPTIONS["hrdem-lidar"],
        "bbox": [-136.66278783043433, 43.078890520216284, -56.47686150258771, 69.48173760623511],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
}

OTHER_COLLECTION_IDS = [
    "canadian-wetland-inventory",
    "cancvi",
    "cdem",
    "cdsm",
    "dynamic-surface-water-annual",
    "dynamic-surface-water-compilation",
    "et-month",
    "et-year",
    "flood-susceptibility",
    "inland-water",
    "landcover",
    "monthly-vegetation-parameters-20m-v1",
    "msi",
    "napl-halifax",
    "napl-markham",
    "napl-ottawa",
    "napl-regina",
    "napl-ring-of-fire",
    "napl-salish",
    "napl-tuktoyaktuk",
    "napl-victoria",
    "pet-month",
    "pet-year",
    "rcm-ard-mosaic",
    "river-ice-canada-archive",
    "surface-water-frequency",
    "vegetation",
]

# 2 m tiles with a DTM (LIVE-API.md F-TILES-2M-DTM).
DTM_TILES = (
    [f"1_{r}" for r in range(3, 8)]
    + [f"2_{r}" for r in range(3, 9)]
    + [f"3_{r}" for r in range(3, 9)]
    + [f"4_{r}" for r in range(3, 7)]
    + ["5_3", "5_4", "5_6", "5_7", "5_8", "6_2", "6_3", "6_5", "6_6", "6_7", "6_8"]
    + [f"7_{r}" for r in range(2, 9)]
    + [f"8_{r}" for r in range(1, 8)]
    + [f"9_{r}" for r in range(2, 6)]
    + [f"10_{r}" for r in range(2, 6)]
    + ["11_3", "11_4"]
)
# Northern tiles covered by satellite-derived DSM only; 4_8 is recorded, the rest are inferred.
DSM_ONLY_TILES = ["4_8", "4_9", "5_9", "6_9", "7_9", "5_10", "6_10", "7_10", "8_8", "8_9", "9_6", "9_7"]

KNOWN_DATETIMES = {  # mosaic tile -> date of its newest contributing project (recorded: LIVE-API.md F-DATES)
    "2_3-mosaic-1m": "2023-08-13T12:00:00Z",
    "3_3-mosaic-1m": "2023-07-12T12:00:00Z",
    "7_2-mosaic-1m": "2024-11-09T12:00:00Z",
    "9_2-mosaic-1m": "2023-05-09T12:00:00Z",
}
# Edge tiles that are not 500 km squares (LIVE-API.md F-EDGE-TILES, inferred from a public tile index):
# (left, bottom, right, top) in EPSG:3979 metres. 11_4's width is what the recorded hrdem-mosaic-1m
# extent (east edge -50.761) needs.
EDGE_TILE_BOUNDS = {
    "5_3": (-500_000, -50_000, 0, 500_000),
    "6_10": (-50_000, 3_500_000, 550_000, 4_000_000),
    "7_8": (500_000, 2_500_000, 1_050_000, 3_000_000),
    "11_4": (2_500_000, 500_000, 3_050_000, 1_000_000),
}

ASSET_META = {
    "dsm": (
        COG,
        ["data"],
        "Digital Surface Model (COG)",
        "Digital Surface Model derived fromAirborne LiDAR acquisition",
        "-dsm.tif",
    ),
    "dtm": (
        COG,
        ["data"],
        "Digital Terrain Model (COG)",
        "Digital Terrain Model derived from Airborne LiDAR acquisition",
        "-dtm.tif",
    ),
    "extent": (
        "application/geo+json",
        ["metadata"],
        "Extent",
        "Boundary of the LiDAR project extent",
        "-extent.geojson",
    ),
    "dsm-vrt": ("application/xml", ["metadata"], "Digital Surface Model (VRT)", None, "-dsm.vrt"),
    "dtm-vrt": ("application/xml", ["metadata"], "Digital Terrain Model (VRT)", None, "-dtm.vrt"),
    "coverage": (
        "application/geopackage+sqlite3",
        ["metadata"],
        "Data Coverage",
        "Vector extent of the DEM coverage",
        "-coverage.gpkg",
    ),
    "thumbnail": ("image/png", ["thumbnail"], "Thumbnail", "Thumbnail of the DEM coverage", "-thumbnail.png"),
    "hillshade-dsm": (COG, ["data"], "Hillshade dsm", None, "-dsm_hillshade.tif"),
    "hillshade-dtm": (COG, ["data"], "Hillshade dtm", None, "-dtm_hillshade.tif"),
    "source": (COG, ["data"], "Source", "Source of the elevation of each pixel", "-source.tif"),
    "source-vrt": ("application/xml", ["metadata"], "Source (VRT)", None, "-source.vrt"),
    "hillshade-dsm-vrt": ("application/xml", ["metadata"], "Hillshade dsm (VRT)", None, "-dsm_hillshade.vrt"),
    "hillshade-dtm-vrt": ("application/xml", ["metadata"], "Hillshade dtm (VRT)", None, "-dtm_hillshade.vrt"),
}
MOSAIC_ASSETS = [
    "dsm",
    "dtm",
    "extent",
    "dsm-vrt",
    "dtm-vrt",
    "coverage",
    "thumbnail",
    "hillshade-dsm",
    "hillshade-dtm",
]
NORTHERN_MOSAIC_ASSETS = ["coverage", "dsm", "dsm-vrt", "extent", "hillshade-dsm", "thumbnail"]
LIDAR_ASSETS = ["dsm", "dtm", "extent", "dsm-vrt", "dtm-vrt", "coverage", "thumbnail"]
ARCTICDEM_ASSETS = ["dsm", "dsm-vrt", "extent", "hillshade-dsm", "thumbnail"]
MRDEM_ASSETS = [
    "dsm",
    "dtm",
    "source",
    "dsm-vrt",
    "dtm-vrt",
    "thumbnail",
    "source-vrt",
    "hillshade-dsm",
    "hillshade-dtm",
    "hillshade-dsm-vrt",
    "hillshade-dtm-vrt",
]
LIDAR_TITLES_FR = {
    "dsm": "Modèle numérique de surface (COG)",
    "dtm": "Modèle numérique de terrain (COG)",
    "dsm-vrt": "Modèle numérique de surface (VRT)",
    "dtm-vrt": "Modèle numérique de terrain (VRT)",
    "extent": "Étendue",
    "coverage": "Couverture des données",
    "thumbnail": "Vignette",
}

# hrdem-lidar projects (LIVE-API.md F-LIDAR-DATE, F-VAN-PROJECTS, F-VAN-GRIDS): id, datetime, and the
# recorded proj:shape and proj:transform where there are some. Where they are not, the raster is the
# EPSG:3979 rectangle around the project's data (mirror/regions.py), widened by FOOTPRINT_MARGIN_M (not
# verified).
LIDAR_PROJECTS = [
    ("BC-Lower_Mainland_2016-1m", "2016-09-12", [101050, 161217], [-2004559, 1, 0, 504008, 0, -1]),
    ("BC-Vancouver_Island_Sunshine_Coast_2018-1m", "2019-10-01", [430547, 300978], [-2249116, 1, 0, 807835, 0, -1]),
    ("VILLE_VANCOUVER-VILLE_VANCOUVER-1m", "2013-02-19", [35645, 30868], [-1996021, 1, 0, 490712, 0, -1]),
    ("VILLE_BURNABY-VILLE_BURNABY-1m", "2015-06-10", None, None),
    ("VILLE_SURREY-VILLE_SURREY-1m", "2013-04-11", None, None),
    ("NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m", "2023-08-13", None, None),
    ("NRCAN-Lower_Mainland_2020-1m", "2020-09-03", None, None),
    ("NRCAN-Lower_Mainland_2019-1m", "2019-11-06", None, None),
    ("BC-BCTS_Chinook_Kamloops_UTM10_2018-1m", "2018-09-01", None, None),
    ("BC-BCTS_Chinook_Kamloops_UTM10_2017-1m", "2017-10-31", None, None),
    ("BC-BCTS_Chinook_BCAlbers_2016-1m", "2016-06-13", None, None),
    ("NRCAN-Calgary_East_utm12_2020-1m", "2020-10-08", None, None),
    ("NRCAN-Calgary_West_utm11_2020-1m", "2020-10-08", None, None),
    ("ON-ThunderBay_UTM16_2024-1m", "2024-05-06", None, None),
]
FOOTPRINT_MARGIN_M = 500

CREATED = "2024-02-06T19:38:07Z"
UPDATED = "2026-03-24T18:03:29.704737Z"


def lonlat_geometry(square_3979):
    """The EPSG:3979 polygon densified (about 0.04 degree steps) and reprojected, 6 decimals."""
    dense = shapely.segmentize(square_3979, 4000)
    lonlat = shapely.transform(dense, _to_lonlat)
    return mapping(lonlat), [round(v, 6) for v in lonlat.bounds]


def _to_lonlat(xy):
    lon, lat = TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    return np.round(np.column_stack([lon, lat]), 6)


def grid_box(transform, shape):
    x0, dx, _, y0, _, dy = transform
    rows, cols = shape
    return box(x0, y0 + rows * dy, x0 + cols * dx, y0)


def item(collection, item_id, datetime, transform, shape, asset_keys, href_stem, bilingual=False):
    square = grid_box(transform, shape)
    geometry, bbox = lonlat_geometry(square)
    return {
        "id": item_id,
        "bbox": bbox,
        "type": "Feature",
        "assets": {key: asset(key, href_stem, bilingual) for key in asset_keys},
        "geometry": geometry,
        "collection": collection,
        "properties": {
            "created": CREATED,
            "updated": UPDATED,
            "datetime": datetime,
            "proj:epsg": 3979,
            "collection": collection,
            "proj:shape": shape,
            "proj:geometry": _integral(mapping(square)),
            "proj:transform": transform,
        },
        "stac_version": "1.0.0",
        "stac_extensions": [PROJ_EXT],
    }


def _integral(geometry):
    """Write whole-metre coordinates as integers, as the live API does."""
    rings = [[[int(v) if float(v).is_integer() else v for v in xy] for xy in ring] for ring in geometry["coordinates"]]
    return {"type": geometry["type"], "coordinates": rings}


def asset(key, href_stem, bilingual):
    media_type, roles, title, description, suffix = ASSET_META[key]
    if bilingual and key in LIDAR_TITLES_FR:
        title = f"{title} / {LIDAR_TITLES_FR[key]}"
    out = {"href": f"{ASSET_ROOT}{href_stem}{suffix}", "type": media_type, "roles": roles, "title": title}
    if description:
        out["description"] = description
    return out


def mosaic_items(resolution_label):
    collection = f"hrdem-mosaic-{resolution_label}"
    resolution = 1 if resolution_label == "1m" else 2
    tiles = [(t, MOSAIC_ASSETS) for t in DTM_TILES]
    if resolution_label == "2m":
        tiles += [(t, NORTHERN_MOSAIC_ASSETS) for t in DSM_ONLY_TILES]
    items = []
    for name, keys in tiles:
        tile = Tile.parse(name)
        item_id = f"{name}-mosaic-{resolution_label}"
        datetime = KNOWN_DATETIMES.get(item_id) or _plausible_date(tile, keys)
        transform, shape = tile_grid(tile, resolution)
        items.append(item(collection, item_id, datetime, transform, shape, keys, f"{collection}/{item_id}"))
    return items


def tile_grid(tile, resolution):
    """The tile's proj:transform (GDAL order) and proj:shape: the 500 km square, or an edge tile's bounds."""
    if tile.name not in EDGE_TILE_BOUNDS:
        return tile.gdal_transform(resolution), tile.shape(resolution)
    left, bottom, right, top = EDGE_TILE_BOUNDS[tile.name]
    return [left, resolution, 0, top, 0, -resolution], [(top - bottom) // resolution, (right - left) // resolution]


def _plausible_date(tile, keys):
    """Invented: a deterministic noon date between 2016 and 2024 (northern DSM tiles: 2021)."""
    if "dtm" not in keys:
        return "2021-10-24T12:00:00Z"
    year = 2016 + (tile.col * 7 + tile.row * 3) % 9
    month = 5 + (tile.col + tile.row) % 6
    day = 1 + (tile.col * 11 + tile.row * 5) % 28
    return f"{year}-{month:02d}-{day:02d}T12:00:00Z"


def lidar_items():
    items = []
    for item_id, date, shape, transform in LIDAR_PROJECTS:
        if transform is None:
            shape, transform = raster_around_data(LIDAR_DATA[item_id])
        items.append(
            item(
                "hrdem-lidar",
                item_id,
                f"{date}T12:00:00Z",
                transform,
                shape,
                LIDAR_ASSETS,
                f"hrdem-lidar/{item_id}",
                bilingual=True,
            )
        )
    return items


def raster_around_data(lonlat_boxes):
    """proj:shape and proj:transform (1 m) of the EPSG:3979 rectangle around the data, widened by the margin."""
    left, bottom, right, top = to_grid(shapely.union_all([box(*b) for b in lonlat_boxes]), 0.01).bounds
    left, top = math.floor(left) - FOOTPRINT_MARGIN_M, math.ceil(top) + FOOTPRINT_MARGIN_M
    shape = [top - math.floor(bottom) + FOOTPRINT_MARGIN_M, math.ceil(right) + FOOTPRINT_MARGIN_M - left]
    return shape, [left, 1, 0, top, 0, -1]


def arcticdem_items():
    items = []
    for name in ["1_5", "2_6", "3_7", "4_8", "5_9"]:
        tile = Tile.parse(name)
        items.append(
            item(
                "hrdem-arcticdem",
                f"arcticdem-{name}",
                "2021-10-24T12:00:00Z",
                tile.gdal_transform(2),
                tile.shape(2),
                ARCTICDEM_ASSETS,
                f"hrdem-arcticdem/arcticdem-{name}",
            )
        )
    return items


def mrdem_items():
    # The grid as published in 2024-06 (LIVE-API.md F-MRDEM-GRID); the file has been republished since and
    # its current grid is not recorded. The datetime is recorded (F-DATES).
    transform = [-2_454_000, 30, 0, 3_887_400, 0, -30]
    return [
        item(
            "mrdem-30", "mrdem", "2024-12-12T12:00:00Z", transform, [159655, 183687], MRDEM_ASSETS, "mrdem-30/mrdem-30"
        )
    ]


def collection(collection_id, meta):
    return {
        "id": collection_id,
        "type": "Collection",
        "title": meta["title"],
        "extent": {"spatial": {"bbox": [meta["bbox"]]}, "temporal": {"interval": [meta["interval"]]}},
        "license": LICENSE,
        "description": meta["description"],
        "stac_version": "1.0.0",
        "links": [],
    }


OTHER_DESCRIPTIONS = {  # not recorded: written from the products' names
    "cdem": "Canadian Digital Elevation Model (CDEM), an older national elevation model. / "
    "Modèle numérique d'élévation du Canada (MNEC), un ancien modèle national.",
    "cdsm": "Canadian Digital Surface Model (CDSM), an older national surface model. / "
    "Modèle numérique de surface du Canada (MNSC), un ancien modèle national.",
}


def other_collection(collection_id):
    return collection(
        collection_id,
        {
            "title": collection_id,
            "description": OTHER_DESCRIPTIONS.get(collection_id)
            or (
                f"{collection_id} (description not recorded in the mirror) / "
                f"{collection_id} (description non enregistrée dans le miroir)"
            ),
            "bbox": [-141.0, 41.6, -52.6, 83.2],
            "interval": [None, None],
        },
    )


PROVENANCE = {
    "about": "What in this snapshot was recorded from the live API and what was filled in. "
    "mirror/LIVE-API.md gives each recorded fact with its public source; mirror/evidence/ holds the "
    "recorded data the snapshot is built from.",
    "verified": [
        "collection ids (32 of the 52 recorded in 2026-09); the five DEM collections' descriptions, verbatim "
        "(mirror/evidence/collection-descriptions.json); license; extent bboxes of hrdem-mosaic-1m and hrdem-lidar",
        "item shape: properties keys, GDAL-order proj:transform, proj:shape, proj:epsg, noon datetimes, "
        "stac_extensions, asset keys, types, roles, titles and href patterns",
        "the 500 km tile grid and the list of 2 m tiles with a DTM (inferred from records); the edge tiles "
        "5_3, 6_10, 7_8 and 11_4 (inferred from a public tile index)",
        "datetimes of 2_3-, 3_3-, 7_2- and 9_2-mosaic-1m and of mrdem; hrdem-lidar ids and datetimes; "
        "proj:shape/transform of BC-Lower_Mainland_2016-1m and BC-Vancouver_Island_Sunshine_Coast_2018-1m; "
        "proj:shape of VILLE_VANCOUVER",
        "Metro Vancouver: where each hrdem-lidar project has data inside lon -123.5..-122.2, lat 49.0..49.6 "
        "(mirror/evidence/vancouver-lidar-coverage.json, drawn as boxes in mirror/regions.py)",
        "mrdem proj:shape and proj:transform as published in 2024-06 (the file was republished since: its "
        "current grid is not recorded)",
    ],
    "not_verified": [
        "collection titles, temporal intervals, the descriptions of cdem and cdsm, extents other than 1m and "
        "lidar, and every field of the 27 non-elevation collections",
        "datetimes of the other mosaic tiles",
        "the list of DSM-only northern 2 m tiles other than 4_8, and of 1 m tiles",
        "hrdem-lidar footprints other than the two with a recorded proj:transform (the rectangle around the "
        "project's data, widened by 500 m; VILLE_VANCOUVER's recorded shape centred on its data)",
        "where Metro Vancouver projects have data beyond the evidence box (mirror/regions.py EXTENDED), and "
        "the shape of their data (boxes)",
        "hrdem-arcticdem item ids other than arcticdem-1_5, and their grid",
        "the created/updated stamps",
        "titles of extent, VRT, source and hillshade VRT assets",
    ],
}


def write_catalog():
    order = list(DEM_COLLECTIONS)
    for position, collection_id in enumerate(OTHER_COLLECTION_IDS):
        order.insert((position * 3) % (len(order) + 1), collection_id)
    collections = [
        collection(cid, DEM_COLLECTIONS[cid]) if cid in DEM_COLLECTIONS else other_collection(cid) for cid in order
    ]
    items = {
        "hrdem-mosaic-1m": mosaic_items("1m"),
        "hrdem-mosaic-2m": mosaic_items("2m"),
        "hrdem-lidar": lidar_items(),
        "hrdem-arcticdem": arcticdem_items(),
        "mrdem-30": mrdem_items(),
    }
    snapshot.write(snapshot.Snapshot(collections, items), CATALOG_DIR, PROVENANCE)


if __name__ == "__main__":
    write_catalog()
