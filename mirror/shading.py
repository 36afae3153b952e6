"""Pictures of a DEM for the assets: the hillshade, and PNG thumbnails."""

import warnings
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors

from mirror.terrain import NODATA

HILLSHADE_NODATA = 0


def hillshade(dem, res, azimuth=315.0, altitude=45.0):
    """gdaldem-style hillshade (1..255, 0 for nodata). With slope s and aspect a from the gradient,
    sin(alt) cos(s) + cos(alt) sin(s) cos(az - a) needs no trigonometry per pixel:
    (sin(alt) + cos(alt) (dzdy sin(az) - dzdx cos(az))) / sqrt(1 + dzdx^2 + dzdy^2)."""
    valid = dem != NODATA
    z = np.where(valid, dem, np.nan).astype(np.float32)
    dzdy, dzdx = np.gradient(z, np.float32(res))
    az, alt = np.radians(360 - azimuth + 90), np.radians(altitude)
    toward_light = np.float32(np.sin(az)) * dzdy - np.float32(np.cos(az)) * dzdx
    shade = (np.float32(np.sin(alt)) + np.float32(np.cos(alt)) * toward_light) / np.sqrt(1 + dzdx * dzdx + dzdy * dzdy)
    out = np.clip(1 + 254 * shade, 1, 255)
    return np.where(np.isfinite(out), out, HILLSHADE_NODATA).astype(np.uint8)


def write_png(path: Path, data: np.ndarray) -> None:
    """An 8-bit greyscale PNG, without the .aux.xml sidecar GDAL would leave."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(
            path, "w", driver="PNG", width=data.shape[1], height=data.shape[0], count=1, dtype="uint8"
        ) as dst:
            dst.write(data, 1)
    for sidecar in path.parent.glob(path.name + ".aux.xml"):
        sidecar.unlink()
