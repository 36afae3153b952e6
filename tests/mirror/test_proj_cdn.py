"""The mirror's cdn.proj.org: synthetic geoid grids served S3-style, and PROJ reading them through it.

Run inside `python -m mirror run`. mirror/LIVE-API.md F-PROJ-CDN, F-PROJ-CDN-FILES, F-PROJ-CA.
"""

import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pyproj
import pytest
import rasterio
import requests

from mirror import CDN_ROOT, geoid, paths

pytestmark = pytest.mark.mirror

# The places the tutorials read (lon, lat): Ottawa-Gatineau, Metro Vancouver, Ulukhaktok.
PLACES = {"ottawa": (-75.70, 45.42), "vancouver": (-123.10, 49.25), "north": (-117.77, 70.74)}
FETCH = f"""
import pathlib, pyproj, requests
folder = pathlib.Path(pyproj.datadir.get_user_data_dir(True))
for name in {sorted(geoid.GRIDS)!r}:
    answer = requests.get("{CDN_ROOT}" + name, timeout=60)
    answer.raise_for_status()
    (folder / name).write_bytes(answer.content)
"""
POINTS = f"""
import json, pyproj
strict = dict(always_xy=True, allow_ballpark=False, only_best=True)  # a missing grid is an error, not 0 m
to_h = pyproj.Transformer.from_crs("EPSG:8252+9245", "EPSG:8251", **strict)
to_28 = pyproj.Transformer.from_crs("EPSG:8252+9245", "EPSG:8252+5713", **strict)
places = {PLACES!r}
print(json.dumps({{name: [to_h.transform(lon, lat, 100.0)[2], to_28.transform(lon, lat, 100.0)[2]]
                  for name, (lon, lat) in places.items()}}))
try:
    pyproj.Transformer.from_crs("EPSG:8252+20035", "EPSG:8251", **strict)  # needs ca_nrc_NAD83v70VG.tif: not mirrored
except pyproj.exceptions.ProjError as error:
    print(json.dumps(str(error)))
"""


def mirror_run(tmp_path, script: str, *options: str, env: dict | None = None):
    """Run `script` in a fresh interpreter through a mirror of its own; its output and request log."""
    log = tmp_path / "log.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "mirror", "run", "--log", str(log), *options, "--", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize("name", sorted(geoid.GRIDS))
def test_the_cdn_answers_like_s3_with_ranges(name):
    href = CDN_ROOT + name
    size = (paths.cdn_dir() / name).stat().st_size
    head = requests.head(href, timeout=30)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == size
    assert head.headers["Accept-Ranges"] == "bytes" and head.headers["Content-Type"] == "image/tiff"
    assert re.fullmatch(r'"[0-9a-f]{32}(-\d+)?"', head.headers["ETag"]) and head.headers["Last-Modified"]
    part = requests.get(href, headers={"Range": "bytes=0-15"}, timeout=30)
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes 0-15/{size}"
    assert part.content[:4] == b"II*\x00"
    assert requests.get(href, headers={"Range": f"bytes={size}-"}, timeout=30).status_code == 416


def test_an_unknown_file_is_a_404_as_on_s3():
    missing = requests.get(f"{CDN_ROOT}ca_nrc_no_such_grid.tif", timeout=30)
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text
    assert requests.head(f"{CDN_ROOT}ca_nrc_no_such_grid.tif", timeout=30).status_code == 404


@pytest.mark.parametrize("name", sorted(geoid.GRIDS))
def test_the_grids_are_geodetic_tiff_grids_marked_synthetic(name):
    description, kind, target, _, _ = geoid.GRIDS[name]
    with rasterio.open(paths.cdn_dir() / name) as grid:
        tags = grid.tags()
        assert tags["TYPE"] == kind and tags["target_crs_epsg_code"] == target
        assert tags["AREA_OR_POINT"] == "Point" and grid.crs.to_epsg() == 8252
        assert grid.descriptions == (description,) and grid.units == ("metre",)
        assert tags["mirror_synthetic"] == "YES" and "SYNTHETIC" in tags["TIFFTAG_IMAGEDESCRIPTION"]
        assert grid.dtypes == ("float32",) and grid.block_shapes == [(256, 256)]
        west, south, east, north = grid.bounds
        assert west < -141 and east > -52.5 and south < 41.7 and north > 83  # Canada, Pelee Island to Alert
        values = grid.read(1)
    assert np.isfinite(values).all()
    if description == "geoid_undulation":
        assert -48 < values.min() and values.max() < -10  # metres below the ellipsoid
    else:
        assert np.abs(values).max() < 1  # CGVD28 and CGVD2013 differ by decimetres


def test_pyproj_reads_the_grids_fetched_into_its_user_directory(tmp_path):
    """The explicit download (network off): the values are the grid's at each place."""
    output, records = mirror_run(tmp_path, FETCH + POINTS)
    assert {(r["host"], r["status"]) for r in records} == {("cdn.proj.org", 200)} and len(records) == 3
    heights, missing = map(json.loads, output.splitlines()[-2:])
    assert "is not available" in missing
    for place, (lon, lat) in PLACES.items():
        ellipsoidal, cgvd28 = heights[place]
        assert math.isclose(ellipsoidal, 100 + float(geoid.undulation_2013(lon, lat)), abs_tol=0.005), place
        if place != "north":  # PROJ has no CGVD28 to CGVD2013a(2010) operation this far north
            assert math.isclose(cgvd28, 100 + float(geoid.cgvd28_minus_cgvd2013(lon, lat)), abs_tol=0.005), place


NETWORK_ON = """
import os, pyproj
pyproj.network.set_network_enabled(True)
if os.environ.get("WITH_BUNDLE"):
    pyproj.network.set_ca_bundle_path(os.environ["REQUESTS_CA_BUNDLE"])
to_h = pyproj.Transformer.from_crs("EPSG:8252+9245", "EPSG:8251", always_xy=True)
print(to_h.transform(-75.70, 45.42, 100.0)[2])
"""


def test_pyproj_with_its_network_on_needs_a_ca_bundle_path_to_reach_the_mirror(tmp_path):
    """F-PROJ-CA: with CURL_CA_BUNDLE or SSL_CERT_FILE set (as the mirror sets them), pyproj hands PROJ an
    empty CA path and its curl falls back to a bundle path this machine lacks: inf, and no request."""
    output, records = mirror_run(tmp_path, NETWORK_ON)
    assert output.split()[-1] == "inf" and records == []
    output, records = mirror_run(tmp_path, NETWORK_ON, env={"WITH_BUNDLE": "1"})
    assert math.isclose(float(output.split()[-1]), 100 + float(geoid.undulation_2013(-75.70, 45.42)), abs_tol=0.005)
    assert records and all(r["host"] == "cdn.proj.org" and r["status"] == 206 and r["range"] for r in records)


RASTERIO_NETWORK_ON = """
import os
os.environ["PROJ_NETWORK"] = "ON"  # before rasterio's PROJ starts: rasterio.Env(PROJ_NETWORK=...) does not reach it
import numpy as np, rasterio
from rasterio.crs import CRS
from rasterio.warp import reproject, transform
dtm = np.full((8, 8), 100.0, dtype="float32")
grid = rasterio.transform.from_origin(1_509_000, -171_500, 20, 20)
out = np.zeros_like(dtm)
reproject(dtm, out, src_transform=grid, src_crs=CRS.from_user_input("EPSG:3979+9245"), dst_transform=grid,
          dst_crs=CRS.from_user_input("EPSG:3979+5713"), APPLY_VERTICAL_SHIFT="YES")
print(float(out[4, 4]), transform("EPSG:3979+9245", "EPSG:3979+5713", [1_509_090], [-171_590], [100.0])[2][0])
"""


def test_rasterios_proj_with_its_network_on_reaches_the_mirror(tmp_path):
    output, records = mirror_run(tmp_path, RASTERIO_NETWORK_ON)
    lon, lat = pyproj.Transformer.from_crs(3979, 4617, always_xy=True).transform(1_509_090, -171_590)
    expected = 100 + float(geoid.cgvd28_minus_cgvd2013(lon, lat))
    raster, point = map(float, output.split())
    assert math.isclose(raster, expected, abs_tol=0.01) and math.isclose(point, expected, abs_tol=0.01)
    assert {r["path"] for r in records} == {"/ca_nrc_HT2_2010v70_CGG2013a.tif"}


def test_the_fault_mode_applies_to_the_cdn(tmp_path):
    script = f"import requests; print(requests.head('{CDN_ROOT}ca_nrc_HT2_2010v70.tif', timeout=30).status_code)"
    output, records = mirror_run(tmp_path, script, "--faults", "503=1")
    assert output.split()[-1] == "503" and records[0]["fault"] == "503" and records[0]["host"] == "cdn.proj.org"


SYNC = """
import hashlib, json, pathlib, subprocess, sys, pyproj
subprocess.run([sys.executable, "-m", "pyproj", "sync", "--file", "ca_nrc_HT2_2010v70.tif"], check=True)
folder = pathlib.Path(pyproj.datadir.get_user_data_dir())
print(json.dumps(sorted(p.name for p in folder.iterdir())))
print(hashlib.sha256((folder / "ca_nrc_HT2_2010v70.tif").read_bytes()).hexdigest())
"""


def test_pyproj_sync_finds_a_grid_in_the_cdns_listing_and_fetches_it(tmp_path):
    output, records = mirror_run(tmp_path, SYNC)
    names, digest = output.splitlines()[-2:]
    assert json.loads(names) == ["ca_nrc_HT2_2010v70.tif", "files.geojson"]
    listing = json.loads((paths.cdn_dir() / "files.geojson").read_text())
    assert {f["properties"]["name"] for f in listing["features"]} == set(geoid.GRIDS)
    assert (
        digest
        == next(f for f in listing["features"] if f["properties"]["name"] == "ca_nrc_HT2_2010v70.tif")["properties"][
            "sha256sum"
        ]
    )
    assert [r["path"] for r in records] == ["/files.geojson", "/ca_nrc_HT2_2010v70.tif"]
