"""Glue between STAC clients and rustac's server, so the mirror answers as the live API.

- The live API answers under /stac/api/ and under /api/, and its links point
  under /pgstac/api/ (mirror/LIVE-API.md F-ROOT, F-API-ROOT, F-PGSTAC-LINKS; the
  links of the /api answers are not recorded: the mirror points them there too).
  rustac serves at the root: every prefix maps to the same rustac path, and
  every link of rustac's points under /pgstac/api/.
- rustac 0.9.18 answers 500 to GET searches with ``collections=`` (and to some
  other parameter mixes); every GET search (on /search or /collections/{id}/items)
  becomes the equivalent POST search, and the paging links of the answer are
  turned back into GET links.
- The live API (pgstac) returns matches newest first by default (F-ORDER); rustac keeps
  the snapshot's order and ignores ``sortby``. The proxy puts each page in
  pgstac's default order (``newest_first``) unless the client sent a ``sortby``.
"""

import json
from datetime import datetime
from urllib.parse import urlencode

STAC_HOST = "datacube.services.geo.ca"
PUBLIC_BASE = f"https://{STAC_HOST}"
LINK_PREFIX = "/pgstac/api"  # where the live API's links point
API_PREFIXES = ("/stac/api", "/pgstac/api", "/api")  # where the live API answers
RUSTAC_PREFIX = "/stac/api"  # rustac's --addr: its root and self links carry it, the others not

LIST_PARAMS = ("collections", "ids")
NUMBER_PARAMS = ("limit", "skip")
PASSED_PARAMS = ("datetime",)
COUNT_LIMIT = 10_000  # above the snapshot's item count: one page holds every match


class BadSearch(ValueError):
    """A query parameter that no STAC API would accept; answered with 400."""


def upstream_path(path: str) -> str:
    """The rustac path for a request path under /stac/api, /pgstac/api, /api or the bare root."""
    for prefix in API_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :]
            break
    return path or "/"


def is_search_get(path: str) -> bool:
    """A GET on /search or /collections/{id}/items: handled as a POST search."""
    parts = path.strip("/").split("/")
    return parts == ["search"] or (len(parts) == 3 and parts[0] == "collections" and parts[2] == "items")


def search_body(path: str, query: dict[str, str]) -> dict:
    """The POST /search body equivalent to a GET search with ``query``."""
    body: dict = {}
    parts = path.strip("/").split("/")
    if parts[0] == "collections":
        body["collections"] = [parts[1]]
    for name, value in query.items():
        if name in LIST_PARAMS:
            body[name] = [v for v in value.split(",") if v]
        elif name in NUMBER_PARAMS:
            body[name] = _integer(name, value)
        elif name == "bbox":
            body["bbox"] = _bbox(value)
        elif name == "intersects":
            body["intersects"] = _geometry(value)
        elif name in PASSED_PARAMS:
            body[name] = value
        elif name == "token" and value.startswith("skip:"):
            body["skip"] = _integer(name, value[len("skip:") :])
        else:
            raise BadSearch(f"unsupported search parameter: {name}")
    return body


def _integer(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadSearch(f"{name} must be an integer, got {value!r}") from None
    if number < 0:
        raise BadSearch(f"{name} must not be negative, got {number}")
    return number


def _bbox(value: str) -> list[float]:
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadSearch(f"bbox must be 4 or 6 comma-separated numbers, got {value!r}") from None
    if len(numbers) not in (4, 6):
        raise BadSearch(f"bbox must be 4 or 6 comma-separated numbers, got {value!r}")
    return numbers


def _geometry(value: str) -> dict:
    try:
        geometry = json.loads(value)
    except json.JSONDecodeError as error:
        raise BadSearch(f"intersects is not valid GeoJSON: {error}") from None
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise BadSearch("intersects must be a GeoJSON geometry object")
    return geometry


def public_href(href: str) -> str:
    """Point a link of rustac's at the live API's link prefix (/pgstac/api)."""
    if not href.startswith(PUBLIC_BASE):
        return href
    path = href[len(PUBLIC_BASE) :]
    if path == RUSTAC_PREFIX or path.startswith(RUSTAC_PREFIX + "/"):
        path = path[len(RUSTAC_PREFIX) :]
    return f"{PUBLIC_BASE}{LINK_PREFIX}{path.rstrip('/') or '/'}"


def newest_first(features: list[dict]) -> list[dict]:
    """pgstac's default order: datetime descending, then id descending."""

    def key(feature):
        properties = feature["properties"]
        # pgstac's datetime column: the item's datetime, or the start of its range when that is null
        return datetime.fromisoformat(properties.get("datetime") or properties["start_datetime"]), feature["id"]

    return sorted(features, key=key, reverse=True)


def sort_page(document: dict, matches: list[dict], search: dict) -> dict:
    """Give a page of a search the features it holds in pgstac's default order, unless ``sortby`` was sent.

    ``matches`` are all the search's matches; the page starts at ``skip``, as rustac's paging does.
    """
    if not search.get("sortby"):
        skip = search.get("skip", 0)
        document["features"] = newest_first(matches)[skip : skip + len(document.get("features", []))]
    return document


def rewrite_links(document: dict, get_query: dict[str, str] | None = None, get_path: str = "/search") -> dict:
    """Rewrite every link in a response; for a GET search on ``get_path``, make paging links GETs again."""
    for link in _links(document):
        if get_query is not None and link.get("rel") in ("next", "prev") and "body" in link:
            query = dict(get_query)
            query.pop("token", None)
            query["token"] = f"skip:{link['body'].get('skip', 0)}"
            link["href"] = f"{PUBLIC_BASE}{LINK_PREFIX}{get_path}?{urlencode(query)}"
            link["method"] = "GET"
            del link["body"]
        else:
            link["href"] = public_href(link["href"])
    document.pop("context", None)
    return document


def _links(document: dict):
    yield from document.get("links", [])
    for key in ("features", "collections"):
        for child in document.get(key, []) or []:
            yield from child.get("links", [])


def reorder_collections(document: dict, order: list[str]) -> dict:
    """List collections in the snapshot's order: the live API's is not alphabetical, rustac's is."""
    if isinstance(document.get("collections"), list) and order:
        rank = {collection_id: index for index, collection_id in enumerate(order)}
        document["collections"].sort(key=lambda c: rank.get(c.get("id"), len(rank)))
    return document
