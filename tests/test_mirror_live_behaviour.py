"""The mirror behaves as the live API and bucket do where clients can tell (run inside `python -m mirror run`).

Each test here failed against the mirror before it reproduced the behaviour it checks.
"""


import pytest
import requests
from pystac_client import Client

pytestmark = pytest.mark.mirror

HOST = "https://datacube.services.geo.ca"
API = f"{HOST}/stac/api/"
BUCKET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"
COG = f"https://{BUCKET_HOST}/hrdem-mosaic-2m/9_2-mosaic-2m-dtm.tif"
OTTAWA_BBOX = [-75.85, 45.30, -75.60, 45.45]


# 1. https://datacube.services.geo.ca/api is a STAC root too (recorded live, Feb 2026).

def test_the_api_root_opens_and_searches_as_live():
    search = Client.open(f"{HOST}/api").search(collections=["hrdem-mosaic-2m"], bbox=OTTAWA_BBOX)
    assert sorted(item.id for item in search.items()) == ["8_2-mosaic-2m", "9_2-mosaic-2m"]


def test_paths_under_api_resolve_and_its_links_point_where_the_live_links_point():
    root = requests.get(f"{HOST}/api", timeout=30).json()
    assert root["type"] == "Catalog" and root["conformsTo"]
    assert all(link["href"].startswith(f"{HOST}/pgstac/api") for link in root["links"]), root["links"]
    for path in ["/", "/conformance", "/collections", "/collections/hrdem-mosaic-2m",
                 "/collections/hrdem-mosaic-2m/items/9_2-mosaic-2m",
                 "/search?collections=hrdem-mosaic-2m&bbox=-75.85,45.30,-75.60,45.45"]:
        answer = requests.get(f"{HOST}/api{path}", timeout=30)
        assert answer.status_code == 200 and "json" in answer.headers["Content-Type"], path
    assert requests.get(f"{HOST}/api/collections/hrdem-mosaic-2m", timeout=30).json()["id"] == "hrdem-mosaic-2m"

