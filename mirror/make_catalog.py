"""Write the catalog snapshot (mirror/catalog/) from what is known of the live API.

Run ``python -m mirror.make_catalog`` after changing this file; the JSON it
writes is committed and is what the mirror serves. Facts come from
shared/ccmeo-api-facts.md; values nobody has recorded are filled in plausibly
and listed in catalog/PROVENANCE.json as not verified.
"""

import math

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping

from mirror import ASSET_ROOT, CATALOG_DIR, snapshot
from mirror.tiles import GRID_CRS, Tile

TO_LONLAT = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True)
COG = "image/tiff; application=geotiff; profile=cloud-optimized"
PROJ_EXT = "https://stac-extensions.github.io/projection/v1.0.0/schema.json"
LICENSE = "OGL-Canada-2.0"

HRDEM_MOSAIC_DESCRIPTION = (
    "The High Resolution Digital Elevation Model (HRDEM) Mosaic represents the current and "
    "continous coverage of the HRDEM product. It is derived mainly from airborne LiDAR data in "
    "the south and from satellite imagery in the north. The Digital Surface Model (DSM) covers "
    "the whole product extent, while the Digital Terrain Model (DTM) is only available where "
    "LiDAR data exists. Heights are referenced to the Canadian Geodetic Vertical Datum of 2013 "
    "(CGVD2013) and the data are reprojected to EPSG:3979. Where sources overlap, the most "
    "recent one is used. / La mosaïque du modèle numérique d?élévation haute résolution (MNEHR) "
    "représente la couverture actuelle et continue du produit MNEHR. Elle est dérivée "
    "principalement de données LiDAR aéroportées dans le sud et d'imagerie satellitaire dans le "
    "nord. Le modèle numérique de surface (MNS) couvre toute l'étendue du produit, alors que le "
    "modèle numérique de terrain (MNT) n'est disponible que là où des données LiDAR existent. "
    "Les altitudes sont référencées au Système canadien de référence altimétrique de 2013 "
    "(CGVD2013) et les données sont reprojetées en EPSG:3979. Là où des sources se chevauchent, "
    "la plus récente est utilisée."
)

DEM_COLLECTIONS = {
    # In the order the live API returns them (not alphabetical).
    "hrdem-arcticdem": {
        "title": "HRDEM from ArcticDEM",
        "description": (
            "High Resolution Digital Elevation Model (HRDEM) generated from optical stereo "
            "imagery (ArcticDEM). Digital Surface Model only, reprojected to EPSG:3979. / "
            "Modèle numérique d'élévation haute résolution (MNEHR) généré à partir d'imagerie "
            "optique stéréoscopique (ArcticDEM). Modèle numérique de surface seulement, "
            "reprojeté en EPSG:3979."
        ),
        "bbox": [-141.0, 59.0, -60.0, 83.2],
        "interval": ["2008-01-01T12:00:00Z", "2021-12-31T12:00:00Z"],
    },
    "hrdem-mosaic-2m": {
        "title": "HRDEM Mosaic - 2m",
        "description": HRDEM_MOSAIC_DESCRIPTION,
        "bbox": [-150.958, 38.500, -50.761, 76.495],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
    "hrdem-mosaic-1m": {
        "title": "HRDEM Mosaic - 1m",
        "description": HRDEM_MOSAIC_DESCRIPTION,
        "bbox": [-150.958, 38.500, -50.761, 76.495],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
    "mrdem-30": {
        "title": "MRDEM-30",
        "description": (
            "Medium resolution digital elevation model - 30 meters (MRDEM-30). / Modèle "
            "numérique d'élévation à moyenne résolution - 30 mètres (MNEMR-30)."
        ),
        "bbox": [-141.01, 41.67, -52.58, 83.12],
        "interval": ["2024-01-01T12:00:00Z", None],
    },
    "hrdem-lidar": {
        "title": "HRDEM by LiDAR project",
        "description": (
            "High Resolution Digital Elevation Model (HRDEM) by LiDAR acquisition project. Each "
            "item is one project; there is no integration or edge-matching between projects. / "
            "Modèle numérique d'élévation haute résolution (MNEHR) par projet d'acquisition "
            "LiDAR. Chaque élément correspond à un projet; il n'y a ni intégration ni "
            "raccordement entre les projets."
        ),
        "bbox": [-136.66278783043433, 43.078890520216284, -56.47686150258771, 69.48173760623511],
        "interval": ["2006-01-01T12:00:00Z", "2024-12-31T12:00:00Z"],
    },
}

OTHER_COLLECTION_IDS = [
    "canadian-wetland-inventory", "cancvi", "cdem", "cdsm", "dynamic-surface-water-annual",
    "dynamic-surface-water-compilation", "et-month", "et-year", "flood-susceptibility",
    "inland-water", "landcover", "monthly-vegetation-parameters-20m-v1", "msi", "napl-halifax",
    "napl-markham", "napl-ottawa", "napl-regina", "napl-ring-of-fire", "napl-salish",
    "napl-tuktoyaktuk", "napl-victoria", "pet-month", "pet-year", "rcm-ard-mosaic",
    "river-ice-canada-archive", "surface-water-frequency", "vegetation",
]

# 2 m tiles with a DTM (facts, section 6).
DTM_TILES = (
    [f"1_{r}" for r in range(3, 8)] + [f"2_{r}" for r in range(3, 9)]
    + [f"3_{r}" for r in range(3, 9)] + [f"4_{r}" for r in range(3, 7)]
    + ["5_3", "5_4", "5_6", "5_7", "5_8", "6_2", "6_3", "6_5", "6_6", "6_7", "6_8"]
    + [f"7_{r}" for r in range(2, 9)] + [f"8_{r}" for r in range(1, 8)]
    + [f"9_{r}" for r in range(2, 6)] + [f"10_{r}" for r in range(2, 6)] + ["11_3", "11_4"]
)
# Northern tiles covered by satellite-derived DSM only; 4_8 is recorded, the rest are inferred.
DSM_ONLY_TILES = ["4_8", "4_9", "5_9", "6_9", "7_9", "5_10", "6_10", "7_10", "8_8", "8_9", "9_6", "9_7"]

KNOWN_DATETIMES = {  # mosaic tile -> date of its newest contributing project (recorded)
    "2_3-mosaic-1m": "2023-08-13T12:00:00Z",
    "7_2-mosaic-1m": "2024-11-09T12:00:00Z",
}

ASSET_META = {
    "dsm": (COG, ["data"], "Digital Surface Model (COG)",
            "Digital Surface Model derived fromAirborne LiDAR acquisition", "-dsm.tif"),
    "dtm": (COG, ["data"], "Digital Terrain Model (COG)",
            "Digital Terrain Model derived from Airborne LiDAR acquisition", "-dtm.tif"),
    "extent": ("application/geo+json", ["metadata"], "Extent",
               "Boundary of the LiDAR project extent", "-extent.geojson"),
    "dsm-vrt": ("application/xml", ["metadata"], "Digital Surface Model (VRT)", None, "-dsm.vrt"),
    "dtm-vrt": ("application/xml", ["metadata"], "Digital Terrain Model (VRT)", None, "-dtm.vrt"),
    "coverage": ("application/geopackage+sqlite3", ["metadata"], "Data Coverage",
                 "Vector extent of the DEM coverage", "-coverage.gpkg"),
    "thumbnail": ("image/png", ["thumbnail"], "Thumbnail", "Thumbnail of the DEM coverage",
                  "-thumbnail.png"),
    "hillshade-dsm": (COG, ["data"], "Hillshade dsm", None, "-dsm_hillshade.tif"),
    "hillshade-dtm": (COG, ["data"], "Hillshade dtm", None, "-dtm_hillshade.tif"),
    "source": (COG, ["data"], "Source", "Source of the elevation of each pixel", "-source.tif"),
    "source-vrt": ("application/xml", ["metadata"], "Source (VRT)", None, "-source.vrt"),
    "hillshade-dsm-vrt": ("application/xml", ["metadata"], "Hillshade dsm (VRT)", None,
                          "-dsm_hillshade.vrt"),
    "hillshade-dtm-vrt": ("application/xml", ["metadata"], "Hillshade dtm (VRT)", None,
                          "-dtm_hillshade.vrt"),
}
MOSAIC_ASSETS = ["dsm", "dtm", "extent", "dsm-vrt", "dtm-vrt", "coverage", "thumbnail",
                 "hillshade-dsm", "hillshade-dtm"]
NORTHERN_MOSAIC_ASSETS = ["coverage", "dsm", "dsm-vrt", "extent", "hillshade-dsm", "thumbnail"]
LIDAR_ASSETS = ["dsm", "dtm", "extent", "dsm-vrt", "dtm-vrt", "coverage", "thumbnail"]
ARCTICDEM_ASSETS = ["dsm", "dsm-vrt", "extent", "hillshade-dsm", "thumbnail"]
MRDEM_ASSETS = ["dsm", "dtm", "source", "dsm-vrt", "dtm-vrt", "thumbnail", "source-vrt",
                "hillshade-dsm", "hillshade-dtm", "hillshade-dsm-vrt", "hillshade-dtm-vrt"]
LIDAR_TITLES_FR = {
    "dsm": "Modèle numérique de surface (COG)", "dtm": "Modèle numérique de terrain (COG)",
    "dsm-vrt": "Modèle numérique de surface (VRT)", "dtm-vrt": "Modèle numérique de terrain (VRT)",
    "extent": "Étendue", "coverage": "Couverture des données", "thumbnail": "Vignette",
}

# hrdem-lidar projects (facts, section 5): id, datetime, proj:shape, proj:transform or None.
LIDAR_PROJECTS = [
    ("BC-Lower_Mainland_2016-1m", "2016-09-12", [101050, 161217], [-2004559, 1, 0, 504008, 0, -1]),
    ("BC-Vancouver_Island_Sunshine_Coast_2018-1m", "2019-10-01", [430547, 300978],
     [-2249116, 1, 0, 807835, 0, -1]),
    ("VILLE_VANCOUVER-VILLE_VANCOUVER-1m", "2013-02-19", [35645, 30868], None),
    ("VILLE_BURNABY-VILLE_BURNABY-1m", "2015-06-10", None, None),
    ("VILLE_SURREY-VILLE_SURREY-1m", "2013-04-11", None, None),
    ("NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m", "2023-08-13", None, None),
    ("NRCAN-Lower_Mainland_2020-1m", "2020-09-03", None, None),
    ("NRCAN-Lower_Mainland_2019-1m", "2019-11-06", None, None),
    ("BC-BCTS_Chinook_Kamloops_UTM10_2018-1m", "2018-09-01", None, None),
    ("BC-BCTS_Chinook_Kamloops_UTM10_2017-1m", "2017-10-31", None, None),
    ("NRCAN-Calgary_East_utm12_2020-1m", "2020-10-08", None, None),
    ("NRCAN-Calgary_West_utm11_2020-1m", "2020-10-08", None, None),
    ("ON-ThunderBay_UTM16_2024-1m", "2024-05-06", None, None),
]
# Approximate lon/lat footprints for projects whose grid was not recorded (invented).
LIDAR_LONLAT_BOXES = {
    "VILLE_VANCOUVER-VILLE_VANCOUVER-1m": (-123.23, 49.19, -123.02, 49.32),
    "VILLE_BURNABY-VILLE_BURNABY-1m": (-123.03, 49.18, -122.89, 49.30),
    "VILLE_SURREY-VILLE_SURREY-1m": (-122.92, 49.00, -122.67, 49.22),
    "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m": (-123.30, 49.00, -122.40, 49.45),
    "NRCAN-Lower_Mainland_2020-1m": (-122.70, 49.00, -121.80, 49.40),
    "NRCAN-Lower_Mainland_2019-1m": (-123.10, 49.00, -122.50, 49.35),
    "BC-BCTS_Chinook_Kamloops_UTM10_2018-1m": (-120.90, 50.50, -120.10, 51.00),
    "BC-BCTS_Chinook_Kamloops_UTM10_2017-1m": (-121.00, 50.40, -120.30, 50.90),
    "NRCAN-Calgary_East_utm12_2020-1m": (-114.00, 50.85, -113.80, 51.25),
    "NRCAN-Calgary_West_utm11_2020-1m": (-114.30, 50.85, -113.95, 51.25),
    "ON-ThunderBay_UTM16_2024-1m": (-90.152, 47.995, -88.485, 48.867),
}

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
    rings = [[[int(v) if float(v).is_integer() else v for v in xy] for xy in ring]
             for ring in geometry["coordinates"]]
    return {"type": geometry["type"], "coordinates": rings}


def asset(key, href_stem, bilingual):
    media_type, roles, title, description, suffix = ASSET_META[key]
    if bilingual and key in LIDAR_TITLES_FR:
        title = f"{title} / {LIDAR_TITLES_FR[key]}"
    out = {"href": f"{ASSET_ROOT}{href_stem}{suffix}", "type": media_type, "roles": roles,
           "title": title}
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
        items.append(item(collection, item_id, datetime, tile.gdal_transform(resolution),
                          tile.shape(resolution), keys, f"{collection}/{item_id}"))
    return items


def _plausible_date(tile, keys):
    """Invented: a deterministic noon date between 2016 and 2024 (northern DSM tiles: 2021)."""
    if "dtm" not in keys:
        return "2021-10-24T12:00:00Z"
    year = 2016 + (tile.col * 7 + tile.row * 3) % 9
    month = 5 + (tile.col + tile.row) % 6
    day = 1 + (tile.col * 11 + tile.row * 5) % 28
    return f"{year}-{month:02d}-{day:02d}T12:00:00Z"


def lidar_items():
    to_grid = Transformer.from_crs("EPSG:4326", GRID_CRS, always_xy=True)
    items = []
    for item_id, date, shape, transform in LIDAR_PROJECTS:
        if transform is None:
            lon0, lat0, lon1, lat1 = LIDAR_LONLAT_BOXES[item_id]
            xs, ys = to_grid.transform([lon0, lon1, lon0, lon1], [lat0, lat0, lat1, lat1])
            left, top = math.floor(min(xs)), math.ceil(max(ys))
            width = math.ceil(max(xs)) - left
            height = top - math.floor(min(ys))
            if shape is None:
                shape = [height, width]
            transform = [left, 1, 0, top, 0, -1]
        items.append(item("hrdem-lidar", item_id, f"{date}T12:00:00Z", transform, shape,
                          LIDAR_ASSETS, f"hrdem-lidar/{item_id}", bilingual=True))
    return items


def arcticdem_items():
    items = []
    for name in ["1_5", "2_6", "3_7", "4_8", "5_9"]:
        tile = Tile.parse(name)
        items.append(item("hrdem-arcticdem", f"arcticdem-{name}", "2021-10-24T12:00:00Z",
                          tile.gdal_transform(2), tile.shape(2), ARCTICDEM_ASSETS,
                          f"hrdem-arcticdem/arcticdem-{name}"))
    return items


def mrdem_items():
    transform = [-2_550_000, 30, 0, 3_900_000, 0, -30]
    return [item("mrdem-30", "mrdem", "2024-01-01T12:00:00Z", transform, [166668, 185220],
                 MRDEM_ASSETS, "mrdem-30/mrdem-30")]


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
    return collection(collection_id, {
        "title": collection_id,
        "description": OTHER_DESCRIPTIONS.get(collection_id) or (
            f"{collection_id} (description not recorded in the mirror) / "
            f"{collection_id} (description non enregistrée dans le miroir)"),
        "bbox": [-141.0, 41.6, -52.6, 83.2],
        "interval": [None, None],
    })


PROVENANCE = {
    "about": "What in this snapshot was recorded from the live API and what was filled in. "
             "See shared/ccmeo-api-facts.md for the sources.",
    "verified": [
        "collection ids; descriptions of mrdem-30 and the start of the hrdem-mosaic ones; "
        "license; extent bboxes of hrdem-mosaic-1m and hrdem-lidar",
        "item shape: properties keys, GDAL-order proj:transform, proj:shape, proj:epsg, noon "
        "datetimes, stac_extensions, asset keys, types, roles, titles and href patterns",
        "the 500 km tile grid and the list of 2 m tiles with a DTM (inferred from records)",
        "datetimes of 2_3-mosaic-1m and 7_2-mosaic-1m; hrdem-lidar ids and datetimes; "
        "proj:shape/transform of BC-Lower_Mainland_2016-1m and "
        "BC-Vancouver_Island_Sunshine_Coast_2018-1m; proj:shape of VILLE_VANCOUVER",
    ],
    "not_verified": [
        "collection titles, temporal intervals, the descriptions of cdem and cdsm, the rest of the hrdem-mosaic descriptions, the "
        "hrdem-arcticdem, hrdem-lidar descriptions, extents other than 1m and lidar, and every "
        "field of the 27 non-elevation collections",
        "datetimes of mosaic tiles other than 2_3-mosaic-1m and 7_2-mosaic-1m",
        "the list of DSM-only northern 2 m tiles other than 4_8, and of 1 m tiles",
        "hrdem-lidar footprints other than the two with a recorded proj:transform",
        "hrdem-arcticdem item ids other than arcticdem-1_5, and their grid",
        "mrdem proj:transform (origin), the created/updated stamps",
        "titles of extent, VRT, source and hillshade VRT assets",
    ],
}


def write_catalog():
    order = list(DEM_COLLECTIONS)
    for position, collection_id in enumerate(OTHER_COLLECTION_IDS):
        order.insert((position * 3) % (len(order) + 1), collection_id)
    collections = [collection(cid, DEM_COLLECTIONS[cid]) if cid in DEM_COLLECTIONS else other_collection(cid)
                   for cid in order]
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
