"""The mirror behaves as the live API and bucket do where clients can tell (run inside `python -m mirror run`).

Each test here failed against the mirror before it reproduced the behaviour it checks, except the one
on an explicit sortby, which holds what the mirror leaves to rustac.
"""

import json
import os
import re
import socket
import ssl
import subprocess
import sys
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import requests
from pystac_client import Client

pytestmark = pytest.mark.mirror

HOST = "https://datacube.services.geo.ca"
API = f"{HOST}/stac/api/"
BUCKET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"
COG = f"https://{BUCKET_HOST}/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"
OTTAWA_BBOX = [-75.85, 45.30, -75.60, 45.45]


def mirror_run(args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mirror", "run", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env or os.environ,
    )


# 1. https://datacube.services.geo.ca/api is a STAC root too (mirror/LIVE-API.md F-API-ROOT).


def test_the_api_root_opens_and_searches_as_live():
    search = Client.open(f"{HOST}/api").search(collections=["hrdem-mosaic-2m"], bbox=OTTAWA_BBOX)
    assert sorted(item.id for item in search.items()) == ["8_2-mosaic-2m", "9_2-mosaic-2m"]


def test_paths_under_api_resolve_and_its_links_point_where_the_live_links_point():
    root = requests.get(f"{HOST}/api", timeout=30).json()
    assert root["type"] == "Catalog" and root["conformsTo"]
    assert all(link["href"].startswith(f"{HOST}/pgstac/api") for link in root["links"]), root["links"]
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/hrdem-mosaic-2m",
        "/collections/hrdem-mosaic-2m/items/9_2-mosaic-2m",
        "/search?collections=hrdem-mosaic-2m&bbox=-75.85,45.30,-75.60,45.45",
    ]:
        answer = requests.get(f"{HOST}/api{path}", timeout=30)
        assert answer.status_code == 200 and "json" in answer.headers["Content-Type"], path
    assert requests.get(f"{HOST}/api/collections/hrdem-mosaic-2m", timeout=30).json()["id"] == "hrdem-mosaic-2m"


# 2. Searches come newest first by default, as pgstac sorts: datetime descending, then id descending (F-ORDER).


def order_key(feature):
    return datetime.fromisoformat(feature["properties"]["datetime"]), feature["id"]


def assert_newest_first(features):
    keys = [order_key(feature) for feature in features]
    assert len({when for when, _ in keys}) > 2, "the check needs items of several dates"
    assert len(set(keys)) == len(keys), "an item came twice"
    assert keys == sorted(keys, reverse=True), [f["id"] for f in features]


def get_every_page(url):
    features, matched = [], None
    while url:
        document = requests.get(url, timeout=30).json()
        features += document["features"]
        matched = document["numberMatched"] if matched is None else matched
        url = next((link["href"] for link in document["links"] if link["rel"] == "next"), None)
    assert len(features) == matched
    return features


def test_a_get_search_is_newest_first_across_pages():
    assert_newest_first(get_every_page(f"{API}search?collections=hrdem-lidar,hrdem-mosaic-1m&limit=2"))


def test_a_post_search_is_newest_first_across_pages():
    search = Client.open(API).search(collections=["hrdem-lidar", "hrdem-mosaic-1m"], limit=2, method="POST")
    assert search.matched() > 2
    assert_newest_first(list(search.items_as_dicts()))


def test_a_collections_items_listing_is_newest_first_across_pages():
    everything = get_every_page(f"{API}collections/hrdem-lidar/items?limit=2")
    assert {feature["collection"] for feature in everything} == {"hrdem-lidar"}
    assert_newest_first(everything)
    first_page = requests.get(f"{API}collections/hrdem-lidar/items", timeout=30).json()["features"]
    assert first_page == everything[: len(first_page)]


def test_the_recorded_search_comes_back_in_the_recorded_order():
    # F-ORDER: this search, run live on 2026-10-07, returned these three projects in this order
    city_hall = {"type": "Point", "coordinates": [-123.1139388, 49.261317]}
    answer = requests.post(
        f"{API}search", json={"collections": ["hrdem-lidar"], "intersects": city_hall, "limit": 20}, timeout=30
    ).json()
    assert [feature["id"] for feature in answer["features"]] == [
        "BC-Vancouver_Island_Sunshine_Coast_2018-1m",
        "BC-Lower_Mainland_2016-1m",
        "VILLE_VANCOUVER-VILLE_VANCOUVER-1m",
    ]


def test_an_explicit_sortby_is_passed_to_the_server():
    # rustac accepts sortby and ignores it; the mirror does not sort in its place (the live order is unknown).
    body = {"collections": ["hrdem-lidar"], "limit": 100, "sortby": [{"field": "id", "direction": "asc"}]}
    answer = requests.post(f"{API}search", json=body, timeout=30)
    assert answer.status_code == 200 and answer.json()["numberReturned"] == answer.json()["numberMatched"]


# 3. The bucket speaks HTTP/1.1 only, as S3's REST endpoints do (F-S3-HTTP11).


def negotiated_protocol(host):
    """The ALPN protocol the proxy selects for ``host`` when a client offers h2 and http/1.1."""
    proxy = urlsplit(os.environ["HTTPS_PROXY"])
    with socket.create_connection((proxy.hostname, proxy.port), timeout=30) as sock:
        sock.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 200"), reply
        context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
        context.set_alpn_protocols(["h2", "http/1.1"])
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.selected_alpn_protocol()


def test_the_bucket_selects_http_1_1_when_a_client_offers_http_2():
    assert negotiated_protocol(BUCKET_HOST) == "http/1.1"


def test_gdal_reads_the_bucket_over_http_1_1():
    script = f"import rasterio\nwith rasterio.open({COG!r}) as src: print(src.shape)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CPL_CURL_VERBOSE": "YES"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"ALPN: curl offers h2", result.stderr), result.stderr[-2000:]
    assert set(re.findall(r"ALPN: server accepted (\S+)", result.stderr)) == {"http/1.1"}
    assert not re.search(r"^> \w+ \S+ HTTP/2", result.stderr, re.M)


def test_a_head_answer_has_no_body_so_the_next_answer_on_the_connection_is_read():
    # Over HTTP/1.1 a body after a HEAD answer would be read as the start of the next answer.
    with requests.Session() as session:
        for _ in range(2):
            missing = session.head(f"https://{BUCKET_HOST}/hrdem-mosaic-2m/no-such-key.tif", timeout=30)
            assert missing.status_code == 404 and missing.content == b""
            part = session.get(COG, headers={"Range": "bytes=0-3"}, timeout=30)
            assert part.status_code == 206 and part.content in (b"II*\x00", b"II+\x00")


# 4. Clients get no GDAL setting that a live reader would not have.


def test_gdal_lists_the_folder_as_it_does_live(tmp_path):
    """Without GDAL_DISABLE_READDIR_ON_OPEN, opening a COG makes GDAL ask for its folder: the mirror must not
    hide it."""
    log = tmp_path / "requests.jsonl"
    env = {name: value for name, value in os.environ.items() if name != "GDAL_DISABLE_READDIR_ON_OPEN"}
    script = (
        "import os, rasterio\n"
        "assert 'GDAL_DISABLE_READDIR_ON_OPEN' not in os.environ, 'the mirror set it'\n"
        f"rasterio.open({COG!r}).close()"
    )
    result = mirror_run(["--log", str(log), "--", sys.executable, "-c", script], env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    paths = [json.loads(line)["path"] for line in log.read_text().splitlines()]
    assert "/hrdem-mosaic-2m/" in paths, paths
