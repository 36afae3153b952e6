"""Read the CCMEO STAC API at its real URL: the collection listing, one collection, one item.

Used by ``python -m mirror record`` and ``python -m mirror drift``. Whatever answers at
https://datacube.services.geo.ca/stac/api/ is read: the live API where there is internet,
the offline mirror inside ``python -m mirror run`` (which is how the tests exercise this).
Every request has a timeout and is retried on connection errors, 429 and 5xx answers with
backoff (honouring Retry-After); TLS is verified as usual (the mirror's CA comes in through
REQUESTS_CA_BUNDLE).
"""

import os
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mirror import STAC_ROOT
from mirror.snapshot import Snapshot

TIMEOUT_S = (10, 60)  # connect, read
RETRY = Retry(
    total=6,
    connect=6,
    read=6,
    status=6,
    backoff_factor=0.5,
    backoff_max=30,
    status_forcelist=(429, 500, 502, 503, 504),
    allowed_methods=("GET",),
    respect_retry_after_header=True,
    raise_on_status=False,
)
BODY_ATTEMPTS = 3  # a body cut short (reset, truncated) is fetched again
MAX_PAGES = 100  # of the collection listing; a loop of `next` links stops here
USER_AGENT = "canelevation-stac-tutorials mirror (record/drift)"


class LiveError(RuntimeError):
    """The API could not be read; the message names the URL and what went wrong."""


def through_mirror() -> bool:
    """True inside ``python -m mirror run``: the answers come from the offline mirror."""
    return "MIRROR_RUNNING" in os.environ


class StacApi:
    def __init__(self, root: str = STAC_ROOT):
        self.root = root.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.session.mount("https://", HTTPAdapter(max_retries=RETRY))
        self.session.mount("http://", HTTPAdapter(max_retries=RETRY))
        self.requests = 0

    def get(self, url: str, missing_ok: bool = False) -> dict | None:
        """The JSON document at ``url``; None for a 404 when ``missing_ok``."""
        for attempt in range(1, BODY_ATTEMPTS + 1):
            self.requests += 1
            try:
                response = self.session.get(url, timeout=TIMEOUT_S)
                if response.status_code == 404 and missing_ok:
                    return None
                if response.status_code != 200:
                    raise LiveError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
                return response.json()
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.JSONDecodeError,
                requests.exceptions.ConnectionError,
            ) as error:
                if attempt == BODY_ATTEMPTS:
                    raise LiveError(f"GET {url} failed {BODY_ATTEMPTS} times: {error}") from None
            except requests.exceptions.RequestException as error:
                raise LiveError(f"GET {url} failed: {error}") from None
        raise AssertionError("unreachable")

    def collections(self) -> list[dict]:
        """Every collection, in the API's listing order, following `next` links if it pages."""
        url, listed, seen = f"{self.root}collections", [], set()
        for _ in range(MAX_PAGES):
            page = self.get(url)
            listed += page.get("collections", [])
            url = next((link["href"] for link in page.get("links", []) if link.get("rel") == "next"), None)
            if not url or url in seen:
                return listed
            seen.add(url)
        raise LiveError(f"the collection listing did not end within {MAX_PAGES} pages")

    def collection(self, collection_id: str) -> dict:
        return self.get(f"{self.root}collections/{quote(collection_id)}")

    def item(self, collection_id: str, item_id: str) -> dict | None:
        """The item, or None if the API says there is no such item (404)."""
        return self.get(f"{self.root}collections/{quote(collection_id)}/items/{quote(item_id)}", missing_ok=True)


def fetch(api: StacApi, wanted: dict[str, list[str]], log=lambda message: None):
    """The collection listing, and the items ``wanted`` ({collection: [item ids]}) fetched by id.

    Returns (snapshot, missing): the collections in listing order, with each wanted collection
    as GET /collections/{id} answers it; the items found; and {collection: [ids]} of the wanted
    items the API does not have (a wanted collection missing from the listing has all its
    items missing).
    """
    collections = api.collections()
    listed = {collection["id"] for collection in collections}
    log(f"{len(collections)} collections listed by {api.root}")
    for index, collection in enumerate(collections):
        if collection["id"] in wanted:
            collections[index] = api.collection(collection["id"])
    snapshot, missing = Snapshot(collections), {}
    for collection_id, item_ids in wanted.items():
        found = []
        for item_id in item_ids:
            item = api.item(collection_id, item_id) if collection_id in listed else None
            if item is None:
                missing.setdefault(collection_id, []).append(item_id)
            else:
                found.append(item)
        snapshot.items[collection_id] = found
        log(f"{collection_id}: {len(found)} of {len(item_ids)} items")
    return snapshot, missing
