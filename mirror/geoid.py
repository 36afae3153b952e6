"""Synthetic geoid grids for the mirror's ``cdn.proj.org``, under the live file names.

PROJ fetches NRCan's height grids from its CDN when its network is on (mirror/LIVE-API.md
F-PROJ-CDN, F-PROJ-CDN-FILES). The mirror serves three files, written as PROJ's "Geodetic TIFF
grids" (GTG) want them: one Float32 sample, tiled 256 x 256, DEFLATE, PixelIsPoint, the
interpolation CRS in the GeoKeys, and the GDAL metadata PROJ reads (``TYPE``, the band's
``DESCRIPTION`` and ``UNITTYPE``):

- ``ca_nrc_CGG2013an83.tif``: ``geoid_undulation`` N2013, the ellipsoidal height (NAD83(CSRS)v6)
  of the CGVD2013 surface: h = H2013 + N2013;
- ``ca_nrc_HT2_2010v70.tif``: ``geoid_undulation`` N28 of the CGVD28 height reference surface
  (HT2 2010 v70): h = H28 + N28;
- ``ca_nrc_HT2_2010v70_CGG2013a.tif``: ``vertical_offset`` between CGVD28 and CGVD2013, stored as
  H28 - H2013 (= N2013 - N28), which PROJ picks for a compound CGVD2013a(2010) to CGVD28
  transformation: EPSG:10520 runs it as ``vgridshift +multiplier=-1`` (H2013 = H28 - value), so
  that sign makes PROJ's one-grid path agree with the two-grid path through the ellipsoid.

The values are INVENTED, smooth and only plausible, and every file says so in its
ImageDescription and Copyright tags and in a ``mirror_synthetic`` metadata item:

- N2013: a broad low over Hudson Bay (about -46 m, the low that the public maps of Canada's
  geoid show there) rising to about -13 m towards the coasts, with gentle undulations; about
  -27 m at Ottawa, -17 m at Vancouver, -17 m at Ulukhaktok (the real values differ);
- H28 - H2013 = N2013 - N28: decimetres, +0.38 m at NRCan's published example point
  (631 182 E, 5 519 465 N, UTM 14N: 232.56 m CGVD28, 232.18 m CGVD2013, F-PROJ-NRCAN-GDALWARP),
  and otherwise an invented smooth field between about -0.2 and +0.45 m.

Beside them, ``files.geojson``: the listing ``pyproj sync`` and ``projsync`` read from the CDN
(one feature per grid, with the properties pyproj's sync uses: name, source_id, area_of_use, url,
file_size, sha256sum). The live listing holds every grid of PROJ-data; this one the mirror's three.

The node spacing (5 arc-minutes) and the extent (142 W to 50 W, 40 N to 84 N) are the mirror's
own choice, not the live files'. This module runs in the build (numpy and rasterio).
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from mirror import PACKAGE_DIR, paths

try:
    import fcntl
except ImportError:  # Windows: two builds at once are not kept apart, as in build.py
    fcntl = None

CDN_HOST = "cdn.proj.org"
SPACING_DEG = 5 / 60
WEST, EAST, SOUTH, NORTH = -142.0, -50.0, 40.0, 84.0
GRID_CRS = "EPSG:8252"  # NAD83(CSRS)v6 (geographic 2D): the source CRS of EPSG:9247 and EPSG:9986
# NRCan's published example (F-PROJ-NRCAN-GDALWARP): CGVD28 minus CGVD2013 there, and where it is.
EXAMPLE_LONLAT = (-97.1766, 49.8133)  # 631 182 E, 5 519 465 N in NAD83(CSRS) / UTM zone 14N (EPSG:3158)
EXAMPLE_H28_MINUS_H2013 = 0.38
SYNTHETIC = (
    "SYNTHETIC grid of the tutorials' offline mirror, under the live file name: invented, smooth values, "
    "not NRCan's model. Never use it for real heights."
)

# name: (sample description, TYPE, target_crs_epsg_code, source_crs_epsg_code or None, what it is)
GRIDS = {
    "ca_nrc_CGG2013an83.tif": (
        "geoid_undulation",
        "VERTICAL_OFFSET_GEOGRAPHIC_TO_VERTICAL",
        "9245",
        None,
        "CGG2013a geoid on NAD83(CSRS)v6 (CGVD2013a(2010) heights)",
    ),
    "ca_nrc_HT2_2010v70.tif": (
        "geoid_undulation",
        "VERTICAL_OFFSET_GEOGRAPHIC_TO_VERTICAL",
        "5713",
        None,
        "HT2 2010 v70: CGVD28 height reference surface on NAD83(CSRS)v6",
    ),
    "ca_nrc_HT2_2010v70_CGG2013a.tif": (
        "vertical_offset",
        "VERTICAL_OFFSET_VERTICAL_TO_VERTICAL",
        "9245",
        "5713",
        "CGVD28 (HT2 2010 v70) to CGVD2013a(2010) (CGG2013a)",
    ),
}


def nodes() -> tuple[np.ndarray, np.ndarray]:
    """Longitudes (west to east) and latitudes (north to south) of the grid nodes, in degrees."""
    columns = round((EAST - WEST) / SPACING_DEG) + 1
    rows = round((NORTH - SOUTH) / SPACING_DEG) + 1
    return WEST + SPACING_DEG * np.arange(columns), NORTH - SPACING_DEG * np.arange(rows)


def undulation_2013(lon, lat):
    """N2013 in metres (invented): h = H2013 + N2013."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    low = np.exp(-(((lon + 85.0) / 28.0) ** 2) - ((lat - 58.0) / 14.0) ** 2)
    waves = 2.5 * np.sin(np.radians(lon) * 9.0) * np.cos(np.radians(lat) * 7.0)
    return -13.0 - 33.0 * low + waves


def cgvd28_minus_cgvd2013(lon, lat):
    """H28 - H2013 = N2013 - N28 in metres (invented, decimetres): +0.38 m at NRCan's example point."""

    def field(lon, lat):
        return 0.25 * np.cos(np.radians(lon + 100.0) * 3.0) + 0.15 * np.sin(np.radians(lat - 40.0) * 4.0)

    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    return EXAMPLE_H28_MINUS_H2013 + field(lon, lat) - field(*EXAMPLE_LONLAT)


def undulation_28(lon, lat):
    """N28 in metres (invented): h = H28 + N28."""
    return undulation_2013(lon, lat) - cgvd28_minus_cgvd2013(lon, lat)


def values(name: str, lon, lat):
    """The grid's sample at (lon, lat), as PROJ's GTG semantics define it for the file."""
    if name == "ca_nrc_CGG2013an83.tif":
        return undulation_2013(lon, lat)
    if name == "ca_nrc_HT2_2010v70.tif":
        return undulation_28(lon, lat)
    return cgvd28_minus_cgvd2013(lon, lat)  # EPSG:10520: H2013 = H28 - value (vgridshift multiplier -1)


def write(name: str, path: Path) -> None:
    description, kind, target, source, title = GRIDS[name]
    lons, lats = nodes()
    grid = values(name, lons[None, :], lats[:, None]).astype(np.float32)
    # PixelIsPoint (GTG): the nodes are pixel centres; GDAL's transform is the corner of the first pixel.
    transform = from_origin(WEST - SPACING_DEG / 2, NORTH + SPACING_DEG / 2, SPACING_DEG, SPACING_DEG)
    profile = {
        "driver": "GTiff",
        "width": lons.size,
        "height": lats.size,
        "count": 1,
        "dtype": "float32",
        "crs": GRID_CRS,
        "transform": transform,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "DEFLATE",
        "predictor": 3,
        "interleave": "band",
    }
    with rasterio.Env(GTIFF_POINT_GEO_IGNORE=False):
        with rasterio.open(path, "w", **profile) as grid_file:
            grid_file.write(grid, 1)
            grid_file.update_tags(AREA_OR_POINT="Point")
            tags = {
                "TYPE": kind,
                "area_of_use": "Canada (synthetic mirror grid)",
                "target_crs_epsg_code": target,
                "mirror_synthetic": "YES",
                "TIFFTAG_IMAGEDESCRIPTION": f"{title}. {SYNTHETIC}",
                "TIFFTAG_COPYRIGHT": "Synthetic, invented values (the offline mirror); the live file is NRCan's.",
                "TIFFTAG_DATETIME": "2026:01:01 00:00:00",
            }
            if source:
                tags["source_crs_epsg_code"] = source
            grid_file.update_tags(**tags)
            grid_file.set_band_description(1, description)
            grid_file.units = ("metre",)


def listing(folder: Path) -> dict:
    """files.geojson for the grids in ``folder``: what ``pyproj sync --file NAME`` looks a grid up in."""
    ring = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    features = []
    for name, (_, _, _, _, title) in GRIDS.items():
        data = (folder / name).read_bytes()
        properties = {
            "name": name,
            "source_id": "ca_nrc",
            "area_of_use": "Canada",
            "description": f"{title} (synthetic: the offline mirror's)",
            "url": f"https://{CDN_HOST}/{name}",
            "file_size": len(data),
            "sha256sum": hashlib.sha256(data).hexdigest(),
        }
        features.append(
            {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    return {"type": "FeatureCollection", "features": features}


def cache_key() -> str:
    digest = hashlib.sha256((PACKAGE_DIR / "geoid.py").read_bytes())
    digest.update(f"{rasterio.__version__} {rasterio.__gdal_version__} {np.__version__}".encode())
    return digest.hexdigest()


def is_current() -> bool:
    stamp = paths.cdn_dir() / ".build-key"
    return stamp.is_file() and stamp.read_text() == cache_key()


def build(log=print, force: bool = False) -> Path:
    """Write the grids into the CDN folder (aside, then moved in), unless they are current."""
    target = paths.cdn_dir()
    if is_current() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / "cdn.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another build writing them: wait, then look again
        if is_current() and not force:
            return target
        return _write_all(target, log)


def _write_all(target: Path, log) -> Path:
    staging = Path(tempfile.mkdtemp(prefix="cdn.partial-", dir=target.parent))
    staging.chmod(0o755)
    try:
        for name in GRIDS:
            write(name, staging / name)
        (staging / "files.geojson").write_text(json.dumps(listing(staging)))
        (staging / ".build-key").write_text(cache_key())
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"mirror: wrote {len(GRIDS)} synthetic geoid grids for {CDN_HOST} into {target}")
    return target
