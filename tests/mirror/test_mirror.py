"""The running mirror seen as a client sees the live hosts (run inside `python -m mirror run`)."""

import json
import math
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
ITEM_PROPERTIES = {
    "created",
    "updated",
    "datetime",
    "proj:epsg",
    "collection",
    "proj:shape",
    "proj:geometry",
    "proj:transform",
}
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
    calgary = Client.open(API).search(
        collections=["hrdem-lidar"], bbox=[-114.00, 51.24, -113.94, 51.33], datetime="2019-01-01/2024-12-31"
    )
    assert sorted(item.id for item in calgary.items()) == [
        "NRCAN-Calgary_East_utm12_2020-1m",
        "NRCAN-Calgary_West_utm11_2020-1m",
    ]
    nothing = Client.open(API).search(
        collections=["hrdem-lidar"], bbox=[-114.00, 51.24, -113.94, 51.33], datetime="2021-01-01/2024-12-31"
    )
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
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/hrdem-mosaic-2m",
        "/collections/hrdem-mosaic-2m/items/9_2-mosaic-2m",
    ]:
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
        _, dx, rx, _, ry, dy = properties["proj:transform"]
        assert dx > 0 and dy == -dx and rx == ry == 0  # GDAL order
        for key, asset in item["assets"].items():
            assert asset["href"].startswith(BUCKET) and asset["roles"] and asset["type"], (item["id"], key)
            if key in ("dtm", "dsm"):
                assert asset["type"] == COG_TYPE
    tile = requests.get(f"{API}collections/hrdem-mosaic-2m/items/9_2-mosaic-2m", timeout=30).json()
    assert tile["properties"]["proj:transform"] == [1500000, 2, 0, 0, 0, -2]
    assert tile["properties"]["proj:shape"] == [250000, 250000]
    assert list(tile["assets"]) == [
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
    assert tile["assets"]["dtm"]["href"] == f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"


def test_every_built_asset_of_the_ottawa_tiles_is_served():
    for item_id, collection in [(t, "hrdem-mosaic-2m") for t in OTTAWA_TILES] + [
        ("8_2-mosaic-1m", "hrdem-mosaic-1m"),
        ("9_2-mosaic-1m", "hrdem-mosaic-1m"),
    ]:
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


def gdal_overview_count(shape):
    """GDAL's default for a COG: halve until the level fits in one 512 x 512 block."""
    count = 0
    while max(math.ceil(side / 2**count) for side in shape) > 512:
        count += 1
    return count


def test_cogs_are_valid_and_have_the_live_size_grid_and_overviews():
    grids = {
        asset["href"][len(BUCKET) :]: item["properties"]
        for item in catalog_items()
        for asset in item["assets"].values()
    }
    cogs = sorted(paths.assets_dir().rglob("*.tif"))
    # Ottawa: 2 tiles x 2 resolutions x 4; every LiDAR project x 2 (empty where no block meets it);
    # 2_3-mosaic-1m x 4; Ulukhaktok: arcticdem-4_8 and 4_8-mosaic-2m x 2 (DSM and its hillshade); MRDEM-30: 5.
    lidar = sum(1 for item in catalog_items() if item["collection"] == "hrdem-lidar")
    assert lidar >= 11 and len(cogs) == 16 + 2 * lidar + 4 + 4 + 5
    for cog in cogs:
        valid, errors, _ = cog_validate(str(cog), quiet=True)
        assert valid, (cog, errors)
        properties = grids[cog.relative_to(paths.assets_dir()).as_posix()]
        left, res, _, top, _, _ = properties["proj:transform"]
        rows, cols = properties["proj:shape"]
        with rasterio.open(cog) as src:
            assert src.crs.to_epsg() == 3979 and src.res == (res, res), cog
            assert src.shape == (rows, cols) and src.bounds == (left, top - rows * res, left + cols * res, top), cog
            assert src.block_shapes == [(512, 512)] and src.compression.name == "lzw"
            assert len(src.overviews(1)) == gdal_overview_count(src.shape), (cog, src.overviews(1))
            if "-mosaic-2m" in cog.name:
                assert src.shape == (250000, 250000) and len(src.overviews(1)) == 9, cog
            if "-mosaic-1m" in cog.name:
                assert src.shape == (500000, 500000) and len(src.overviews(1)) == 10, cog
            if "hillshade" in cog.name or "source" in cog.name:
                assert src.dtypes == ("uint8",) and src.nodata == 0
            else:
                assert src.dtypes == ("float32",) and src.nodata == -32767


def test_vrts_are_the_whole_file_at_its_full_size():
    for item in catalog_items():
        rows, cols = item["properties"]["proj:shape"]
        for key in ("dtm-vrt", "dsm-vrt"):
            vrt = paths.assets_dir() / item["assets"].get(key, {}).get("href", BUCKET)[len(BUCKET) :]
            if not vrt.is_file():
                continue
            text = vrt.read_text()
            cog = item["assets"][key[:3]]["href"]
            assert f'<VRTDataset rasterXSize="{cols}" rasterYSize="{rows}">' in text, vrt
            assert f"/vsicurl/{cog}</SourceFilename>" in text, vrt
            for rect in ("SrcRect", "DstRect"):
                assert f'<{rect} xOff="0" yOff="0" xSize="{cols}" ySize="{rows}" />' in text, vrt


def test_the_ottawa_aoi_reads_elevations_not_nodata():
    with rasterio.open(f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif") as src:
        window = from_bounds(1500000, -186524.45, 1522103.68, -164429.19, src.transform)
        dtm = src.read(1, window=window, out_shape=(1000, 1000), masked=True)
    assert not dtm.mask.any()
    assert 40 < dtm.min() < 60 and 150 < dtm.max() < 260 and 60 < dtm.mean() < 110


def test_the_request_log_records_each_request(tmp_path):
    log = tmp_path / "requests.jsonl"
    script = (
        "import requests; requests.get('https://datacube.services.geo.ca/stac/api/collections');"
        "requests.get('https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/"
        "9_2-mosaic-2m-dtm.tif', headers={'Range': 'bytes=0-99'})"
    )
    result = mirror_run(["--log", str(log), "--", sys.executable, "-c", script])
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["host"], r["method"], r["path"], r["status"]) for r in records] == [
        ("datacube.services.geo.ca", "GET", "/stac/api/collections", 200),
        ("canelevation-dem.s3.ca-central-1.amazonaws.com", "GET", "/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif", 206),
    ]
    assert records[1]["range"] == "bytes=0-99" and records[1]["bytes"] == 100
    assert set(records[0]) >= {"host", "method", "path", "query", "range", "status", "bytes"}


def mirror_run(args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mirror", "run", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env or os.environ,
    )


def test_stac_client_command_through_mirror_run():
    stac_client = str(Path(sys.executable).with_name("stac-client"))
    result = mirror_run(["--", stac_client, "search", API, "-c", "hrdem-mosaic-2m", "--bbox", *map(str, OTTAWA_BBOX)])
    assert result.returncode == 0, result.stderr
    assert ids(json.loads(result.stdout)["features"]) == OTTAWA_TILES


def test_rio_info_through_mirror_run():
    rio = str(Path(sys.executable).with_name("rio"))
    result = mirror_run(["--", rio, "info", f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"])
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["crs"] == "EPSG:3979" and info["dtype"] == "float32" and info["nodata"] == -32767
    # As printed live: the whole 500 km tile.
    assert info["shape"] == [250000, 250000] and info["bounds"] == [1500000, -500000, 2000000, 0]


def test_rio_cogeo_info_through_mirror_run_counts_gdals_default_overviews():
    rio = str(Path(sys.executable).with_name("rio"))
    result = mirror_run(["--", rio, "cogeo", "info", "--json", f"{BUCKET}hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"])
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["COG"] and (info["Profile"]["Width"], info["Profile"]["Height"]) == (250000, 250000)
    levels = info["IFD"]
    assert len(levels) == 1 + 9 and [level["Decimation"] for level in levels[1:5]] == [2, 4, 8, 16]


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
    result = subprocess.run(
        [sys.executable, "-m", "mirror", "env"],
        capture_output=True,
        text=True,
        env={**os.environ, "MIRROR_CACHE": str(tmp_path)},
        timeout=60,
    )
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
    serve = subprocess.Popen(
        [sys.executable, "-m", "mirror", "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not paths.state_file().is_file() and time.monotonic() < deadline and serve.poll() is None:
            time.sleep(0.2)
        exports = subprocess.run([sys.executable, "-m", "mirror", "env"], capture_output=True, text=True, timeout=60)
        assert exports.returncode == 0, exports.stderr
        assert f"export HTTPS_PROXY=http://127.0.0.1:{port}" in exports.stdout
        assert "export GDAL_CURL_CA_BUNDLE=" in exports.stdout
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    assert not paths.state_file().exists()
    stale = subprocess.run([sys.executable, "-m", "mirror", "env"], capture_output=True, text=True, timeout=60)
    assert stale.returncode == 2 and "no mirror is running" in stale.stderr


# Metro Vancouver as recorded (mirror/LIVE-API.md: F-VAN-CITYHALL, F-VAN-MAPLE, F-VAN-MAPLE-OVERLAP, F-VAN-EDGES).
CITY_HALL = (-123.1139, 49.2613)
MAPLE_RIDGE = (-122.59996, 49.21938)
BLOCKS = {block.name: block.bounds for block in build.BLOCKS}  # EPSG:3979, built at 1 m
LIDAR = f"{BUCKET}hrdem-lidar/"
MOSAIC_1M = f"{BUCKET}hrdem-mosaic-1m/2_3-mosaic-1m-"
FHIMP_2023 = "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m"


def to_3979(lon, lat):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:3979", always_xy=True).transform(lon, lat)


def extent_of(project):
    """The project's -extent.geojson, as a lon/lat shape."""
    from shapely.geometry import shape

    answer = requests.get(f"{LIDAR}{project}-extent.geojson", timeout=30)
    assert answer.status_code == 200, project
    return shape(answer.json()["geometry"])


def read_3979(href, bounds):
    with rasterio.open(href) as src:
        return src.read(1, window=from_bounds(*bounds, src.transform), masked=True)


def around(x, y, half):
    return (x - half, y - half, x + half, y + half)


def projects_at(point):
    """Every hrdem-lidar item whose footprint claims ``point``, and those whose extent covers it."""
    from shapely.geometry import Point

    found = list(Client.open(API).search(collections=["hrdem-lidar"], intersects=Point(*point)).items())
    covering = [item for item in found if extent_of(item.id).covers(Point(*point))]
    return found, covering


@pytest.mark.parametrize(
    "place, point, newest, older",
    [
        ("city", CITY_HALL, "BC-Lower_Mainland_2016-1m", "VILLE_VANCOUVER-VILLE_VANCOUVER-1m"),
        ("maple", MAPLE_RIDGE, FHIMP_2023, "BC-Lower_Mainland_2016-1m"),
    ],
)
def test_the_mosaic_equals_the_newest_project_whose_extent_covers_the_place(place, point, newest, older):
    _, covering = projects_at(point)
    assert max(covering, key=lambda item: item.datetime).id == newest
    assert older in {item.id for item in covering}
    block = BLOCKS[place]
    for model in ("dtm", "dsm"):
        mosaic = read_3979(f"{MOSAIC_1M}{model}.tif", block)
        project = read_3979(f"{LIDAR}{newest}-{model}.tif", block)
        assert mosaic.shape == project.shape == ((3000, 3000) if place == "city" else (2000, 2000))
        assert not mosaic.mask.any() and not project.mask.any()
        assert np.array_equal(mosaic.data, project.data), (place, model)  # pixel for pixel
        assert not np.array_equal(mosaic.data, read_3979(f"{LIDAR}{older}-{model}.tif", block).data)


@pytest.mark.parametrize("place, point", [("city", CITY_HALL), ("maple", MAPLE_RIDGE)])
def test_every_footprint_that_claims_the_place_tells_the_truth_in_its_extent(place, point):
    found, covering = projects_at(point)
    covering = {item.id for item in covering}
    x, y = to_3979(*point)
    for item in found:
        at_point = read_3979(f"{LIDAR}{item.id}-dtm.tif", around(x, y, 20))
        assert (item.id in covering) == (not at_point.mask.any()), item.id
        if item.id not in covering:  # it claims the place with no data anywhere in the block
            assert read_3979(f"{LIDAR}{item.id}-dtm.tif", BLOCKS[place]).mask.all(), item.id
    if place == "city":
        assert covering == {"BC-Lower_Mainland_2016-1m", "VILLE_VANCOUVER-VILLE_VANCOUVER-1m"}
        assert "BC-Vancouver_Island_Sunshine_Coast_2018-1m" in {item.id for item in found}
    else:
        assert covering == {"BC-Lower_Mainland_2016-1m", FHIMP_2023}
        assert {"NRCAN-Lower_Mainland_2019-1m", "BC-BCTS_Chinook_Kamloops_UTM10_2017-1m"} <= {item.id for item in found}


def test_the_sunshine_coast_survey_claims_the_city_block_with_no_data_there():
    from shapely.geometry import box

    sunshine = "BC-Vancouver_Island_Sunshine_Coast_2018-1m"
    for model in ("dtm", "dsm"):
        assert read_3979(f"{LIDAR}{sunshine}-{model}.tif", BLOCKS["city"]).mask.all()
    _, south, east, _ = extent_of(sunshine).bounds
    assert east == pytest.approx(-123.18, abs=1e-3) and south == pytest.approx(49.33, abs=1e-3)
    assert not extent_of(sunshine).intersects(box(-123.15, 49.24, -123.08, 49.28))  # the city block, in lon/lat


def test_the_city_of_vancouver_and_burnaby_meet_as_recorded():
    vancouver, burnaby = extent_of("VILLE_VANCOUVER-VILLE_VANCOUVER-1m"), extent_of("VILLE_BURNABY-VILLE_BURNABY-1m")
    assert vancouver.bounds[2] == pytest.approx(-123.023, abs=1e-4)  # Vancouver's data end here
    assert burnaby.bounds[0] == pytest.approx(-123.026, abs=1e-4)  # Burnaby's start here


def test_every_lidar_project_has_its_assets():
    for item in Client.open(API).search(collections=["hrdem-lidar"], limit=100).items():
        for key, asset in item.assets.items():
            head = requests.head(asset.href, timeout=30)
            assert head.status_code == 200 and int(head.headers["Content-Length"]) > 0, (item.id, key)


def test_the_build_gives_windows_only_where_data_are_and_the_mosaic_its_newest_covering_survey():
    jobs = {job.item_id: job for job in build.plan()}
    mosaic = {window.block: window.epoch for window in jobs["2_3-mosaic-1m"].windows}
    assert mosaic == {"city": 2016, "maple": 2023}  # computed from the data extents
    assert [window.block for window in jobs["BC-Lower_Mainland_2016-1m"].windows] == ["city", "maple"]
    for project in (
        "BC-Vancouver_Island_Sunshine_Coast_2018-1m",
        "NRCAN-Lower_Mainland_2019-1m",
        "NRCAN-Lower_Mainland_2020-1m",
        "BC-BCTS_Chinook_Kamloops_UTM10_2017-1m",
        "VILLE_BURNABY-VILLE_BURNABY-1m",
    ):
        assert jobs[project].windows == (), project  # no terrain computed: empty COGs


def largest_change(before, after, threshold=2.0):
    """The area (m², 1 m pixels) of the largest 4-connected area where |after - before| > threshold."""
    from rasterio.features import shapes
    from shapely.geometry import shape

    changed = (np.abs(after.filled(np.nan) - before.filled(np.nan)) > threshold).astype("uint8")
    return max((shape(geometry).area for geometry, value in shapes(changed, mask=changed.astype(bool))), default=0)


@pytest.mark.parametrize(
    "place, before, after, dtm_area, dsm_area",
    [
        # CITY, 2013 to 2016: a filled lot (DTM and DSM, about 80 m square) and a building (DSM, 60 m).
        ("city", "VILLE_VANCOUVER-VILLE_VANCOUVER-1m", "BC-Lower_Mainland_2016-1m", (5000, 8000), (5000, 8000)),
        # MAPLE, 2016 to 2023: an excavation (about 180 m square) and a tower (DSM, 50 m).
        ("maple", "BC-Lower_Mainland_2016-1m", FHIMP_2023, (25000, 40000), (25000, 40000)),
    ],
)
def test_the_largest_connected_change_above_2_m_is_there_to_be_found(place, before, after, dtm_area, dsm_area):
    block = BLOCKS[place]
    for model, (low, high) in (("dtm", dtm_area), ("dsm", dsm_area)):
        first, second = (read_3979(f"{LIDAR}{project}-{model}.tif", block) for project in (before, after))
        assert low < largest_change(first, second) < high, (place, model)
        # Elsewhere the surveys differ by their few centimetres of bias only.
        assert float(np.ma.median(np.abs(second - first))) < 0.1


def test_the_mirror_listens_on_loopback_only_and_keeps_its_ca_in_its_cache():
    import psutil

    def servers_of(process):
        return [child for child in process.children() if child.name() in ("rustac", "mitmdump")]

    # `python -m mirror run`, which started this suite (directly, or through make test's two pytest runs)
    mirror_process = next(parent for parent in psutil.Process().parents() if servers_of(parent))
    servers = servers_of(mirror_process)
    assert {server.name() for server in servers} == {"rustac", "mitmdump"}
    listening = [
        conn for server in servers for conn in server.net_connections(kind="inet") if conn.status == psutil.CONN_LISTEN
    ]
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
    west = read_lonlat(
        f"{BUCKET}hrdem-mosaic-2m/8_2-mosaic-2m-dtm.tif", (-76.15, 45.2, -76.05, 45.4), out_shape=(500, 500)
    )
    assert west.count() == west.size and 30 < west.mean() < 300
    far_west_full_resolution = read_lonlat(
        f"{BUCKET}hrdem-mosaic-2m/8_2-mosaic-2m-dtm.tif", (-76.2, 45.1, -76.19, 45.11)
    )
    assert far_west_full_resolution.mask.all()  # 2 m only in the Ottawa AOI


def test_a_port_taken_between_its_pick_and_the_proxys_bind_is_picked_again(monkeypatch):
    """Parallel runs each start a mirror: a free port picked by one can be taken by another before it binds."""
    import socket

    from mirror import server

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    picks = iter([taken.getsockname()[1]])
    real_free_port = server.free_port
    monkeypatch.setattr(server, "free_port", lambda: next(picks, None) or real_free_port())
    try:
        with server.Mirror() as mirror:
            assert mirror.port != taken.getsockname()[1]
            assert requests.get(
                f"{server.STAC_ROOT}collections",
                timeout=30,
                proxies={"https": f"http://127.0.0.1:{mirror.port}"},
                verify=str(paths.ca_bundle()),
            ).ok
    finally:
        taken.close()
