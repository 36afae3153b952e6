"""The running mirror seen as a client sees the live hosts (run inside `python -m mirror run`)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
import rasterio
import requests
from pystac_client import Client
from rasterio.windows import from_bounds
from rio_cogeo.cogeo import cog_validate

from mirror import CATALOG_DIR, REPO_DIR, build, paths

pytestmark = pytest.mark.mirror

API = "https://datacube.services.geo.ca/stac/api/"
BUCKET = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/"
OTTAWA_BBOX = [-75.85, 45.30, -75.60, 45.45]
OTTAWA_TILES = ["8_2-mosaic-2m", "9_2-mosaic-2m"]
DEM_COLLECTIONS = {"hrdem-mosaic-1m", "hrdem-mosaic-2m", "hrdem-lidar", "hrdem-arcticdem", "mrdem-30"}
ITEM_PROPERTIES = {"created", "updated", "datetime", "proj:epsg", "collection", "proj:shape",
                   "proj:geometry", "proj:transform"}
COG_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"


def ids(features):
    return sorted(feature["id"] for feature in features)


def test_post_search_finds_the_two_ottawa_tiles():
    search = Client.open(API).search(collections=["hrdem-mosaic-2m"], bbox=OTTAWA_BBOX, method="POST")
    assert sorted(item.id for item in search.items()) == OTTAWA_TILES


def test_get_search_and_its_next_link_give_the_same_tiles():
    url = f"{API}search?collections=hrdem-mosaic-2m&bbox=-75.85,45.30,-75.60,45.45&limit=1"
    pages, seen = 0, []
    while url:
        page = requests.get(url, timeout=30)
        assert page.status_code == 200, page.text
        document = page.json()
        assert set(document) >= {"type", "links", "features", "numberReturned"} and "context" not in document
        seen += [feature["id"] for feature in document["features"]]
        nexts = [link for link in document["links"] if link["rel"] == "next"]
        assert all(link.get("method", "GET") == "GET" for link in nexts)
        url = nexts[0]["href"] if nexts else None
        pages += 1
    assert pages == 2 and sorted(seen) == OTTAWA_TILES


def test_get_search_with_intersects_datetime_and_ids():
    point = quote(json.dumps({"type": "Point", "coordinates": [-75.70, 45.40]}))
    found = requests.get(f"{API}search?collections=hrdem-mosaic-2m&intersects={point}", timeout=30).json()
    assert ids(found["features"]) == ["9_2-mosaic-2m"]
    by_ids = requests.get(f"{API}search?ids=9_2-mosaic-2m,8_2-mosaic-2m&collections=hrdem-mosaic-2m", timeout=30)
    assert ids(by_ids.json()["features"]) == OTTAWA_TILES
    calgary = Client.open(API).search(collections=["hrdem-lidar"], bbox=[-114.00, 51.24, -113.94, 51.33],
                                      datetime="2019-01-01/2024-12-31")
    assert sorted(item.id for item in calgary.items()) == [
        "NRCAN-Calgary_East_utm12_2020-1m", "NRCAN-Calgary_West_utm11_2020-1m"]
    nothing = Client.open(API).search(collections=["hrdem-lidar"], bbox=[-114.00, 51.24, -113.94, 51.33],
                                      datetime="2021-01-01/2024-12-31")
    assert list(nothing.items()) == []


def test_searches_report_number_matched_like_the_live_api():
    search = Client.open(API).search(collections=["hrdem-mosaic-2m"], bbox=OTTAWA_BBOX, limit=1)
    assert search.matched() == 2
    page = requests.get(f"{API}search?collections=hrdem-mosaic-2m&limit=5", timeout=30).json()
    assert page["numberMatched"] == 68 and page["numberReturned"] == 5


def test_a_bad_get_search_is_a_clear_400():
    answer = requests.get(f"{API}search?bbox=1,2,3", timeout=30)
    assert answer.status_code == 400 and "bbox must be 4 or 6" in answer.json()["description"]


def test_paging_with_a_small_limit_visits_every_item():
    search = Client.open(API).search(collections=["hrdem-mosaic-2m"], limit=10)
    assert len(list(search.items())) == 68


@pytest.mark.parametrize("prefix", ["/stac/api", "/pgstac/api", ""])
def test_every_link_prefix_resolves(prefix):
    base = "https://datacube.services.geo.ca" + prefix
    for path in ["/", "/conformance", "/collections", "/collections/hrdem-mosaic-2m",
                 "/collections/hrdem-mosaic-2m/items/9_2-mosaic-2m"]:
        assert requests.get(base + path, timeout=30).status_code == 200, base + path


def test_item_links_point_at_pgstac_and_resolve():
    item = requests.get(f"{API}collections/hrdem-mosaic-2m/items/9_2-mosaic-2m", timeout=30).json()
    for link in item["links"]:
        assert link["href"].startswith("https://datacube.services.geo.ca/pgstac/api/"), link
        assert requests.get(link["href"], timeout=30).status_code == 200, link


def test_collections_as_recorded():
    collections = {c.id: c for c in Client.open(API).get_collections()}
    assert len(collections) == 32 and DEM_COLLECTIONS <= set(collections)
    order = [cid for cid in collections if cid in DEM_COLLECTIONS]
    assert order != sorted(order)
    recorded = json.loads((REPO_DIR / "mirror" / "evidence" / "collection-descriptions.json").read_text())
    for cid in DEM_COLLECTIONS:
        assert collections[cid].description == recorded["descriptions"][cid], cid
        assert collections[cid].license == "OGL-Canada-2.0"
    assert collections["hrdem-mosaic-1m"].extent.spatial.bboxes == [[-150.958, 38.5, -50.761, 76.495]]


def test_items_as_recorded():
    for item in Client.open(API).search(collections=sorted(DEM_COLLECTIONS), limit=100).items_as_dicts():
        properties = item["properties"]
        assert set(properties) == ITEM_PROPERTIES, item["id"]
        assert properties["datetime"].endswith("T12:00:00Z")
        assert item["stac_extensions"] == ["https://stac-extensions.github.io/projection/v1.0.0/schema.json"]
        x0, dx, rx, y0, ry, dy = properties["proj:transform"]
        assert dx > 0 and dy == -dx and rx == ry == 0  # GDAL order
        for key, asset in item["assets"].items():
            assert asset["href"].startswith(BUCKET) and asset["roles"] and asset["type"], (item["id"], key)
            if key in ("dtm", "dsm"):
                assert asset["type"] == COG_TYPE
    tile = requests.get(f"{API}collections/hrdem-mosaic-2m/items/9_2-mosaic-2m", timeout=30).json()
    assert tile["properties"]["proj:transform"] == [1500000, 2, 0, 0, 0, -2]
    assert tile["properties"]["proj:shape"] == [250000, 250000]
    assert list(tile["assets"]) == ["dsm", "dtm", "extent", "dsm-vrt", "dtm-vrt", "coverage", "thumbnail",
                                    "hillshade-dsm", "hillshade-dtm"]
    assert tile["assets"]["dtm"]["href"] == f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"


def test_every_built_asset_of_the_ottawa_tiles_is_served():
    for item_id, collection in [(t, "hrdem-mosaic-2m") for t in OTTAWA_TILES] + [
            ("8_2-mosaic-1m", "hrdem-mosaic-1m"), ("9_2-mosaic-1m", "hrdem-mosaic-1m")]:
        item = requests.get(f"{API}collections/{collection}/items/{item_id}", timeout=30).json()
        for key, asset in item["assets"].items():
            head = requests.head(asset["href"], timeout=30)
            assert head.status_code == 200 and int(head.headers["Content-Length"]) > 0, (item_id, key)


def test_bucket_semantics():
    href = f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"
    head = requests.head(href, timeout=30)
    size = int(head.headers["Content-Length"])
    assert re.fullmatch(r'"[0-9a-f]{32}-\d+"', head.headers["ETag"])
    part = requests.get(href, headers={"Range": "bytes=0-15"}, timeout=30)
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes 0-15/{size}"
    assert part.content[:4] in (b"II*\x00", b"II+\x00")
    assert requests.get(href, headers={"Range": f"bytes={size}-"}, timeout=30).status_code == 416
    missing = requests.get(f"{BUCKET}hrdem-mosaic-2m/0_0-mosaic-2m-dtm.tif", timeout=30)
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text


def test_other_hosts_answer_502_naming_the_host():
    answer = requests.get("https://example.org/some/path", timeout=30)
    assert answer.status_code == 502 and "example.org" in answer.text


def catalog_items():
    for path in sorted((CATALOG_DIR / "items").glob("*.json")):
        yield from json.loads(path.read_text())["features"]


def test_cogs_are_valid_and_on_the_live_grid():
    transforms = {asset["href"][len(BUCKET):]: item["properties"]["proj:transform"]
                  for item in catalog_items() for asset in item["assets"].values()}
    cogs = sorted(paths.assets_dir().rglob("*.tif"))
    # Ottawa: 2 tiles x 2 resolutions x 4; Vancouver: 6 LiDAR projects x 2, 2_3-mosaic-1m x 4;
    # Ulukhaktok: arcticdem-4_8 and 4_8-mosaic-2m x 2 (DSM and its hillshade); MRDEM-30: 5.
    assert len(cogs) == 32 + 4 + 5
    for cog in cogs:
        valid, errors, _ = cog_validate(str(cog), quiet=True)
        assert valid, (cog, errors)
        left, res, _, top, _, _ = transforms[cog.relative_to(paths.assets_dir()).as_posix()]
        with rasterio.open(cog) as src:
            assert src.crs.to_epsg() == 3979 and src.res == (res, res), cog
            assert (src.transform.c - left) % (512 * res) == 0 and (top - src.transform.f) % (512 * res) == 0
            assert src.block_shapes == [(512, 512)] and src.compression.name == "lzw"
            assert src.overviews(1), cog
            if "hillshade" in cog.name or "source" in cog.name:
                assert src.dtypes == ("uint8",) and src.nodata == 0
            else:
                assert src.dtypes == ("float32",) and src.nodata == -32767


def test_the_ottawa_aoi_reads_elevations_not_nodata():
    with rasterio.open(f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif") as src:
        window = from_bounds(1500000, -186524.45, 1522103.68, -164429.19, src.transform)
        dtm = src.read(1, window=window, out_shape=(1000, 1000), masked=True)
    assert not dtm.mask.any()
    assert 40 < dtm.min() < 60 and 150 < dtm.max() < 260 and 60 < dtm.mean() < 110


def test_the_request_log_records_each_request(tmp_path):
    log = tmp_path / "requests.jsonl"
    script = ("import requests; requests.get('https://datacube.services.geo.ca/stac/api/collections');"
              "requests.get('https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/"
              "9_2-mosaic-2m-dtm.tif', headers={'Range': 'bytes=0-99'})")
    result = mirror_run(["--log", str(log), "--", sys.executable, "-c", script])
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["host"], r["method"], r["path"], r["status"]) for r in records] == [
        ("datacube.services.geo.ca", "GET", "/stac/api/collections", 200),
        ("canelevation-dem.s3.ca-central-1.amazonaws.com", "GET", "/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif", 206)]
    assert records[1]["range"] == "bytes=0-99" and records[1]["bytes"] == 100
    assert set(records[0]) >= {"host", "method", "path", "query", "range", "status", "bytes"}


def mirror_run(args, env=None):
    return subprocess.run([sys.executable, "-m", "mirror", "run", *args], capture_output=True, text=True,
                          timeout=300, env=env or os.environ)


def test_stac_client_command_through_mirror_run():
    stac_client = str(Path(sys.executable).with_name("stac-client"))
    result = mirror_run(["--", stac_client, "search", API, "-c", "hrdem-mosaic-2m", "--bbox",
                         *map(str, OTTAWA_BBOX)])
    assert result.returncode == 0, result.stderr
    assert ids(json.loads(result.stdout)["features"]) == OTTAWA_TILES


def test_rio_info_through_mirror_run():
    rio = str(Path(sys.executable).with_name("rio"))
    result = mirror_run(["--", rio, "info", f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"])
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["crs"] == "EPSG:3979" and info["dtype"] == "float32" and info["nodata"] == -32767


def test_run_passes_the_exit_status_through_and_explains_a_missing_command():
    assert mirror_run(["--", sys.executable, "-c", "raise SystemExit(7)"]).returncode == 7
    missing = mirror_run(["--", "no-such-program-here"])
    assert missing.returncode == 2 and "command not found: no-such-program-here" in missing.stderr
    nothing = mirror_run([])
    assert nothing.returncode == 2 and "nothing to run" in nothing.stderr


def test_a_busy_port_is_explained():
    port = int(os.environ["HTTPS_PROXY"].rsplit(":", 1)[1])  # the mirror this suite runs in
    result = mirror_run(["--port", str(port), "--", "true"])
    assert result.returncode == 2 and f"port {port}" in result.stderr and "already in use" in result.stderr


def test_a_proxy_that_fails_to_start_is_explained():
    result = mirror_run(["--", "true"], env={**os.environ, "MIRROR_MITMDUMP": "/bin/false"})
    assert result.returncode == 2 and "mitmdump exited with status 1 while starting" in result.stderr


def test_env_without_a_running_mirror_is_explained(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mirror", "env"], capture_output=True, text=True,
                            env={**os.environ, "MIRROR_CACHE": str(tmp_path)}, timeout=60)
    assert result.returncode == 2 and "no mirror is running" in result.stderr


def test_the_build_cache_is_current():
    assert build.is_current()


def test_serve_then_env_wires_another_shell(tmp_path):
    import signal
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    serve = subprocess.Popen([sys.executable, "-m", "mirror", "serve", "--port", str(port)],
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not paths.state_file().is_file() and time.monotonic() < deadline and serve.poll() is None:
            time.sleep(0.2)
        exports = subprocess.run([sys.executable, "-m", "mirror", "env"], capture_output=True, text=True,
                                 timeout=60)
        assert exports.returncode == 0, exports.stderr
        assert f"export HTTPS_PROXY=http://127.0.0.1:{port}" in exports.stdout
        assert "export GDAL_CURL_CA_BUNDLE=" in exports.stdout
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    assert not paths.state_file().exists()
    stale = subprocess.run([sys.executable, "-m", "mirror", "env"], capture_output=True, text=True, timeout=60)
    assert stale.returncode == 2 and "no mirror is running" in stale.stderr


VANCOUVER_POINT = (-123.0939, 49.2523)  # inside the block the mirror builds for every LiDAR project
LIDAR = f"{BUCKET}hrdem-lidar/"


def lidar_dtm_at(project, x, y, half=20):
    with rasterio.open(f"{LIDAR}{project}-dtm.tif") as src:
        return src.read(1, window=from_bounds(x - half, y - half, x + half, y + half, src.transform), masked=True)


def test_lidar_projects_over_vancouver_and_their_real_coverage():
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    found = Client.open(API).search(collections=["hrdem-lidar"], intersects=Point(*VANCOUVER_POINT)).items()
    found = {item.id: item for item in found}
    assert set(found) >= {"BC-Lower_Mainland_2016-1m", "BC-Vancouver_Island_Sunshine_Coast_2018-1m",
                          "VILLE_VANCOUVER-VILLE_VANCOUVER-1m", "NRCAN-Lower_Mainland_2019-1m",
                          "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m"}
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3979", always_xy=True).transform(*VANCOUVER_POINT)
    for project in found:
        extent = shape(requests.get(f"{LIDAR}{project}-extent.geojson", timeout=30).json()["geometry"])
        covered = extent.contains(Point(*VANCOUVER_POINT))
        dtm = lidar_dtm_at(project, x, y)
        assert covered == (not dtm.mask.all()), project  # the extent asset tells the truth
    assert lidar_dtm_at("BC-Vancouver_Island_Sunshine_Coast_2018-1m", x, y).mask.all()  # footprint over-claims


def test_two_acquisitions_differ_where_the_ground_changed():
    excavation, elsewhere = (-1_976_300, 471_200), (-1_978_500, 472_800)
    changes = []
    for x, y in (excavation, elsewhere):
        before = lidar_dtm_at("NRCAN-Lower_Mainland_2019-1m", x, y)
        after = lidar_dtm_at("NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m", x, y)
        changes.append(float(np.ma.median(after - before)))
    assert changes[0] < -5 and abs(changes[1]) < 0.1


def test_neighbouring_city_surveys_each_cover_their_own_side():
    west, east, y = -1_976_600, -1_975_500, 472_000  # either side of the (invented) city line
    assert not lidar_dtm_at("VILLE_VANCOUVER-VILLE_VANCOUVER-1m", west, y, half=5).mask.any()
    assert lidar_dtm_at("VILLE_VANCOUVER-VILLE_VANCOUVER-1m", east, y, half=5).mask.all()
    assert not lidar_dtm_at("VILLE_BURNABY-VILLE_BURNABY-1m", east, y, half=5).mask.any()


def test_the_mosaic_equals_its_newest_project_pixel_for_pixel():
    x, y = -1_977_000, 472_000
    with rasterio.open(f"{BUCKET}hrdem-mosaic-1m/2_3-mosaic-1m-dtm.tif") as src:
        mosaic = src.read(1, window=from_bounds(x - 100, y - 100, x + 100, y + 100, src.transform))
    newest = lidar_dtm_at("NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m", x, y, half=100)
    older = lidar_dtm_at("NRCAN-Lower_Mainland_2019-1m", x, y, half=100)
    assert mosaic.shape == newest.shape == (200, 200)
    assert (mosaic == newest.filled()).all() and not (mosaic == older.filled()).all()


def test_the_mirror_listens_on_loopback_only_and_keeps_its_ca_in_its_cache():
    import psutil

    mirror_process = psutil.Process(os.getppid())  # `python -m mirror run`, which started this suite
    servers = [child for child in mirror_process.children() if child.name() in ("rustac", "mitmdump")]
    assert {server.name() for server in servers} == {"rustac", "mitmdump"}
    listening = [conn for server in servers for conn in server.net_connections(kind="inet")
                 if conn.status == psutil.CONN_LISTEN]
    assert listening and all(conn.laddr.ip == "127.0.0.1" for conn in listening), listening
    bundle = Path(os.environ["REQUESTS_CA_BUNDLE"])
    assert bundle.is_relative_to(paths.cache_dir()) and (paths.proxy_confdir() / "mitmproxy-ca-cert.pem").is_file()


MRDEM = f"{BUCKET}mrdem-30/mrdem-30-"
GILLAM = (-94.90, 56.25, -94.50, 56.45)
REGION_08 = (-76.25, 45.05, -75.35, 45.55)


def read_lonlat(href, lonlat_box, **kwargs):
    from rasterio.warp import transform_bounds

    with rasterio.open(href) as src:
        window = from_bounds(*transform_bounds("EPSG:4326", src.crs, *lonlat_box, densify_pts=21), src.transform)
        return src.read(1, window=window, masked=True, **kwargs)


def test_mrdem_has_the_live_size_a_national_overview_and_full_resolution_where_tutorials_read():
    item = Client.open(API).get_collection("mrdem-30").get_item("mrdem")
    with rasterio.open(f"{MRDEM}dtm.tif") as src:
        assert list(src.shape) == item.properties["proj:shape"] and src.res == (30, 30)
        assert src.overviews(1) == [2, 4, 8, 16, 32, 64, 128, 256, 512]
        canada = src.read(1, out_shape=(src.height // 128, src.width // 128), masked=True)
        inside_patch = src.read(1, window=rasterio.windows.Window(100_000, 100_000, 512, 512), masked=True)
    assert 0.25 < canada.count() / canada.size < 0.7  # land, not the whole rectangle
    assert 0 < canada.min() < 50 and 1500 < canada.max() < 4000
    assert inside_patch.mask.all()  # full resolution exists only in the patches
    gillam = read_lonlat(f"{MRDEM}dtm.tif", GILLAM)
    assert gillam.count() == gillam.size and 20 < gillam.mean() < 400
    source = read_lonlat(f"{MRDEM}source.tif", GILLAM)
    assert set(np.unique(source.compressed())) <= {1, 5, 10}


def test_the_northern_tile_has_no_dtm_and_the_same_dsm_as_arcticdem():
    mosaic = read_lonlat(f"{BUCKET}hrdem-mosaic-2m/4_8-mosaic-2m-dsm.tif", (-117.86, 70.71, -117.70, 70.76))
    arctic = read_lonlat(f"{BUCKET}hrdem-arcticdem/arcticdem-4_8-dsm.tif", (-117.86, 70.71, -117.70, 70.76))
    assert np.array_equal(mosaic.filled(-32767), arctic.filled(-32767))
    assert 0.02 < arctic.mask.mean() < 0.5  # sea and voids are nodata
    assert requests.head(f"{BUCKET}hrdem-mosaic-2m/4_8-mosaic-2m-dtm.tif", timeout=30).status_code == 404


def test_the_2m_tiles_overviews_cover_tutorial_08s_region_at_8_m():
    for tile in OTTAWA_TILES:
        with rasterio.open(f"{BUCKET}hrdem-mosaic-2m/{tile}-dtm.tif") as src:
            assert src.overviews(1)[:2] == [2, 4]
    west = read_lonlat(f"{BUCKET}hrdem-mosaic-2m/8_2-mosaic-2m-dtm.tif", (-76.15, 45.2, -76.05, 45.4),
                       out_shape=(500, 500))
    assert west.count() == west.size and 30 < west.mean() < 300
    far_west_full_resolution = read_lonlat(f"{BUCKET}hrdem-mosaic-2m/8_2-mosaic-2m-dtm.tif", (-76.2, 45.1, -76.19, 45.11))
    assert far_west_full_resolution.mask.all()  # 2 m only in the Ottawa AOI
